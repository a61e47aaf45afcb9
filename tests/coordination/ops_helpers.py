"""Helpers for the ops tests: run the project's own commands in child processes."""

import os
import socket
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
# Variables the test session sets that a "fresh shell" would not have.
_STRIP = {
    "DJANGO_SETTINGS_MODULE",
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "ALLOWED_HOSTS",
    "VAR_DIR",
    "COMMITMENT_SIGNING_KEY",
    "PORT",
    "HOST",
    # Test-only: browser tests allow sync ORM calls beside Playwright's loop; a subprocess that
    # plays production must not inherit it (check --deploy reports async.E001).
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def clean_env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _STRIP}
    env.update(VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1", **extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    """A child process of the project (its own session, so a test can stop its whole tree),
    output kept for the assertion messages."""
    return subprocess.Popen(
        command,
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
