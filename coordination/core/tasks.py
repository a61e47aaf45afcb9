"""A Celery health check across processes."""

import os
import re

from celery import shared_task
from django.conf import settings

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@shared_task(name="coordination.ping")
def ping(token: str) -> int:
    """Health check across processes: write this worker's pid to VAR_DIR/ping/<token>.

    Used by tests (and by hand) to prove a task sent by one process runs in another.
    The token is a plain name, never a path, so the task cannot write outside VAR_DIR.
    """
    if not _TOKEN.match(token or ""):
        raise ValueError("token must be 1-64 letters, digits, '-' or '_'")
    folder = settings.VAR_DIR / "ping"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / token).write_text(str(os.getpid()), encoding="utf-8")
    return os.getpid()
