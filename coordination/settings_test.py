"""Test settings: PostgreSQL and Redis always; Celery eager (must be set here, not by fixture)."""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault(
    "DATABASE_URL",
    os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/coordination_hub"),
)

# `make test` runs the suite in two processes (pytest-xdist: gw0, gw1). pytest-django gives each
# its own database (test_<name>_gw0 …); here each also gets its own Redis database (the next
# number; below it when the number is 15) and its own upload folder, so one process's
# cache.clear(), broker queues and files never touch the other's.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0)


def _redis_for_worker(url: str) -> str:
    base, _, number = url.rpartition("/")
    if not _WORKER or not number.isdigit():
        return url
    n = int(number)
    return f"{base}/{n + _WORKER if n + _WORKER <= 15 else n - _WORKER}"


_REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
_SET_FOR_WORKER = "HUB_TEST_REDIS_SET_FOR_WORKER"
if "PYTEST_XDIST_WORKER" in os.environ and _SET_FOR_WORKER not in os.environ:
    # a worker inherits the controller's environment (REDIS_URL included): set, not default.
    # A process the worker starts inherits the mark, so the REDIS_URL it was given stays (the
    # fault and several-hosts runs start their own Redis)
    os.environ["REDIS_URL"] = _redis_for_worker(_REDIS)
    os.environ[_SET_FOR_WORKER] = "1"
else:
    os.environ.setdefault("REDIS_URL", _REDIS)

from coordination.settings import *  # noqa: E402,F403

ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
MEDIA_ROOT = VAR_DIR / f"test-media-{_WORKER}"  # noqa: F405
REST_FRAMEWORK = {  # noqa: F405
    **REST_FRAMEWORK,  # noqa: F405
    # only ERP clients' own rates (tests that use no client are never throttled)
    "DEFAULT_THROTTLE_CLASSES": ["coordination.api.throttling.ApiClientRateThrottle"],
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# the cache (Redis) outlives a run: no lockout unless a test asks for it (tests/security)
LOGIN_MAX_FAILURES = 10_000
LOGIN_MAX_FAILURES_PER_ADDRESS = 10_000
SURVEY_LINK_MISSES_PER_HOUR = 10_000  # tests/kpi/test_survey_links.py asks for the real one
# the second factor is optional in tests; tests/security/test_accounts.py turns the staff
# and PMO requirement on with override_settings (force_login of staff elsewhere stays as is)
OTP_REQUIRED_FOR_STAFF = False
