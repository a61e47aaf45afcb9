"""Reads shared by the handover pages, the API, tasks and the KPI app.

Measures:
- lead time: contract signed → handover accepted, in calendar days;
- first-pass acceptance: accepted items that were never rejected / items reviewed (accepted, or
  rejected at least once, whatever their status now): a rejection lowers it at once, before
  the item is provided again;
- rejections per item category;
- overdue handovers: past their SLA due date and not accepted.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from coordination.core.queries import per_row
from handover.models import Category, Handover, HandoverItem
from projects.core.selectors import visible_projects


def visible_handovers(user) -> QuerySet[Handover]:
    return Handover.objects.filter(project__in=visible_projects(user))


def visible_items(user) -> QuerySet[HandoverItem]:
    return HandoverItem.objects.filter(handover__project__in=visible_projects(user))


def with_progress(qs: QuerySet[Handover], today: datetime.date | None = None) -> QuerySet[Handover]:
    """Annotate item counts and the overdue flag (one query for the whole list)."""
    today = today or timezone.localdate()
    items, required = HandoverItem.objects.all(), HandoverItem.objects.filter(required=True)
    done = [HandoverItem.Status.PROVIDED, HandoverItem.Status.ACCEPTED]
    return qs.annotate(
        items_total=per_row(items, "handover", Count("pk")),
        required_total=per_row(required, "handover", Count("pk")),
        required_accepted=per_row(
            required.filter(status=HandoverItem.Status.ACCEPTED), "handover", Count("pk")
        ),
        required_provided=per_row(required.filter(status__in=done), "handover", Count("pk")),
        rejections=per_row(items, "handover", Sum("rejection_count")),
        is_overdue=Case(
            When(
                Q(due_date__lt=today) & ~Q(status=Handover.Status.ACCEPTED),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def handover_list(
    user, *, overdue: bool | None = None, status: str = "", today: datetime.date | None = None
) -> QuerySet[Handover]:
    """The list page: every handover the user may see, with progress; constant queries."""
    qs = with_progress(
        visible_handovers(user).select_related(
            "project", "project__customer", "project__business_pm", "project__engineering_pm"
        ),
        today,
    )
    if overdue is True:
        qs = qs.filter(is_overdue=True)
    elif overdue is False:
        qs = qs.filter(is_overdue=False)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-is_overdue", "due_date", "id")


def handover_detail(project) -> Handover | None:
    """A project's handover with its items and their people (three queries)."""
    items = HandoverItem.objects.select_related(
        "provided_by", "reviewed_by", "evidence_version"
    ).order_by("order", "id")
    return (
        with_progress(Handover.objects.filter(project=project))
        .select_related("project")
        .prefetch_related(Prefetch("items", queryset=items))
        .first()
    )


def is_overdue(handover: Handover, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return handover.status != Handover.Status.ACCEPTED and handover.due_date < today


def lead_time_days(handover: Handover) -> int | None:
    """Contract signed → accepted, in days (None while not accepted)."""
    if handover.accepted_at is None:
        return None
    start = handover.project.contract_signed_on or timezone.localdate(handover.created_at)
    return (timezone.localdate(handover.accepted_at) - start).days


@dataclass
class Measures:
    handovers: int = 0
    accepted: int = 0
    overdue: int = 0
    average_lead_time_days: float | None = None
    items_accepted: int = 0
    items_accepted_first_pass: int = 0
    items_reviewed: int = 0
    first_pass_rate: float | None = None
    rejections_by_category: dict[str, int] = field(default_factory=dict)

    @property
    def total_rejections(self) -> int:
        return sum(self.rejections_by_category.values())

    @property
    def rejection_rows(self) -> list[tuple[str, int]]:
        """(category label, rejections) for display, every category listed."""
        return [(Category(k).label, n) for k, n in self.rejections_by_category.items()]

    @property
    def first_pass_percent(self) -> float | None:
        return None if self.first_pass_rate is None else round(self.first_pass_rate * 100, 1)


def rejections_by_category(items: QuerySet[HandoverItem]) -> dict[str, int]:
    """Rejection count per item category, every category present (0 when none)."""
    rows = items.values("category").annotate(n=Sum("rejection_count")).order_by()
    counts = {row["category"]: row["n"] or 0 for row in rows}
    return {c.value: counts.get(c.value, 0) for c in Category}


def first_pass(items: QuerySet[HandoverItem]) -> tuple[int, int, int]:
    """(items accepted without any rejection, items reviewed, items accepted).

    Reviewed: accepted, or rejected at least once (rejected now, or provided again after a
    rejection): a rejected item counts against the rate from the moment it is rejected."""
    reviewed = Q(status=HandoverItem.Status.ACCEPTED) | Q(rejection_count__gt=0)
    agg = items.aggregate(
        reviewed=Count("id", filter=reviewed),
        accepted=Count("id", filter=Q(status=HandoverItem.Status.ACCEPTED)),
        first=Count("id", filter=Q(status=HandoverItem.Status.ACCEPTED, rejection_count=0)),
    )
    return agg["first"], agg["reviewed"], agg["accepted"]


def measures(handovers: QuerySet[Handover], today: datetime.date | None = None) -> Measures:
    """KPI measures over a set of handovers (three aggregate queries whatever its size)."""
    today = today or timezone.localdate()
    result = Measures()
    accepted = Q(status=Handover.Status.ACCEPTED)
    # contract signed (else the handover's creation) → accepted, in whole local days
    lead = ExpressionWrapper(
        TruncDate("accepted_at") - Coalesce("project__contract_signed_on", TruncDate("created_at")),
        output_field=DurationField(),
    )
    with_lead = accepted & Q(accepted_at__isnull=False)
    row = handovers.order_by().aggregate(
        handovers=Count("pk"),
        accepted=Count("pk", filter=accepted),
        overdue=Count("pk", filter=~accepted & Q(due_date__lt=today)),
        lead_count=Count("pk", filter=with_lead),
        lead_total=Sum(lead, filter=with_lead),
    )
    result.handovers, result.accepted, result.overdue = (
        row["handovers"],
        row["accepted"],
        row["overdue"],
    )
    if row["lead_count"]:
        result.average_lead_time_days = round(row["lead_total"].days / row["lead_count"], 1)
    items = HandoverItem.objects.filter(handover__in=handovers.order_by().values("pk"))
    first, result.items_reviewed, result.items_accepted = first_pass(items)
    result.items_accepted_first_pass = first
    if result.items_reviewed:
        result.first_pass_rate = round(first / result.items_reviewed, 4)
    result.rejections_by_category = rejections_by_category(items)
    return result
