"""`python -m coordination.devtools ensure-services | run` (see coordination/devtools/cli.py)."""

import os
import sys

from coordination.devtools.cli import BASE_DIR, main

os.chdir(BASE_DIR)
main(sys.argv)
