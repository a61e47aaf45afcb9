"""Reads of the survey links: a project's links with their status (never a token)."""

from __future__ import annotations

from django.db.models import QuerySet

from kpi.surveys.models import SurveyInvitation


def project_invitations(project, limit: int = 50) -> list[SurveyInvitation]:
    """The project's links, newest first, with who sent them and the survey each produced."""
    return list(
        SurveyInvitation.objects.filter(project=project).select_related(
            "project", "created_by", "survey"
        )[:limit]
    )


def invitations_for(projects: QuerySet) -> QuerySet[SurveyInvitation]:
    return SurveyInvitation.objects.filter(project__in=projects).select_related(
        "project", "created_by", "revoked_by", "survey"
    )
