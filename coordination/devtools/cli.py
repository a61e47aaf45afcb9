"""Developer commands behind the Makefile: `ensure-services` and `run`.

python -m coordination.devtools ensure-services
    Make sure PostgreSQL and Redis answer on 127.0.0.1 (for `make test`); start them with the
    machine's own commands when down, or say clearly what is missing.
python -m coordination.devtools run
    Migrate, load demo data, start web + Celery worker + beat, print URL and demo logins.
"""

from __future__ import annotations

import shutil
import socket
import subprocess  # nosec B404 (fixed developer commands only)
import sys
import time
from pathlib import Path

from coordination.devtools.runner import run

BASE_DIR = Path(__file__).resolve().parents[2]
PG_START = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
REDIS_START = 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no'


def _port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _wait(host: str, port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _port_open(host, port):
            return True
        time.sleep(0.5)
    return False


def ensure_service(name: str, port: int, start_command: str, binary: str) -> None:
    if _port_open("127.0.0.1", port):
        print(f"{name}: up on 127.0.0.1:{port}")
        return
    if not shutil.which(binary) and not Path("/etc/postgresql").exists():
        sys.exit(
            f"{name} is not running on 127.0.0.1:{port} and cannot be started here "
            f"({binary} not found). Start it, or install it, then run make test again."
        )
    print(f"{name}: down, starting it: {start_command}")
    subprocess.run(start_command, shell=True, check=False)  # noqa: S602  # nosec B602 (fixed)
    if not _wait("127.0.0.1", port, 30):
        sys.exit(f"{name} did not come up on 127.0.0.1:{port}; start it by hand: {start_command}")
    print(f"{name}: up on 127.0.0.1:{port}")


def ensure_services() -> None:
    ensure_service("PostgreSQL", 5432, PG_START, "pg_ctlcluster")
    ensure_service("Redis", 6379, REDIS_START, "redis-server")


def main(argv: list[str]) -> None:
    command = argv[1] if len(argv) > 1 else ""
    if command == "ensure-services":
        ensure_services()
    elif command == "run":
        run()
    else:
        sys.exit(__doc__)
