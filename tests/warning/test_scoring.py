"""Retraining stores a model version per outcome and scores every open project; the API shows
it to those who may see the project."""

import datetime

import pytest
from rest_framework.test import APIClient

from coordination.devtools.history import seed_history
from projects.core.models import Project
from projects.warning import services
from projects.warning.models import EarlyWarning, WarningModel
from tests import factories

TODAY = datetime.date(2026, 6, 1)


@pytest.fixture
def trained(db):
    seed_history(today=TODAY, finished=60, open_=5, seed=7, log=lambda m: None)
    return services.retrain(TODAY)


def test_retraining_stores_one_version_per_outcome_with_its_metrics_and_window(trained):
    assert {m.outcome for m in trained} == {"late", "overrun"}
    for m in trained:
        assert m.algorithm in ("logistic", "lightgbm")
        assert m.metrics["chosen"] == m.algorithm
        assert m.finished_projects == 60
        assert m.window_start < m.window_end
    assert EarlyWarning.objects.count() == 5
    # a second run keeps the first version, inactive
    services.retrain(TODAY)
    assert WarningModel.objects.count() == 4
    assert WarningModel.objects.filter(is_active=True).count() == 2


def test_every_open_project_gets_probabilities_and_three_factors(trained):
    for w in EarlyWarning.objects.all():
        assert 0 <= w.slip_probability <= 1 and 0 <= w.overrun_probability <= 1
        assert 1 <= len(w.factors["late"]) <= 3


def test_fewer_than_30_finished_projects_train_nothing(db):
    seed_history(today=TODAY, finished=10, open_=2, seed=7, log=lambda m: None)
    assert services.retrain(TODAY) == []
    assert not EarlyWarning.objects.exists()


def test_the_api_gives_the_warning_to_who_may_see_the_project_only(trained):
    project = Project.objects.filter(early_warning__isnull=False).first()
    pmo = factories.pmo_user(username="pmo_w")
    client = APIClient()
    client.force_authenticate(pmo)
    r = client.get(f"/api/v1/projects/{project.code}/warning/")
    assert r.status_code == 200
    body = r.json()
    assert set(body) >= {"model_version", "slip_probability", "overrun_probability", "factors"}
    assert body["factors"] and set(body["factors"][0]) == {"feature", "label", "contribution"}
    outsider = factories.UserFactory(username="outsider_w")
    client.force_authenticate(outsider)
    assert client.get(f"/api/v1/projects/{project.code}/warning/").status_code == 404
    client.force_authenticate(None)
    assert client.get(f"/api/v1/projects/{project.code}/warning/").status_code in (401, 403)


def test_the_project_page_shows_the_probabilities_and_factors(trained, client):
    project = Project.objects.filter(early_warning__isnull=False).first()
    client.force_login(factories.pmo_user(username="pmo_page"))
    html = client.get(f"/projects/{project.code}/").content.decode()
    assert 'id="project-warning"' in html
    assert "延期概率" in html and "主要因素" in html


def test_the_pmo_page_shows_each_outcome_against_the_rules(trained, client):
    client.force_login(factories.pmo_user(username="pmo_models"))
    r = client.get("/warning/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "预警模型" in html and 'data-method="rules"' in html and "AUC" in html
    assert trained[0].version in html
    client.force_login(factories.UserFactory(username="plain_w"))
    assert client.get("/warning/").status_code == 403


def test_without_a_model_the_pmo_page_says_the_rules_stay(db, client):
    client.force_login(factories.pmo_user(username="pmo_none"))
    assert "少于30个" in client.get("/warning/").content.decode()
