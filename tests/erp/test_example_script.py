"""docs/examples/erp_sync.py works against a running server (live_server), as documented."""

import hashlib
import hmac
import importlib.util
from pathlib import Path

import pytest

from coordination.integration import services as integration
from coordination.integration.models import ApiScope
from projects.core.models import Customer, Project
from tests.erp.conftest import PROJECT_BODY

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "examples" / "erp_sync.py"


def _load():
    spec = importlib.util.spec_from_file_location("erp_sync", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_help(capsys):
    with pytest.raises(SystemExit) as done:
        _load().main(["--help"])
    assert done.value.code == 0
    assert "Idempotency-Key" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_sync_and_bulk_against_a_live_server(live_server, erp_refs, capsys):
    _client, key = integration.create_api_client(
        name="demo",
        scopes=[ApiScope.READ, ApiScope.WRITE_CUSTOMERS, ApiScope.WRITE_PROJECTS],
    )
    script = _load()
    common = ["--base-url", live_server.url, "--token", key]
    pms = ["--business-pm", "biz_pm", "--engineering-pm", "eng_pm"]
    assert script.main([*common, "sync", *pms]) == 0
    assert Customer.objects.filter(erp_id="C-DEMO-1").exists()
    project = Project.objects.get(erp_id="P-DEMO-1")
    assert project.code in capsys.readouterr().out

    assert script.main([*common, "bulk", "--rows", "2", "--idempotency-key", "k1", *pms]) == 0
    assert script.main([*common, "bulk", "--rows", "2", "--idempotency-key", "k1", *pms]) == 0
    assert Project.objects.filter(erp_id__startswith="P-BULK-").count() == 2

    assert script.main([*common, "sync", "--business-pm", "nobody", *pms[2:]]) == 1
    assert "business_pm" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_changed_since_follows_next_and_misses_nothing(live_server, erp_refs):
    _client, key = integration.create_api_client(
        name="demo", scopes=[ApiScope.READ, ApiScope.WRITE_PROJECTS]
    )
    hub = _load().Hub(live_server.url, key)
    erp_ids = [f"P-{i}" for i in range(5)]
    for erp_id in erp_ids:
        assert hub.upsert_project(erp_id, PROJECT_BODY)[0] == 201

    rows = hub.changed_since("/api/v1/projects/", "2000-01-01T00:00:00Z", page_size=2)
    first_page = [next(rows), next(rows)]
    renamed = {**PROJECT_BODY, "name": "南京地铁车辆段（二期）"}
    assert hub.upsert_project(first_page[0]["erp_id"], renamed)[0] == 200  # already read
    rest = list(rows)  # pages 2, 3 and 4, following `next`

    seen = [row["erp_id"] for row in first_page + rest]
    assert [row["erp_id"] for row in first_page] == erp_ids[:2]  # oldest change first
    assert set(seen) == set(erp_ids)
    assert seen.count(erp_ids[0]) == 2 and rest[-1]["name"] == renamed["name"]


def test_verify(tmp_path, capsys):
    body = b'{"event":"project.upserted"}'
    (tmp_path / "body.json").write_bytes(body)
    good = "sha256=" + hmac.new(b"s", body, hashlib.sha256).hexdigest()
    script = _load()
    args = ["verify", "--secret", "s", "--body-file", str(tmp_path / "body.json")]
    assert script.main([*args, "--signature", good]) == 0
    assert script.main([*args, "--signature", "sha256=00"]) == 1
