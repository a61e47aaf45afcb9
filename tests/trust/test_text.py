"""Messages joined once: no "。；", one ending, the reader's punctuation."""

from django.utils import translation

from coordination.core.text import join_messages, with_items


def test_messages_are_joined_with_one_punctuation():
    with translation.override("zh-hans"):
        assert join_messages(["缺少A。", "缺少B；", ""]) == "缺少A；缺少B。"
        assert with_items("无法签约。", ["缺少A。"]) == "无法签约：缺少A。"
        assert with_items("无法签约。", []) == "无法签约。"
    with translation.override("en"):
        assert join_messages(["A is missing.", "B is missing"]) == "A is missing; B is missing."
        assert with_items("Cannot sign.", ["A."]) == "Cannot sign: A."


def test_project_form_names_the_field_not_the_constraint(db):
    from projects.core.forms import ProjectForm

    form = ProjectForm(data={"planned_start": "2026-06-01", "planned_end": "2026-05-01"})
    assert not form.is_valid()
    text = str(form.errors)
    assert "project_planned_end_after_start" not in text
    assert "planned_end" in form.errors
