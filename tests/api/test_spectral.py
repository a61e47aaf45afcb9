"""`make lint` runs Spectral (spectral:oas + the OWASP API ruleset, .spectral.yaml) on the schema:
it finds no error today, and one string without a limit in a request body is an error."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SPECTRAL = ROOT / ".ci/spectral/node_modules/.bin/spectral"


def _lint(schema: dict, name: str) -> subprocess.CompletedProcess:
    path = ROOT / "var" / name  # .spectral.yaml's overrides name var/openapi*.yaml
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump(schema, allow_unicode=True, sort_keys=False))
    try:
        return subprocess.run(
            [str(SPECTRAL), "lint", str(path), "--ruleset", ".spectral.yaml", "-q", "-D"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        path.unlink()


@pytest.mark.skipif(
    not SPECTRAL.exists() or not shutil.which("node"), reason="make spectral-deps first"
)
def test_spectral_finds_no_error_and_fails_on_a_new_one():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    clean = _lint(schema, "openapi-test-clean.yaml")
    assert clean.returncode == 0, clean.stdout + clean.stderr

    schema["components"]["schemas"]["CustomerRequest"]["properties"]["notes"].pop("maxLength")
    broken = _lint(schema, "openapi-test-broken.yaml")
    assert broken.returncode == 1
    assert "owasp:api4:2023-string-limit" in broken.stdout
    assert "CustomerRequest.properties.notes" in broken.stdout
