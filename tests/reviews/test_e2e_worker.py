"""End to end: a real Celery worker process on Redis creates and sends a due reminder."""

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from django.utils import timezone

from coordination.core.models import Notification
from coordination.reviews.models import Reminder
from tests.coordination.ops_helpers import start
from tests.reviews.factories import CadenceFactory, ReviewFactory

pytestmark = pytest.mark.slow
BASE_DIR = Path(__file__).resolve().parents[2]
TIMEOUT = 60


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_worker_sends_a_due_reminder_once(tmp_path):
    now = timezone.now()
    cadence = CadenceFactory(time_of_day=datetime.time(0, 0))
    local = timezone.localtime(now + datetime.timedelta(minutes=10), cadence.tz)
    cadence.time_of_day = local.time().replace(second=0, microsecond=0)
    cadence.save()
    review = ReviewFactory(cadence=cadence, date=local.date())
    for user in cadence.participants.all():
        user.profile.notify_email = False  # the worker's mail outbox is not visible here
        user.profile.save()

    queue = f"reviews-e2e-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "coordination.settings_test",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "VAR_DIR": str(tmp_path),
        "PYTHONUNBUFFERED": "1",
    }
    celery_bin = str(Path(sys.executable).parent / "celery")
    worker = start(
        [
            celery_bin,
            "-A",
            "coordination",
            "worker",
            "-l",
            "info",
            "-Q",
            queue,
            "--concurrency",
            "1",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        env,
    )
    try:
        sender = Celery("reviews-e2e", broker=settings.CELERY_BROKER_URL)
        sender.send_task("coordination.create_review_reminders", queue=queue)
        sender.send_task("coordination.send_due_reminders", queue=queue)
        sender.send_task("coordination.create_review_reminders", queue=queue)  # a repeat
        sender.send_task("coordination.send_due_reminders", queue=queue)
        deadline = time.monotonic() + TIMEOUT
        rows = Reminder.objects.filter(review=review)
        while time.monotonic() < deadline and worker.poll() is None:
            if rows.count() == 2 and not rows.exclude(status="sent").exists():
                time.sleep(1.0)  # let the repeated tasks run too
                break
            time.sleep(0.3)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        log = worker.communicate(timeout=15)[0] or ""
    assert rows.count() == 2, log[-3000:]
    assert set(rows.values_list("status", flat=True)) == {"sent"}, log[-3000:]
    assert set(rows.values_list("channel", flat=True)) == {"inapp"}
    assert Notification.objects.filter(kind="reminder.review_upcoming").count() == 2
