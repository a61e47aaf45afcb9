"""The Celery app. Periodic schedules live in coordination/schedules.py (one place)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordination.settings")

app = Celery("coordination")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Every module with tasks, by name (no discovery by walking packages).
app.autodiscover_tasks(
    ["coordination.core", "coordination.reviews", "coordination.integration", "handover", "kpi"]
)
