"""The set-based bulk path writes what the per-row path writes (audit events, event payloads),
and hands a row the model refuses to the per-row path, which reports full_clean's errors."""

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from coordination.core.models import AuditEvent
from projects.core.models import Project
from tests import factories
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db
BULK = "/api/v1/erp/projects/bulk/"


@pytest.fixture
def body(db):
    for erp_id in ("CUST-1", "CUST-2"):
        factories.CustomerFactory(erp_id=erp_id)
    for name in ("biz_pm", "biz_pm2"):
        factories.business_user(username=name)
    factories.engineering_user(username="eng_pm")
    return {
        "name": "南京地铁车辆段",
        "customer_erp_id": "CUST-1",
        "contract_value": "8800000.5",
        "planned_start": "2026-04-01",
        "planned_end": "2027-03-31",
        "business_pm": "biz_pm",
        "engineering_pm": "eng_pm",
        "is_key_project": True,
    }


def _audits(erp_id: str) -> list:
    """The project's audit events, its code and ERP id written as CODE and ERP."""
    project = Project.objects.get(erp_id=erp_id)

    def same(value):
        if isinstance(value, dict):
            return {k: same(v) for k, v in value.items()}
        if isinstance(value, str):
            return value.replace(project.code, "CODE").replace(erp_id, "ERP")
        return value

    events = AuditEvent.objects.filter(target_type="projects.project", target_id=str(project.pk))
    fields = ["action", "actor_id", "actor_label", "target_repr", "project_code", "before"]
    return [
        [same(getattr(e, f)) for f in [*fields, "after", "reason"]] for e in events.order_by("pk")
    ]


def test_audit_events_are_those_of_the_per_row_path(body):
    client = client_for(factories.pmo_user())
    change = {
        "name": "改名",
        "customer_erp_id": "CUST-2",
        "business_pm": "biz_pm2",
        "contract_value": "1.00",
        "planned_start": None,
        "primary_owner": "engineering",
    }
    for version in (body, {**body, **change}):
        assert client.put("/api/v1/erp/projects/ONE/", version, format="json").status_code < 300
        response = client.post(BULK, [{**version, "erp_id": "MANY"}], format="json")
        assert response.json()[0]["status"] in ("created", "updated")
    many = _audits("MANY")
    assert len(many) == 2 and many[1][5]["business_pm"] == "biz_pm"  # before: the username
    assert many == _audits("ONE")


def test_a_row_the_model_refuses_gets_full_cleans_errors(body, monkeypatch):
    field = Project._meta.get_field("name")
    refuse = RegexValidator(r"^坏", inverse_match=True, message="名称不合规。")
    monkeypatch.setattr(field, "validators", [*field.validators, refuse])
    with pytest.raises(ValidationError):
        field.clean("坏名字", None)
    pmo = client_for(factories.pmo_user())
    response = pmo.post(
        BULK,
        [{**body, "erp_id": "OK"}, {**body, "erp_id": "BAD", "name": "坏名字"}],
        format="json",
    )
    results = response.json()
    assert [r["status"] for r in results] == ["created", "error"]
    assert results[1]["errors"] == {"name": ["名称不合规。"]}
    assert not Project.objects.filter(erp_id="BAD").exists()
