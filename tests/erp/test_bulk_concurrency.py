"""Concurrent bulk upserts of the same new ERP ids (real transactions, threads): each project
is created once, with one code, one audit event and one webhook; the other requests find
it through the insert-race fallback (the per-row path) and answer `unchanged`."""

import pytest

from coordination.core.models import AuditEvent, Sequence
from coordination.integration.models import ApiScope, WebhookDelivery
from projects.core.models import Project
from tests.erp.conftest import PROJECT_BODY, token_client
from tests.erp.test_concurrency import _together

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_batches_with_the_same_new_rows_create_each_once(
    make_api_client, erp_refs, endpoint, receiver
):
    endpoint()
    _client, key, _api = make_api_client(
        scopes=[ApiScope.READ, ApiScope.WRITE_PROJECTS], throttle_rate="1000/min"
    )
    rows = [{**PROJECT_BODY, "erp_id": f"P-{i}"} for i in range(30)]

    def post():
        response = token_client(key).post("/api/v1/erp/projects/bulk/", rows, format="json")
        assert response.status_code == 200, response.content[:300]
        return [(r["status"], r["code"]) for r in response.json()]

    answers = _together(4, post)
    assert all(isinstance(a, list) for a in answers), answers
    for i in range(30):
        statuses = sorted(answer[i][0] for answer in answers)
        assert statuses == ["created", "unchanged", "unchanged", "unchanged"], (i, statuses)
        assert len({answer[i][1] for answer in answers}) == 1  # the same code everywhere
    assert Project.objects.filter(erp_id__startswith="P-").count() == 30
    assert AuditEvent.objects.filter(action="project.upserted").count() == 30
    assert WebhookDelivery.objects.count() == 30
    codes = sorted(int(c.rsplit("-", 1)[1]) for c in Project.objects.values_list("code", flat=True))
    assert Sequence.objects.get(name__startswith="project-").value == codes[-1]
