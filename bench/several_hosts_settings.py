"""Settings of the several-hosts run (bench/several_hosts.py): the test settings with Celery
not eager, real delivery to the run's own loopback receivers (SMTP on EMAIL_PORT, chat robot
and webhooks allowed on 127.0.0.1), small reminder batches. DATABASE_URL (PgBouncer) and
DATABASE_POOLER come from the environment the script sets, read by coordination.settings."""

from coordination.settings_test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
REMINDER_BATCH_SIZE = 10
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
