"""Reads of training shared by the pages, the API and the demo: the session lists, one
session with its people and materials, a person's record and PMO's coverage grid. Each is a
fixed number of queries whatever the number of rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone, translation

from coordination.core.models import Department
from coordination.training.models import (
    TrainingAttendance,
    TrainingMaterial,
    TrainingMaterialVersion,
    TrainingSession,
    TrainingTopic,
)
from projects.core.team import people

User = get_user_model()

UPCOMING, PAST = "upcoming", "past"
HELD = TrainingSession.Status.HELD


def topics(*, active_only: bool = True) -> QuerySet[TrainingTopic]:
    qs = TrainingTopic.objects.all()
    return qs.filter(active=True) if active_only else qs


def audience_people(departments: Iterable[str]) -> QuerySet:
    """Everyone of these departments: active people, never an API client's account."""
    return people().filter(profile__department__in=list(departments))


def sessions(
    viewer=None, *, when: str = "", topic: int | None = None, department: str = ""
) -> QuerySet[TrainingSession]:
    """Sessions with their topic, trainer, audience and counts (invited, attended, feedback
    average), and whether `viewer` is on each. `when`: upcoming (not yet started, or still
    waiting to be marked held; soonest first), past (the rest, latest first), "" every
    session latest first."""
    attended = Q(attendances__attended=True)
    qs = (
        TrainingSession.objects.select_related("topic", "trainer", "created_by")
        .prefetch_related("audiences")
        .annotate(
            invited_count=Count("attendances", filter=Q(attendances__invited=True), distinct=True),
            attended_count=Count("attendances", filter=attended, distinct=True),
            average_score=Avg("attendances__score", filter=attended),
        )
    )
    if viewer is not None and viewer.is_authenticated:
        mine = TrainingAttendance.objects.filter(session=OuterRef("pk"), user=viewer)
        qs = qs.annotate(is_mine=Exists(mine))
    if topic:
        qs = qs.filter(topic_id=topic)
    if department:
        qs = qs.filter(audiences__department=department)
    upcoming = Q(status=TrainingSession.Status.SCHEDULED) | Q(starts_at__gte=timezone.now())
    if when == UPCOMING:
        return qs.filter(upcoming).order_by("starts_at", "id")
    if when == PAST:
        return qs.exclude(upcoming).order_by("-starts_at", "-id")
    return qs.order_by("-starts_at", "-id")


def session_detail(pk: int) -> TrainingSession:
    """One session with its attendance (people and their profiles) and its materials with
    every version; DoesNotExist otherwise."""
    rows = TrainingAttendance.objects.select_related("user", "user__profile").order_by(
        "user__last_name", "user__first_name", "user__username"
    )
    versions = TrainingMaterialVersion.objects.select_related("uploaded_by").order_by("-version")
    materials = TrainingMaterial.objects.prefetch_related(
        Prefetch("versions", queryset=versions)
    ).order_by("id")
    return (
        sessions()
        .prefetch_related(
            Prefetch("attendances", queryset=rows), Prefetch("materials", queryset=materials)
        )
        .get(pk=pk)
    )


def attendance_of(session: TrainingSession, user) -> TrainingAttendance | None:
    """`user`'s row on a session read by session_detail (no query)."""
    return next((a for a in session.attendances.all() if a.user_id == user.pk), None)


def audience_of(session: TrainingSession) -> list[str]:
    """The session's departments in Department order (no query after sessions())."""
    chosen = {a.department for a in session.audiences.all()}
    return [d for d in Department.values if d in chosen]


def visible_versions() -> QuerySet[TrainingMaterialVersion]:
    """Every signed-in person sees every session, so every material version."""
    return TrainingMaterialVersion.objects.select_related("material__session")


# ---------------------------------------------------------------- a person's record


@dataclass
class PersonRecord:
    person: object
    year: int | None
    rows: list = field(default_factory=list)  # every attendance row, latest session first
    sessions_attended: int = 0
    minutes: int = 0
    topics: list = field(default_factory=list)  # names of the topics attended
    feedback_given: int = 0

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def person_record(person, *, year: int | None = None) -> PersonRecord:
    """Everything `person` was invited to or attended (in `year` if given), and the totals
    of what counts: held sessions they attended, their hours and topics, feedback given."""
    rows = TrainingAttendance.objects.filter(user=person).select_related(
        "session__topic", "session__trainer"
    )
    if year:
        rows = rows.filter(session__starts_at__year=year)
    rows = list(rows.order_by("-session__starts_at", "-session_id"))
    record = PersonRecord(person=person, year=year, rows=rows)
    language = translation.get_language() or ""
    seen = []
    for row in rows:
        if row.attended and row.session.status == HELD:
            record.sessions_attended += 1
            record.minutes += row.session.duration_minutes
            name = row.session.topic.label(language)
            if name not in seen:
                seen.append(name)
        if row.score is not None:
            record.feedback_given += 1
    record.topics = seen
    return record


# ---------------------------------------------------------------- PMO's coverage


@dataclass
class CoverageCell:
    reached: int
    headcount: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.reached / self.headcount, 1) if self.headcount else None


def coverage(year: int) -> dict:
    """For each department × topic: how many of the department's active people attended at
    least one held session of the topic in `year`, out of how many people the department has
    now. Topics: the active ones and any with a held session that year. Three queries.

    {"year", "topics": [TrainingTopic], "rows": [{"department", "label", "headcount",
    "any": CoverageCell, "cells": [CoverageCell per topic]}]}"""
    held = TrainingSession.objects.filter(status=HELD, starts_at__year=year)
    shown = list(
        TrainingTopic.objects.filter(Q(active=True) | Q(sessions__in=held))
        .distinct()
        .order_by("order", "name")
    )
    headcount = dict(
        people()
        .values_list("profile__department")
        .annotate(n=Count("pk"))
        .values_list("profile__department", "n")
    )
    attended = TrainingAttendance.objects.filter(attended=True, session__in=held, user__in=people())
    reached = {
        (dept, topic): n
        for dept, topic, n in attended.values_list("user__profile__department", "session__topic")
        .annotate(n=Count("user", distinct=True))
        .values_list("user__profile__department", "session__topic", "n")
    }
    # anyone of the department reached by any topic: a separate count (one person, two topics)
    for dept, n in (
        attended.values_list("user__profile__department")
        .annotate(n=Count("user", distinct=True))
        .values_list("user__profile__department", "n")
    ):
        reached[(dept, None)] = n
    rows = []
    for dept, label in Department.choices:
        total = headcount.get(dept, 0)
        rows.append(
            {
                "department": dept,
                "label": label,
                "headcount": total,
                "any": CoverageCell(reached.get((dept, None), 0), total),
                "cells": [CoverageCell(reached.get((dept, t.pk), 0), total) for t in shown],
            }
        )
    return {"year": year, "topics": shown, "rows": rows}


def years_with_sessions() -> list[int]:
    """The years that have a session, latest first, this year always among them."""
    found = {d.year for d in TrainingSession.objects.datetimes("starts_at", "year")}
    found.add(timezone.localdate().year)
    return sorted(found, reverse=True)
