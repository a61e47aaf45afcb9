"""Reads of the lessons library shared by the pages, the API and the kickoff panel."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, When

from coordination.core.queries import per_row
from coordination.lessons.models import Lesson, LessonPhase
from coordination.reviews.models import ActionItem

# The phases a project at kickoff still has ahead of it.
AHEAD_AT_KICKOFF = [LessonPhase.KICKOFF, LessonPhase.EXECUTION, LessonPhase.DELIVERY]


def lessons(
    *,
    search: str = "",
    phase: str = "",
    discipline: str = "",
    cause: str = "",
    customer_type: str = "",
) -> QuerySet[Lesson]:
    """The library: every lesson (promoting an entry publishes it company-wide), newest first,
    with its project and its improvement actions counted (constant queries)."""
    items = ActionItem.objects.all()
    qs = Lesson.objects.select_related("project", "promoted_by", "review").annotate(
        action_count=per_row(items, "lesson", Count("pk")),
        open_action_count=per_row(
            items.filter(status=ActionItem.Status.OPEN), "lesson", Count("pk")
        ),
    )
    if search:
        qs = qs.filter(
            Q(title__icontains=search)
            | Q(text__icontains=search)
            | Q(customer_type__icontains=search)
            | Q(project__code__icontains=search)
            | Q(project__name__icontains=search)
        )
    for name, value in (
        ("phase", phase),
        ("discipline", discipline),
        ("cause", cause),
        ("customer_type", customer_type),
    ):
        if value:
            qs = qs.filter(**{name: value})
    return qs.order_by("-created_at", "-id")


def customer_types() -> list[str]:
    """The customer types already used (the form's suggestions)."""
    return list(
        Lesson.objects.exclude(customer_type="")
        .order_by("customer_type")
        .values_list("customer_type", flat=True)
        .distinct()[:50]
    )


def similar_lessons(project, limit: int = 5) -> list[Lesson]:
    """The lessons a project's kickoff should see: from other projects alike in at least one
    way, and from company-wide retrospectives, ranked by likeness: the same customer (3), both
    key projects (2), a contract of comparable size (half to twice, 1), a company lesson (1),
    then a phase still ahead (kickoff, execution, delivery: 1), then the newest. One query."""
    # a lesson of a company-wide or department retrospective concerns every project
    score = Case(When(project__isnull=True, then=1), default=0, output_field=IntegerField())
    if project.customer_id:
        score = score + Case(
            When(project__customer_id=project.customer_id, then=3),
            default=0,
            output_field=IntegerField(),
        )
    if project.is_key_project:
        score = score + Case(
            When(project__is_key_project=True, then=2), default=0, output_field=IntegerField()
        )
    value = project.contract_value or Decimal(0)
    if value > 0:
        score = score + Case(
            When(
                project__contract_value__gte=value / 2,
                project__contract_value__lte=value * 2,
                then=1,
            ),
            default=0,
            output_field=IntegerField(),
        )
    ahead = Case(When(phase__in=AHEAD_AT_KICKOFF, then=1), default=0, output_field=IntegerField())
    return list(
        Lesson.objects.select_related("project")
        .exclude(project=project)
        .annotate(alike=score)
        .filter(alike__gt=0)
        .annotate(likeness=F("alike") + ahead)
        .order_by("-likeness", "-created_at", "-id")[:limit]
    )


def lesson_actions(lesson: Lesson) -> list[ActionItem]:
    return list(lesson.action_items.select_related("owner").order_by("due_date", "id"))
