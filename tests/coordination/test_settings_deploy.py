"""Settings come from the environment; production variables give a clean `check --deploy`."""

import json
import secrets
import subprocess

from django.conf import settings

from tests.coordination.ops_helpers import BASE_DIR, PYTHON, clean_env

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "hub.example.com",
    "DATABASE_URL": "postgres://hub:pw@db.example.com:5432/hub",
    "REDIS_URL": "redis://cache.example.com:6379/0",
}

DUMP = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'debug': s.DEBUG, 'engine': s.DATABASES['default']['ENGINE'], "
    "'db_name': str(s.DATABASES['default']['NAME']), 'broker': s.CELERY_BROKER_URL, "
    "'cache': s.CACHES['default']['BACKEND'], 'hosts': s.ALLOWED_HOSTS, "
    "'signing': s.COMMITMENT_SIGNING_KEY, 'secret': s.SECRET_KEY, "
    "'signing_fallbacks': s.COMMITMENT_SIGNING_KEY_FALLBACKS, 'email': s.EMAIL_BACKEND, "
    "'email_host': s.EMAIL_HOST, 'email_port': s.EMAIL_PORT, 'ssl': s.SECURE_SSL_REDIRECT, "
    "'lang': s.LANGUAGE_CODE, 'tz': s.TIME_ZONE, 'use_tz': s.USE_TZ}))"
)


def run(args, env, **kw):
    return subprocess.run(
        [PYTHON, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120, **kw
    )


def dump(env) -> dict:
    result = run(["-c", DUMP], {**env, "DJANGO_SETTINGS_MODULE": "coordination.settings"})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_is_clean_with_production_variables(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        clean_env(tmp_path, **PRODUCTION),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout + result.stderr


def test_check_deploy_fails_on_a_weak_secret_key(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        clean_env(tmp_path, **{**PRODUCTION, "SECRET_KEY": "short"}),
    )
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_production_refuses_to_start_without_secret_key(tmp_path):
    env = clean_env(tmp_path, **{k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"})
    result = run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_variables_are_used(tmp_path):
    values = dump(
        clean_env(
            tmp_path,
            **PRODUCTION,
            COMMITMENT_SIGNING_KEY="sign-new",
            COMMITMENT_SIGNING_KEY_FALLBACKS="sign-old1,sign-old2",
            EMAIL_HOST="smtp.example.com",
            EMAIL_PORT="587",
        )
    )
    assert values["debug"] is False
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["db_name"] == "hub"
    assert values["broker"] == PRODUCTION["REDIS_URL"]
    assert values["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert values["hosts"] == ["hub.example.com"]
    assert values["signing"] == "sign-new"
    assert values["signing_fallbacks"] == ["sign-old1", "sign-old2"]
    assert values["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (values["email_host"], values["email_port"]) == ("smtp.example.com", 587)
    assert values["ssl"] is True


def test_empty_signing_key_falls_back_to_secret_key(tmp_path):
    values = dump(clean_env(tmp_path, **PRODUCTION, COMMITMENT_SIGNING_KEY=""))
    assert values["signing"] == PRODUCTION["SECRET_KEY"]


def test_make_run_defaults_sqlite_and_embedded_broker_under_var_dir(tmp_path):
    values = dump(clean_env(tmp_path, DEBUG="1"))
    assert values["debug"] is True
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["db_name"] == str(tmp_path / "coordination.sqlite3")
    assert values["broker"] == f"sqla+sqlite:///{tmp_path / 'celery-broker.sqlite3'}"
    assert values["email"] == "django.core.mail.backends.console.EmailBackend"
    assert values["ssl"] is False
    assert "127.0.0.1" in values["hosts"]


def test_language_and_time_zone_defaults():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "en" in dict(settings.LANGUAGES)
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
