"""What a calendar feed shows, one source function per kind of event.

Each source takes the feed's `Scope` and returns `Event`s, in a constant number of queries
whatever the number of events. `SOURCES` lists them in order; the builder (ical.py) asks
each in turn. To show another kind of event, write one more function with the same signature
and append it to `SOURCES`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from coordination.core.workdays import WorkCalendar
from coordination.reviews.models import Review, ReviewCadence
from projects.core.models import Milestone, Project
from projects.core.selectors import my_project_ids, visible_projects
from projects.tasks.models import Task

UID_DOMAIN = "coordination-hub"
ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Scope:
    """Whose feed, and which days it covers (inclusive)."""

    start: datetime.date
    end: datetime.date
    today: datetime.date
    workcal: WorkCalendar
    user: object | None = None  # a user's feed
    project: Project | None = None  # a project's feed

    def projects(self) -> QuerySet:
        """The projects whose events the feed shows: the project, or those the user is a PM
        or member of and may still see."""
        if self.project is not None:
            return Project.objects.filter(pk=self.project.pk).values("pk")
        return visible_projects(self.user).filter(pk__in=my_project_ids(self.user)).values("pk")


@dataclass
class Event:
    uid: str
    summary: str
    start: datetime.datetime | datetime.date  # a date: an all-day event
    end: datetime.datetime | datetime.date  # exclusive, as iCalendar's DTEND
    description: str = ""
    url: str = ""
    cancelled: bool = False
    categories: list[str] = field(default_factory=list)


def _where(project: Project | None) -> str:
    return f"[{project.code}] " if project is not None else f"[{_('全公司')}] "


def _review_event(
    cadence: ReviewCadence, day: datetime.date, review: Review | None, texts: tuple[str, str]
) -> Event:
    starts = review.starts_at if review is not None else cadence.starts_at(day)
    summary, kind = texts
    return Event(
        # (cadence, date) is unique, so a computed occurrence and the meeting generated for
        # it later are one event to the calendar client.
        uid=f"review-{cadence.pk}-{day:%Y%m%d}@{UID_DOMAIN}",
        summary=summary,
        start=starts,
        end=starts + datetime.timedelta(minutes=cadence.duration_minutes),
        url=f"/reviews/{review.pk}/" if review is not None else "",
        cancelled=review is not None and review.status == Review.Status.CANCELLED,
        categories=[kind],
    )


def review_events(scope: Scope) -> Iterable[Event]:
    """Stand-ups, weekly meetings and retrospectives: the meetings already generated in the
    window, and from today on the occurrences the cadences will generate (the working
    calendar's rule, coordination.reviews.models.ReviewCadence.occurs_on). Two queries."""
    if scope.project is not None:
        cadences = ReviewCadence.objects.filter(project=scope.project)
    else:
        cadences = ReviewCadence.objects.filter(participants=scope.user).filter(
            Q(project__isnull=True) | Q(project__in=scope.projects())
        )
    cadences = list(cadences.select_related("project").distinct())
    reviews = Review.objects.filter(
        cadence__in=[c.pk for c in cadences], date__gte=scope.start, date__lte=scope.end
    )
    held: dict[int, dict[datetime.date, Review]] = {}
    for review in reviews:
        held.setdefault(review.cadence_id, {})[review.date] = review
    for cadence in cadences:
        kind = str(cadence.get_kind_display())
        texts = (_where(cadence.project) + (cadence.title or kind), kind)  # once per cadence
        generated = held.get(cadence.pk, {})
        for day, review in sorted(generated.items()):
            yield _review_event(cadence, day, review, texts)
        if not cadence.is_active:
            continue
        day = max(scope.today, scope.start)
        while day <= scope.end:
            if day not in generated and cadence.occurs_on(day, scope.workcal):
                yield _review_event(cadence, day, None, texts)
            day += ONE_DAY


def milestone_events(scope: Scope) -> Iterable[Event]:
    """The projects' milestones as all-day events on their forecast dates. One query."""
    milestones = (
        Milestone.objects.filter(project__in=scope.projects())
        .filter(forecast_date__gte=scope.start, forecast_date__lte=scope.end + MILESTONE_REACH)
        .select_related("project")
        .order_by("forecast_date", "pk")
    )
    for m in milestones:
        lines = [
            _("基线日期：%(date)s") % {"date": m.baseline_date.isoformat()},
            _("状态：%(status)s") % {"status": m.get_status_display()},
        ]
        yield Event(
            uid=f"milestone-{m.pk}@{UID_DOMAIN}",
            summary=_where(m.project) + _("里程碑：%(name)s") % {"name": m.name},
            start=m.forecast_date,
            end=m.forecast_date + ONE_DAY,
            description="\n".join(lines),
            url=f"/projects/{m.project.code}/",
            cancelled=m.status == Milestone.Status.CANCELLED,
            categories=[str(_("里程碑"))],
        )


# Milestones are months apart: the feed shows them further ahead than meetings.
MILESTONE_REACH = datetime.timedelta(days=640)


def task_events(scope: Scope) -> Iterable[Event]:
    """Open tasks as all-day events on their forecast finish (their planned finish when no
    forecast): a user's feed shows the tasks they own, a project's feed every task of the
    project. Summary tasks (with subtasks) are left out: their children are the work. One
    query."""
    tasks = Task.objects.filter(project__in=scope.projects(), children__isnull=True).exclude(
        status__in=[Task.Status.DONE, Task.Status.CANCELLED]
    )
    if scope.project is None:
        tasks = tasks.filter(owner=scope.user)
    tasks = (
        tasks.annotate(due=Coalesce("forecast_finish", "planned_finish"))
        .filter(due__gte=scope.start, due__lte=scope.end)
        .select_related("project")
        .order_by("due", "pk")
    )
    for task in tasks:
        due = task.due
        lines = [
            _("计划完成：%(date)s") % {"date": task.planned_finish.isoformat()},
            _("状态：%(status)s") % {"status": task.get_status_display()},
            _("进度：%(progress)s%%") % {"progress": task.progress},
        ]
        yield Event(
            uid=f"task-{task.pk}@{UID_DOMAIN}",
            summary=_where(task.project) + _("任务到期：%(title)s") % {"title": task.title},
            start=due,
            end=due + ONE_DAY,
            description="\n".join(lines),
            url=f"/tasks/{task.pk}/",
            categories=[str(_("任务"))],
        )


# Every source of a feed, in order.
SOURCES: list[Callable[[Scope], Iterable[Event]]] = [review_events, milestone_events, task_events]
