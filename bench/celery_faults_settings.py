"""Settings of the Celery fault run (bench/celery_faults.py): the test settings with small
reminder batches and a short reclaim timeout, so killed workers leave rows to reclaim."""

from coordination.settings_test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
REMINDER_BATCH_SIZE = 10
REMINDER_SENDING_TIMEOUT_SECONDS = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
