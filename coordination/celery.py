"""The Celery app. Periodic schedules live in coordination/schedules.py (one place)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordination.settings")

app = Celery("coordination")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
