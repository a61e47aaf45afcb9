"""The bench settings served by gunicorn: the site's URLs plus the bare views (bench/urls.py)."""

from bench.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
