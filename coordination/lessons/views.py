"""HTML pages of the lessons library (namespace 'lessons'): the library, a lesson's page, the
promotion of a retrospective entry, and two htmx panels (a review's entries, a kickoff's
lessons of similar projects). Writes call coordination.lessons.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordination.core.exceptions import Conflict
from coordination.core.forms import apply_errors
from coordination.lessons import selectors, services
from coordination.lessons.forms import (
    ImprovementActionForm,
    LessonFilterForm,
    LessonForm,
    PromoteForm,
)
from coordination.lessons.models import Lesson
from coordination.reviews import selectors as review_selectors
from coordination.reviews.services import RETRO_FIELDS
from projects.core.selectors import visible_projects
from projects.core.team import people

PAGE = 100
FIELD_LABELS = dict(Lesson.Kind.choices)


def _owners():
    return people().order_by("last_name", "first_name", "username")


@login_required
def library(request):
    form = LessonFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = list(
        selectors.lessons(
            search=filters.get("q", ""),
            phase=filters.get("phase", ""),
            discipline=filters.get("discipline", ""),
            cause=filters.get("cause", ""),
            customer_type=filters.get("customer_type", ""),
        )[:PAGE]
    )
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(
        request,
        "coordination/lessons/library.html",
        {"form": form, "lessons": rows, "customer_types": selectors.customer_types()},
        status=status,
    )


def _lesson_page(request, lesson, *, form=None, action_form=None, status=200):
    visible = (
        lesson.project_id is not None
        and visible_projects(request.user).filter(pk=lesson.project_id).exists()
    )
    can_edit = services.can_edit_lesson(request.user, lesson)
    return render(
        request,
        "coordination/lessons/detail.html",
        {
            "lesson": lesson,
            "project_visible": visible,
            "can_edit": can_edit,
            "can_spawn": services.can_spawn_action(request.user, lesson),
            "form": form
            or LessonForm(
                initial={
                    name: getattr(lesson, name)
                    for name in ("title", "text", "phase", "discipline", "customer_type", "cause")
                }
            ),
            "action_form": action_form or ImprovementActionForm(owners=_owners()),
            "actions": selectors.lesson_actions(lesson),
            "customer_types": selectors.customer_types(),
        },
        status=status,
    )


@login_required
def detail(request, pk: int):
    lesson = get_object_or_404(Lesson.objects.select_related("project", "review"), pk=pk)
    if request.method == "POST":
        form = LessonForm(request.POST)
        if form.is_valid():
            try:
                services.update_lesson(lesson.pk, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("经验教训已保存。"))
                return redirect("lessons:detail", pk=lesson.pk)
        return _lesson_page(request, lesson, form=form, status=400)
    return _lesson_page(request, lesson)


@login_required
@require_POST
def spawn_action(request, pk: int):
    lesson = get_object_or_404(Lesson.objects.select_related("project"), pk=pk)
    form = ImprovementActionForm(request.POST, owners=_owners())
    if form.is_valid():
        try:
            services.spawn_action(lesson.pk, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("改进措施已创建，负责人会收到通知。"))
            return redirect("lessons:detail", pk=lesson.pk)
    return _lesson_page(request, lesson, action_form=form, status=400)


def _entries(review, promoted: dict) -> list[dict]:
    return [
        {
            "field": field,
            "label": FIELD_LABELS[field],
            "index": index,
            "text": entry.get("text", ""),
            "tag": entry.get("tag", ""),
            "lesson": promoted.get((field, index)),
        }
        for field in RETRO_FIELDS
        for index, entry in enumerate(getattr(review, field) or [])
    ]


def _review_panel(request, review, *, failed: PromoteForm | None = None, status: int = 200):
    promoted = {
        (lesson.source_field, lesson.source_index): lesson
        for lesson in Lesson.objects.filter(review=review)
    }
    entries = _entries(review, promoted)
    for entry in entries:
        is_failed = (
            failed is not None
            and failed.data.get("field") == entry["field"]
            and str(failed.data.get("index")) == str(entry["index"])
        )
        entry["form"] = (
            failed
            if is_failed
            else PromoteForm(
                initial={"field": entry["field"], "index": entry["index"]},
                prefix=f"{entry['field']}-{entry['index']}",
            )
        )
        entry["open"] = is_failed
    return render(
        request,
        "coordination/lessons/_review_panel.html",
        {
            "review": review,
            "entries": entries,
            "can_promote": services.can_promote(request.user, review),
            "customer_types": selectors.customer_types(),
        },
        status=status,
    )


@login_required
def review_panel(request, review_id: int):
    review = get_object_or_404(review_selectors.visible_reviews(request.user), pk=review_id)
    return _review_panel(request, review)


@login_required
@require_POST
def promote(request, review_id: int):
    review = get_object_or_404(review_selectors.visible_reviews(request.user), pk=review_id)
    prefix = request.POST.get("prefix", "")
    form = PromoteForm(request.POST, prefix=prefix or None)
    htmx = bool(request.headers.get("HX-Request"))
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            lesson = services.promote_entry(
                review.pk, by=request.user, field=data.pop("field"), index=data.pop("index"), **data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.detail)
        else:
            if htmx:  # the panel swapped in says so; a message would show on the next page
                return _review_panel(request, review)
            messages.success(request, _("已整理为经验教训：%(title)s") % {"title": lesson.title})
            return redirect("reviews:detail", pk=review.pk)
    if not services.can_promote(request.user, review):
        raise PermissionDenied
    return _review_panel(request, review, failed=form, status=200 if htmx else 400)


@login_required
def kickoff_panel(request, code: str):
    """Lessons of similar projects, shown on the kickoff page (htmx)."""
    project = get_object_or_404(visible_projects(request.user), code=code)
    return render(
        request,
        "coordination/lessons/_kickoff_panel.html",
        {"project": project, "lessons": selectors.similar_lessons(project)},
    )
