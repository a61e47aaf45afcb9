"""Reads of complaints shared by the pages, the API and the reminders."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from kpi.models import Complaint
from projects.core.selectors import visible_projects


def visible_complaints(user) -> QuerySet[Complaint]:
    return Complaint.objects.select_related("project", "owner", "closed_by").filter(
        project__in=visible_projects(user)
    )


def overdue_complaints(today: datetime.date | None = None) -> QuerySet[Complaint]:
    """Assigned, unanswered, open complaints whose response deadline has passed."""
    today = today or timezone.localdate()
    return Complaint.objects.select_related("project", "owner").filter(
        owner__isnull=False,
        responded_on__isnull=True,
        closed_on__isnull=True,
        response_due__lt=today,
    )
