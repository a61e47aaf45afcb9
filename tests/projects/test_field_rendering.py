"""The shared field rendering (templates/projects/_field.html with
templates/includes/field_errors.html): an invalid field says so to assistive technology."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string

from projects.core.forms import ProjectForm
from tests import factories

pytestmark = pytest.mark.django_db


class _Elements(HTMLParser):
    """Every element's attributes, and the text under each id."""

    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.text_by_id: dict[str, str] = {}
        self._open: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs))
        if tag in {"input", "br", "img", "hr", "meta", "link"}:
            return
        self._open.append(attrs.get("id"))
        if attrs.get("id"):
            self.text_by_id[attrs["id"]] = ""

    def handle_endtag(self, tag):
        if self._open and tag not in {"input", "br", "img", "hr", "meta", "link"}:
            self._open.pop()

    def handle_data(self, data):
        for open_id in self._open:
            if open_id:
                self.text_by_id[open_id] += data


def _render(form, name: str) -> _Elements:
    parsed = _Elements()
    parsed.feed(render_to_string("projects/_field.html", {"field": form[name]}))
    return parsed


def _bad_dates_form() -> ProjectForm:
    form = ProjectForm(
        data={
            "name": "新建风电场",
            "customer": factories.CustomerFactory().pk,
            "business_pm": factories.business_user().pk,
            "engineering_pm": factories.engineering_user().pk,
            "primary_owner": "business",
            "contract_value": "2500000.00",
            "currency": "CNY",
            "planned_start": "2026-12-31",
            "planned_end": "2026-01-01",
        }
    )
    assert not form.is_valid()
    return form


def test_an_invalid_field_is_marked_and_described_by_its_message():
    form = _bad_dates_form()
    parsed = _render(form, "planned_end")
    (widget,) = [attrs for tag, attrs in parsed.elements if attrs.get("name") == "planned_end"]
    assert widget["aria-invalid"] == "true"
    described = widget["aria-describedby"].split()
    assert described, widget
    for element_id in described:  # every id it names is on the page
        assert element_id in parsed.text_by_id, (element_id, parsed.text_by_id)
    messages = " ".join(parsed.text_by_id[i] for i in described)
    assert "计划完成日期不能早于计划开始日期" in messages


def test_a_valid_field_is_not_marked_invalid_and_its_help_text_is_linked():
    form = _bad_dates_form()
    for name in form.fields:
        if name in form.errors:
            continue
        parsed = _render(form, name)
        for _tag, attrs in parsed.elements:
            assert "aria-invalid" not in attrs, (name, attrs)
            for element_id in attrs.get("aria-describedby", "").split():
                assert element_id in parsed.text_by_id, (name, element_id)


def test_non_field_errors_are_an_alert():
    form = _bad_dates_form()
    form.add_error(None, "该客户已有同名项目。")
    html = render_to_string("projects/_form_errors.html", {"form": form})
    assert 'role="alert"' in html and "该客户已有同名项目。" in html


def test_an_invalid_group_of_checkboxes_is_a_fieldset_marked_and_described_by_its_message():
    from projects.changes.forms import ChangeRequestForm
    from tests.changes import factories as cr

    c = cr.cast()
    form = ChangeRequestForm(
        data={"title": "增加一条成品输送线", "affected_milestones": ["999999"]}, project=c.project
    )
    assert not form.is_valid() and "affected_milestones" in form.errors
    parsed = _render(form, "affected_milestones")
    (group,) = [attrs for tag, attrs in parsed.elements if tag == "fieldset"]
    assert group["aria-invalid"] == "true"
    described = group["aria-describedby"].split()
    assert described == ["id_affected_milestones_error"], group
    assert parsed.text_by_id["id_affected_milestones_error"].strip()
    assert any(tag == "legend" for tag, _attrs in parsed.elements)
    assert not any(tag == "label" and attrs.get("for") == "" for tag, attrs in parsed.elements)
    boxes = [attrs for tag, attrs in parsed.elements if attrs.get("type") == "checkbox"]
    assert len(boxes) == 2 and all(b["aria-invalid"] == "true" for b in boxes)
