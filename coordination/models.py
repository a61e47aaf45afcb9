"""The coordination app's models, room by room: Django finds an app's models here. Code imports
each model from its room, never from this face."""

from coordination.core.models import AuditEvent, Notification, Profile, Sequence
from coordination.integration.models import (
    ApiClient,
    ApiClientToken,
    IdempotencyRecord,
    WebhookDelivery,
    WebhookEndpoint,
)
from coordination.kickoff.models import (
    CollaborationCommitment,
    KickoffAttendee,
    KickoffMeeting,
    ResponsibilityAssignment,
    Signature,
)
from coordination.reviews.models import (
    ActionItem,
    JobRotation,
    Reminder,
    Review,
    ReviewAttendance,
    ReviewCadence,
)

__all__ = [
    "Profile",
    "AuditEvent",
    "Notification",
    "Sequence",
    "ApiClient",
    "ApiClientToken",
    "WebhookEndpoint",
    "WebhookDelivery",
    "IdempotencyRecord",
    "KickoffMeeting",
    "KickoffAttendee",
    "ResponsibilityAssignment",
    "CollaborationCommitment",
    "Signature",
    "ReviewCadence",
    "Review",
    "ReviewAttendance",
    "ActionItem",
    "Reminder",
    "JobRotation",
]
