"""The admin stays usable at 100k projects: no page lists a large table.

A relation to a large model (every model but the few configuration tables in SMALL_MODELS) must
be searched (autocomplete_fields) or typed (raw_id_fields) in every admin and inline form, must
not be a list filter (RelatedFieldListFilter renders one link per row), and a relation shown in
a changelist column is fetched with the rows (list_select_related). Walks admin.site._registry,
so a new admin is covered without being named here.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteMixin, RelatedFieldWidgetWrapper
from django.contrib.auth import get_user_model
from django.core import checks
from django.db import models
from django.forms import ModelChoiceField, Select, SelectMultiple
from django.test import RequestFactory

# Configuration tables that stay small whatever the number of projects: a select is fine.
SMALL_MODELS = {
    "coordination.TrainingTopic",  # PMO's list of training topics
    "auth.Group",
    "auth.Permission",
    "contenttypes.ContentType",
    "django_celery_beat.ClockedSchedule",
    "django_celery_beat.CrontabSchedule",
    "django_celery_beat.IntervalSchedule",
    "django_celery_beat.PeriodicTask",
    "django_celery_beat.SolarSchedule",
    "coordination.ApiClient",
    "coordination.WebhookEndpoint",
    "handover.HandoverTemplate",
    "kpi.KpiDefinition",
    "kpi.Scorecard",
}

# Large tables whose changelist must not count twice (the second count is the "show all" one).
COUNTED_ONCE = {
    "coordination.AuditEvent",
    "coordination.Reminder",
    "kpi.KpiSnapshot",
    "projects.Milestone",
}


def _large(model) -> bool:
    return model._meta.label not in SMALL_MODELS


def _plain_select(widget) -> bool:
    if isinstance(widget, RelatedFieldWidgetWrapper):
        widget = widget.widget
    return isinstance(widget, (Select, SelectMultiple)) and not isinstance(
        widget, AutocompleteMixin
    )


def _selects_of_large_models(form_class, parent_fk=None) -> list[str]:
    return [
        f"{name} -> {field.queryset.model._meta.label}"
        for name, field in form_class.base_fields.items()
        if name != parent_fk  # an inline's link to its parent is a hidden input
        and isinstance(field, ModelChoiceField)
        and _large(field.queryset.model)
        and _plain_select(field.widget)
    ]


def _forms(model_admin, request):
    """Every form the admin renders: add and change, with every inline."""
    model = model_admin.model
    for change, obj in ((False, None), (True, model())):
        if change and not model_admin.has_change_permission(request, obj):
            continue
        if not change and not model_admin.has_add_permission(request):
            continue
        kind = "change" if change else "add"
        yield (
            f"{model._meta.label} {kind}",
            model_admin.get_form(request, obj, change=change),
            None,
        )
        for inline in model_admin.get_inline_instances(request, obj):
            formset = inline.get_formset(request, obj)
            where = f"{model._meta.label} {kind} inline {inline.model._meta.label}"
            yield where, formset.form, formset.fk.name


@pytest.fixture
def superuser_request(db):
    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.create_superuser("scale_admin", "s@example.com", "pw")
    return request


def test_no_admin_form_renders_a_select_of_a_large_table(superuser_request):
    offenders = []
    for model_admin in admin.site._registry.values():
        for where, form_class, parent_fk in _forms(model_admin, superuser_request):
            offenders += [
                f"{where}: {field}" for field in _selects_of_large_models(form_class, parent_fk)
            ]
    assert not offenders, (
        "Use autocomplete_fields (or raw_id_fields) for relations to large tables:\n"
        + "\n".join(offenders)
    )


def _relation_filters(model_admin):
    model = model_admin.model
    for item in model_admin.list_filter:
        path = item[0] if isinstance(item, (list, tuple)) else item
        if not isinstance(path, str):
            continue  # a SimpleListFilter: its lookups are its own business
        target, field = model, None
        for part in path.split("__"):
            try:
                field = target._meta.get_field(part)
            except Exception:
                field = None
                break
            if field.is_relation:
                target = field.related_model
        if field is not None and field.is_relation:
            yield path, field.related_model


def test_no_list_filter_lists_a_large_table():
    offenders = [
        f"{model_admin.model._meta.label}.list_filter {path} -> {target._meta.label}"
        for model_admin in admin.site._registry.values()
        for path, target in _relation_filters(model_admin)
        if _large(target)
    ]
    assert not offenders, "A list filter on a large table renders every row:\n" + "\n".join(
        offenders
    )


def test_changelist_columns_fetch_their_relations_with_the_rows():
    offenders = []
    for model_admin in admin.site._registry.values():
        model = model_admin.model
        if model._meta.app_label not in {"coordination", "projects", "handover", "kpi"}:
            continue
        related = model_admin.list_select_related
        for name in model_admin.list_display:
            try:
                field = model._meta.get_field(name)
            except Exception:
                continue
            if not (field.many_to_one or field.one_to_one):
                continue
            if related is True or any(
                path == name or path.startswith(f"{name}__") for path in related or ()
            ):
                continue
            offenders.append(f"{model._meta.label}.{name}")
    assert not offenders, "Add to list_select_related (one query per row otherwise):\n" + (
        "\n".join(offenders)
    )


def test_large_changelists_count_once():
    for label in COUNTED_ONCE:
        model_admin = admin.site._registry[apps.get_model(label)]
        assert model_admin.show_full_result_count is False, label


def test_admin_checks_pass():
    """Autocomplete targets are registered and searchable (admin.E039/E040)."""
    errors = [e for e in checks.run_checks(tags=[checks.Tags.admin]) if e.is_serious()]
    assert not errors, errors


def test_small_models_are_really_small_tables():
    """Guard the allow-list: none of them is a per-project table."""
    from projects.core.models import Project

    for label in SMALL_MODELS:
        model = apps.get_model(label)
        assert not any(
            isinstance(f, models.ForeignKey) and f.related_model is Project
            for f in model._meta.get_fields()
        ), label


def test_autocomplete_keeps_the_target_view_permission(db, client):
    """The kickoff meeting's milestone search answers only those who may view milestones."""
    from django.contrib.auth.models import Permission

    from tests.factories import MilestoneFactory

    milestone = MilestoneFactory()
    url = (
        "/admin/autocomplete/?app_label=coordination&model_name=kickoffmeeting"
        f"&field_name=milestones&term={milestone.project.code}"
    )
    staff = get_user_model().objects.create_user("scale_staff", "t@example.com", "pw")
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(
        Permission.objects.get(codename="change_kickoffmeeting"),
        Permission.objects.get(codename="add_kickoffmeeting"),
    )
    client.force_login(staff)
    assert client.get(url).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_milestone"))
    staff = get_user_model().objects.get(pk=staff.pk)  # drop the permission cache
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(milestone.pk)]


@pytest.mark.parametrize("max_values", [400, 1])  # 1: the walk gives way to Django's query
def test_index_walk_gives_django_s_dates_and_datetimes(db, monkeypatch, max_values):
    """date_hierarchy's drill-down values are Django's own, in the current time zone."""
    import datetime

    from django.utils import timezone

    from coordination.core import admin_scale
    from coordination.core.models import AuditEvent
    from tests.factories import MilestoneFactory

    monkeypatch.setattr(admin_scale, "MAX_VALUES", max_values)
    tz = timezone.get_current_timezone()
    for when in [
        datetime.datetime(2025, 12, 31, 23, 30, tzinfo=tz),  # the last minutes of a year
        datetime.datetime(2026, 1, 1, 0, 0, tzinfo=tz),
        datetime.datetime(2026, 1, 31, 16, 30, tzinfo=datetime.UTC),  # Feb 1st in Shanghai
        datetime.datetime(2026, 3, 5, 12, 0, tzinfo=tz),
    ]:
        event = AuditEvent.objects.create(action="test.scale", target_type="t", target_id="1")
        AuditEvent.objects.filter(pk=event.pk).update(created_at=when)
    for day in ["2025-12-31", "2026-01-01", "2026-01-31", "2026-03-05", "2026-03-05"]:
        MilestoneFactory(baseline_date=datetime.date.fromisoformat(day))

    for model, field, method in [
        (AuditEvent, "created_at", "datetimes"),
        (MilestoneFactory._meta.model, "baseline_date", "dates"),
    ]:
        django_qs = model.objects.all()
        walk_qs = admin_scale.with_indexed_dates(django_qs)
        assert isinstance(walk_qs, type(django_qs))
        for kind in ["year", "month", "day"]:
            for order in ["ASC", "DESC"]:
                expected = list(getattr(django_qs, method)(field, kind, order))
                assert list(getattr(walk_qs, method)(field, kind, order)) == expected
                narrowed = {f"{field}__year": 2026}
                expected = list(getattr(django_qs.filter(**narrowed), method)(field, kind, order))
                got = list(getattr(walk_qs.filter(**narrowed), method)(field, kind, order))
                assert got == expected, (model, kind, order)


def test_indexed_values_filter_offers_every_period(db, client):
    from kpi.models import KpiDefinition, KpiSnapshot

    kpi = KpiDefinition.objects.order_by("pk").first() or KpiDefinition.objects.create(
        code="scale_test",
        name_zh="t",
        name_en="t",
        direction=KpiDefinition._meta.get_field("direction").choices[0][0],
        target=0,
    )
    for period in ["2026-01", "2026-03", "2026-03", "2026-02"]:
        KpiSnapshot.objects.get_or_create(
            kpi=kpi,
            scope_type=KpiSnapshot._meta.get_field("scope_type").choices[0][0],
            scope_key="",
            period=period,
            defaults={"computed_at": "2026-04-01T00:00:00Z"},
        )
    user = get_user_model().objects.create_superuser("scale_su", "su@example.com", "pw")
    client.force_login(user)
    page = client.get("/admin/kpi/kpisnapshot/")
    assert page.status_code == 200
    html = page.content.decode()
    for period in ["2026-01", "2026-02", "2026-03"]:
        assert f"period={period}" in html
    filtered = client.get("/admin/kpi/kpisnapshot/?period=2026-03")
    assert filtered.status_code == 200
    assert filtered.context["cl"].result_count == 1


def test_audit_trail_filters_offer_every_action_and_target_type(db, client):
    from coordination.core.models import AuditEvent

    for action, target_type in [("b.two", "Risk"), ("a.one", "Project"), ("b.two", "Project")]:
        AuditEvent.objects.create(action=action, target_type=target_type, target_id="1")
    client.force_login(get_user_model().objects.create_superuser("scale_au", "au@x.com", "pw"))
    html = client.get("/admin/coordination/auditevent/").content.decode()
    for link in ["action=a.one", "action=b.two", "target_type=Project", "target_type=Risk"]:
        assert link in html
    page = client.get("/admin/coordination/auditevent/?action=b.two")
    assert page.context["cl"].result_count == 2
