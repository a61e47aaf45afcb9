"""The projects app's models, room by room: Django finds an app's models here. Code imports each
model from its room, never from this face."""

from projects.changes.models import ChangeDecision, ChangeRequest, MilestoneChange
from projects.core.models import (
    Customer,
    Milestone,
    Project,
    ProjectMembership,
    Risk,
    StageTransition,
)
from projects.presales.models import FeasibilityAssessment, Quote

__all__ = [
    "Customer",
    "Project",
    "ProjectMembership",
    "Milestone",
    "Risk",
    "StageTransition",
    "ChangeRequest",
    "ChangeDecision",
    "MilestoneChange",
    "FeasibilityAssessment",
    "Quote",
]
