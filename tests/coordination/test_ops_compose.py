"""docker-compose.yml: the right services, images, healthchecks, and the runner's commands."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from coordination.devtools.runner import BEAT_ARGS, GUNICORN_ARGS, MIGRATE_ARGS, WORKER_ARGS

BASE_DIR = Path(__file__).resolve().parents[2]
COMPOSE = BASE_DIR / "docker-compose.yml"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def test_services_and_images(compose):
    services = compose["services"]
    assert {"web", "worker", "beat", "postgres", "redis", "migrate"} <= set(services)
    assert services["postgres"]["image"].split(":")[1].startswith("15")
    assert services["redis"]["image"].split(":")[1].startswith("7")
    for name in ("web", "worker", "beat", "postgres", "redis"):
        assert services[name].get("healthcheck", {}).get("test"), name


def test_commands_are_the_ones_make_run_uses(compose):
    services = compose["services"]
    assert services["worker"]["command"] == WORKER_ARGS
    assert services["beat"]["command"] == BEAT_ARGS
    assert services["web"]["command"] == GUNICORN_ARGS
    assert services["migrate"]["command"] == MIGRATE_ARGS
    makefile = (BASE_DIR / "Makefile").read_text(encoding="utf-8")
    assert "coordination.devtools run" in makefile  # which runs coordination.devtools.runner.run()


def test_app_services_wait_for_healthy_dependencies_and_migrations(compose):
    services = compose["services"]
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_production_environment(compose):
    env = compose["services"]["web"]["environment"]
    assert env["DEBUG"] == "0"
    assert env["DATABASE_URL"].startswith("postgres://")
    assert "@postgres:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:6379")
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")  # no default secret, ever
    for key in ("ALLOWED_HOSTS", "COMMITMENT_SIGNING_KEY", "EMAIL_HOST"):
        assert key in env
    for name in ("worker", "beat", "migrate"):
        assert compose["services"][name]["environment"] == env


def test_dockerfile():
    text = (BASE_DIR / "Dockerfile").read_text(encoding="utf-8")
    assert text.splitlines()[1].startswith("FROM python:3.11-slim")
    assert "collectstatic --noinput" in text
    assert "\nUSER app" in text
    assert "pyproject.toml" in text
    ignore = (BASE_DIR / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", "var"} <= set(ignore)


def test_compose_file_matches_the_compose_specification():
    tool = shutil.which("check-jsonschema") or str(
        Path(__import__("sys").executable).parent / "check-jsonschema"
    )
    if not Path(tool).exists():
        pytest.skip("check-jsonschema is not installed")
    result = subprocess.run(
        [tool, "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
