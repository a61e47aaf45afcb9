"""Settings, read from the environment. Safe production defaults; development opts in with DEBUG=1.

Without DATABASE_URL the app runs on SQLite under var/; without REDIS_URL Celery uses an
embedded SQLite-backed broker (sqla+sqlite) that carries tasks between processes.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-change-me-" + "x" * 20
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")

# Signatures on collaboration commitments are HMACs with a key kept outside the database.
# Rotation: put the old key in COMMITMENT_SIGNING_KEY_FALLBACKS, the new one in ..._KEY.
COMMITMENT_SIGNING_KEY = os.environ.get("COMMITMENT_SIGNING_KEY") or SECRET_KEY
COMMITMENT_SIGNING_KEY_FALLBACKS = env_list("COMMITMENT_SIGNING_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",  # the optional second factor (coordination/accounts/)
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "knox",  # people's API tokens (coordination.core.tokens.ApiToken is its TOKEN_MODEL)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "coordination.apps.LoginProtectionConfig",  # django-axes, named 登录保护 in the admin
    "coordination",
    "projects",
    "handover",
    "kpi",
    "coordination.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # responses compressed, above everything that reads or changes the body (static files
    # are served compressed by WhiteNoise above, which answers before this); already
    # compressed types pass as they are. BREACH: CSRF tokens are masked anew in every
    # response and Django adds random bytes to the gzip header (docs/security.md)
    "coordination.core.middleware.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): a code was accepted
    "coordination.accounts.middleware.SecondFactorMiddleware",  # code / enrolment first
    "coordination.core.middleware.UserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "coordination.api.middleware.JsonErrorsMiddleware",  # /api/: every error body is JSON
    "coordination.api.middleware.QueryControlCharactersMiddleware",  # /api/: NUL in query: 400
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "coordination.core.security.ReadOnlyRoleMiddleware",  # executives: HTML writes are 403
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "coordination.api.idempotency.IdempotencyKeyMiddleware",  # Idempotency-Key on API POSTs
    "coordination.core.security.ContentSecurityPolicyMiddleware",  # CSP header (docs/security.md)
    "coordination.core.security.NoStoreMiddleware",  # no-store: API and signed-in pages
    "axes.middleware.AxesMiddleware",  # a refused login answers 429 (login_protection)
]

ROOT_URLCONF = "coordination.urls"
WSGI_APPLICATION = "coordination.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["coordination.dashboard.templatetags.trust_tags"],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'coordination.sqlite3'}"
# Connections live 60 s across requests; each request checks a reused one first (a
# `SELECT 1`), so after a failover or a restart of PostgreSQL a thread reconnects instead of
# answering 500 on its dead connection (tests/coordination/test_db_failover.py).
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
# Behind PgBouncer in transaction mode (docs/scaling.md): no server-side cursors, which would
# outlive the transaction PgBouncer pins to one server connection. Nothing else the code does
# needs a session (advisory locks are transaction-level, no LISTEN, no session SET).
DATABASE_POOLER = os.environ.get("DATABASE_POOLER", "")
if DATABASE_POOLER == "pgbouncer-transaction":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
DEFAULT_CURRENCY = "CNY"

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", 20 * 1024 * 1024))

# Security: production defaults; DEBUG relaxes what a local http server cannot do.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# --- Accounts and sessions hardened (docs/security.md, "Accounts and sessions") ---
# Proxies in front of the app that append to X-Forwarded-For: 0 (default) trusts no
# X-Forwarded-For at all; N takes the client as the N-th address from the right. Read by the
# login protection and by DRF's throttles (REST_FRAMEWORK["NUM_PROXIES"] below).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", 0))
# X-Forwarded-Proto is believed only when the proxy in front says so (it must overwrite the
# client's header); otherwise any client could skip the HTTPS redirect by sending it.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TRUST_X_FORWARDED_PROTO", False) else None
)
# Login protection, the same at /accounts/login/, /admin/login/ and /api/v1/auth/token/, on
# django-axes (coordination/core/login_protection.py): per (username, client address)
# LOGIN_MAX_FAILURES failures and per address LOGIN_MAX_FAILURES_PER_ADDRESS, then a wait of
# LOGIN_BACKOFF_SECONDS doubling with every further failure, up to LOGIN_LOCKOUT_SECONDS.
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", 5))
LOGIN_MAX_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_MAX_FAILURES_PER_ADDRESS", 20))
LOGIN_BACKOFF_SECONDS = int(os.environ.get("LOGIN_BACKOFF_SECONDS", 60))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_SECONDS", 900))
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: a locked-out attempt never checks a password
    "django.contrib.auth.backends.ModelBackend",
]
_LOGIN_PROTECTION = "coordination.core.login_protection"
AXES_HANDLER = f"{_LOGIN_PROTECTION}.LoginProtectionHandler"  # axes' database handler + backoff
AXES_LOCKOUT_PARAMETERS = f"{_LOGIN_PROTECTION}.lockout_parameters"  # (username, address); address
AXES_FAILURE_LIMIT = f"{_LOGIN_PROTECTION}.failure_limit"  # LOGIN_MAX_FAILURES
AXES_COOLOFF_TIME = f"{_LOGIN_PROTECTION}.remembered"  # failures kept 2 × LOGIN_LOCKOUT_SECONDS
AXES_USERNAME_CALLABLE = f"{_LOGIN_PROTECTION}.username_of"
AXES_LOCKOUT_CALLABLE = f"{_LOGIN_PROTECTION}.lockout_response"  # 429 + Retry-After
AXES_CLIENT_IP_CALLABLE = "coordination.core.security.client_ip"  # TRUSTED_PROXY_COUNT only
AXES_LOCK_OUT_AT_FAILURE = False  # the handler decides before each attempt (not on the failure)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a refused attempt is not counted
AXES_RESET_ON_SUCCESS = True  # a success deletes that (username, address)'s failures
AXES_DISABLE_ACCESS_LOG = True  # successful logins are not logged (only failures, while kept)
AXES_ENABLE_ADMIN = False  # coordination/core/admin.py registers AccessAttempt for PMO
AXES_VERBOSE = False
# --- end accounts and sessions ---

# --- Passwords and the second factor (docs/security.md, "Accounts and sessions") ---
# Reset requests per client address and per e-mail address within the window
# (coordination/accounts/throttle.py); the link in the e-mail lasts PASSWORD_RESET_TIMEOUT.
PASSWORD_RESET_MAX_PER_ADDRESS = int(os.environ.get("PASSWORD_RESET_MAX_PER_ADDRESS", 5))
PASSWORD_RESET_MAX_PER_EMAIL = int(os.environ.get("PASSWORD_RESET_MAX_PER_EMAIL", 5))
PASSWORD_RESET_WINDOW_SECONDS = int(os.environ.get("PASSWORD_RESET_WINDOW_SECONDS", 3600))
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", 3 * 24 * 3600))
# Staff (admin) and PMO users must use a TOTP second factor: on in production, off under
# DEBUG (make run's demo logins) unless set; coordination/accounts/rules.py.
OTP_REQUIRED_FOR_STAFF = env_bool("OTP_REQUIRED_FOR_STAFF", not DEBUG)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Coordination Hub")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin lists and deletes devices, never shows keys
# --- end passwords and the second factor ---

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# seconds per SMTP operation; without one a hung server holds a reminder batch past its lease
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "coordination-hub@localhost")

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # Embedded broker shared by web, worker and beat processes through one SQLite file.
    CELERY_BROKER_URL = f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
from coordination.schedules import BEAT_SCHEDULE as CELERY_BEAT_SCHEDULE  # noqa: E402,F401

CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# People's API tokens (POST /api/v1/auth/token/, docs/security.md "API tokens"): one per device,
# hashed, each ending API_TOKEN_TTL_HOURS after it was issued (no sliding renewal); revoked
# by POST /api/v1/auth/logout/, on the profile page or by PMO in the admin.
API_TOKEN_TTL_HOURS = int(os.environ.get("API_TOKEN_TTL_HOURS", 720))
if API_TOKEN_TTL_HOURS < 1:
    raise ImproperlyConfigured("API_TOKEN_TTL_HOURS must be at least 1")
KNOX_TOKEN_MODEL = "coordination.ApiToken"  # nosec B105: a model name, no secret
# knox's own AuthToken is swapped out; its migrations would still create its table (with a
# foreign key to every user): no migrations, so no table.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_MODEL": KNOX_TOKEN_MODEL,
    "TOKEN_TTL": timedelta(hours=API_TOKEN_TTL_HOURS),
    "AUTH_HEADER_PREFIX": "Token",  # the header integrators already send
    "AUTO_REFRESH": False,
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "coordination.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "coordination.api.authentication.ApiClientScopes",  # ERP API clients: scopes
        "coordination.api.authentication.WritesNeedWriter",  # executives: API writes are 403
        "coordination.api.authentication.BodyIsParsed",  # any write: 415/400/413 for its body
    ],
    "DEFAULT_PARSER_CLASSES": ["coordination.api.parsers.JSONParser"],  # deep nesting: 400
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "coordination.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "coordination.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON", "60/min"),
        "user": os.environ.get("THROTTLE_USER", "600/min"),
        "login": os.environ.get("THROTTLE_LOGIN", "10/min"),
    },
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "coordination.api.throttling.UserRateThrottle",  # per user (not for ERP clients)
        "coordination.api.throttling.ApiClientRateThrottle",  # each ERP client its own rate
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,  # throttles: X-Forwarded-For only from trusted proxies
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Coordination Hub API",
    "DESCRIPTION": "REST API v1 for ERP integration and the browser (see API.md).",
    "VERSION": "1.0.0",
    "CONTACT": {"name": "PMO (项目管理办公室), the Coordination Hub's owner"},
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # tags start folded: with ~200 operations expanded, Swagger UI stopped after the fourth tag
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "docExpansion": "none", "filter": True},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "coordination.api.idempotency.postprocess_idempotency_header",
        "coordination.api.schema.postprocess_page_not_found",  # lists: 404 past the last page
        "coordination.api.schema.postprocess_local_time",  # "09:00:00": a pattern, not format
        "coordination.api.schema.postprocess_error_statuses",  # 400/401/403/404/412/413/415/429
        "coordination.api.schema.postprocess_integer_format",  # int64 where no format is given
        "coordination.api.schema.postprocess_tags",  # every tag used is declared
        "coordination.api.schema.postprocess_whole_array_bounds",  # maxItems of a bulk body
    ],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # One name per shared choice set, whatever the field is called (to, stage, department...).
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "projects.core.models.Stage",
        "DocumentCategoryEnum": "projects.documents.models.Category",
        "ComplaintCategoryEnum": "kpi.models.Complaint.Category",
        "RiskCategoryEnum": "projects.core.models.Risk.Category",
        "HandoverItemCategoryEnum": "handover.models.Category",
        "DepartmentEnum": "coordination.core.models.Department",
        "RootCauseEnum": "coordination.core.models.RootCause",
        "DecidingDepartmentEnum": ["business", "engineering", "finance"],  # no PMO
        "HandoverStatusEnum": "handover.models.Handover.Status",
        "HandoverItemStatusEnum": "handover.models.HandoverItem.Status",
        "ReviewKindEnum": "coordination.reviews.models.ReviewKind",
        "ReviewStatusEnum": "coordination.reviews.models.Review.Status",
        "ActionItemStatusEnum": "coordination.reviews.models.ActionItem.Status",
        "ReminderStatusEnum": "coordination.reviews.models.Reminder.Status",
        "ReminderKindEnum": "coordination.reviews.models.Reminder.Kind",
        "ReminderChannelEnum": "coordination.reviews.models.Reminder.Channel",
        "ComplaintSourceEnum": "kpi.models.Complaint.Source",
        "SurveySourceEnum": "kpi.models.SatisfactionSurvey.Source",
        "KpiSurveySourceEnum": ["all", "staff", "customer"],  # the KPI's `source=` filter
        "SurveyInvitationStatusEnum": "kpi.surveys.models.SurveyInvitation.Status",
        "TrainingSessionStatusEnum": "coordination.training.models.TrainingSession.Status",
        "TrainingMoveEnum": ["held", "cancelled"],  # PATCH's `status`: the two moves
        "RotationStatusEnum": "coordination.rotations.models.RotationStatus",
        "RotationSideEnum": "coordination.rotations.models.RotationApproval.Side",
        "RotationDecisionEnum": "coordination.rotations.models.RotationApproval.Decision",
    },
}

# Domain settings (DOMAIN.md): configurable thresholds.
PROMISE_GAP_MARGIN_FLOOR = float(os.environ.get("PROMISE_GAP_MARGIN_FLOOR", "0.10"))
CHANGE_REQUEST_FINANCE_THRESHOLD = os.environ.get("CHANGE_REQUEST_FINANCE_THRESHOLD", "100000")
# PMO's choice: may a change request's requester decide it for their own department?
CHANGE_REQUEST_REQUESTER_MAY_APPROVE = env_bool("CHANGE_REQUEST_REQUESTER_MAY_APPROVE", False)
HANDOVER_SLA_WORKING_DAYS = int(os.environ.get("HANDOVER_SLA_WORKING_DAYS", "5"))
# An approved change whose schedule impact reaches this many working days (either way), or
# whose cost impact reaches this amount, opens a new version of the collaboration commitment
# for signature (coordination/kickoff/renewal.py). The defaults: any impact at all, as the
# commitment's own text says ("任何变更须经双方审批并以新版本承诺书重新签署").
COMMITMENT_RENEWAL_DAYS = int(os.environ.get("COMMITMENT_RENEWAL_DAYS", "1"))
COMMITMENT_RENEWAL_COST = os.environ.get("COMMITMENT_RENEWAL_COST", "0.01")
# Webhook targets: hosts allowed even if they resolve to private/loopback addresses.
WEBHOOK_ALLOWED_HOSTS = env_list("WEBHOOK_ALLOWED_HOSTS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# How long a customer's satisfaction survey link stays open (kpi/surveys/, docs/kpi.md).
SURVEY_LINK_DAYS = int(os.environ.get("SURVEY_LINK_DAYS", "14"))
# Unknown survey links one address may open in an hour before it is asked to wait (429).
SURVEY_LINK_MISSES_PER_HOUR = int(os.environ.get("SURVEY_LINK_MISSES_PER_HOUR", "30"))
# Review loop and reminder outbox (coordination/reviews/reminders/).
# How long after posting the author may still edit a comment (docs/conversations.md).
COMMENT_EDIT_MINUTES = int(os.environ.get("COMMENT_EDIT_MINUTES", "15"))
REVIEW_REMINDER_LEAD_MINUTES = int(os.environ.get("REVIEW_REMINDER_LEAD_MINUTES", "30"))
ACTION_ITEM_ESCALATION_DAYS = int(os.environ.get("ACTION_ITEM_ESCALATION_DAYS", "3"))
REMINDER_SENDING_TIMEOUT_SECONDS = int(os.environ.get("REMINDER_SENDING_TIMEOUT_SECONDS", "300"))
REMINDER_MAX_ATTEMPTS = int(os.environ.get("REMINDER_MAX_ATTEMPTS", "5"))
REMINDER_BACKOFF_SECONDS = float(os.environ.get("REMINDER_BACKOFF_SECONDS", "60"))
# Both channel timeouts at most a quarter of REMINDER_SENDING_TIMEOUT_SECONDS (check reminders.E001)
CHAT_WEBHOOK_TIMEOUT = float(os.environ.get("CHAT_WEBHOOK_TIMEOUT", "10"))
CHAT_WEBHOOK_SECRET = os.environ.get("CHAT_WEBHOOK_SECRET", "")  # DingTalk robot signing secret
# Seconds between two polls of the live counts (the navigation's unread badge, the home page's
# counters; README "Why polling"): each poll costs the queries in docs/notifications-and-search.md
LIVE_POLL_SECONDS = int(os.environ.get("LIVE_POLL_SECONDS", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint tells each layout step at INFO: only its warnings are worth a log line
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# --- Chat platforms and single sign-on (docs/integrations.md) --------------------------------
# One block of its own: personal work notices on DingTalk / WeCom / Feishu. A platform is on
# when its app id and secret are set; secrets come only from the environment. The base URLs
# default to the platforms' public APIs (an on-premise gateway may stand in).
CHAT_PLATFORMS = {
    "dingtalk": {
        "app_id": os.environ.get("DINGTALK_APP_KEY", ""),
        "secret": os.environ.get("DINGTALK_APP_SECRET", ""),
        "agent_id": os.environ.get("DINGTALK_AGENT_ID", ""),
        "base_url": os.environ.get("DINGTALK_API_BASE", "https://oapi.dingtalk.com"),
    },
    "wecom": {
        "app_id": os.environ.get("WECOM_CORP_ID", ""),
        "secret": os.environ.get("WECOM_SECRET", ""),
        "agent_id": os.environ.get("WECOM_AGENT_ID", ""),
        "base_url": os.environ.get("WECOM_API_BASE", "https://qyapi.weixin.qq.com"),
    },
    "feishu": {
        "app_id": os.environ.get("FEISHU_APP_ID", ""),
        "secret": os.environ.get("FEISHU_APP_SECRET", ""),
        # card callbacks (/chat/callback/feishu/): the app's Encrypt Key and Verification Token
        "encrypt_key": os.environ.get("FEISHU_ENCRYPT_KEY", ""),
        "verification_token": os.environ.get("FEISHU_VERIFICATION_TOKEN", ""),
        "agent_id": "",
        "base_url": os.environ.get("FEISHU_API_BASE", "https://open.feishu.cn"),
    },
}
