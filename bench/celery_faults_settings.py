"""Settings of the Celery fault run (bench/celery_faults.py): the test settings with small
reminder batches, a short lease (killed workers leave rows to reclaim soon), short retries,
and real delivery to the run's own loopback receivers (SMTP on EMAIL_PORT, the chat robot
allowed on 127.0.0.1). The script sets the environment these read."""

import os

from coordination.settings_test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
REMINDER_BATCH_SIZE = 10
REMINDER_BACKOFF_SECONDS = float(os.environ.get("REMINDER_BACKOFF_SECONDS", "0.1"))
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
