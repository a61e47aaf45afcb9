"""The coordination app's admin, room by room: each room registers its own models."""

from coordination.calendars import admin as calendars_admin
from coordination.chat import admin as chat_admin
from coordination.conversations import admin as conversations_admin
from coordination.core import admin as core_admin
from coordination.core.tokens import admin as tokens_admin
from coordination.integration import admin as integration_admin
from coordination.kickoff import admin as kickoff_admin
from coordination.lessons import admin as lessons_admin
from coordination.reviews import admin as reviews_admin
from coordination.rotations import admin as rotations_admin
from coordination.training import admin as training_admin

__all__ = [
    "calendars_admin",
    "chat_admin",
    "conversations_admin",
    "core_admin",
    "integration_admin",
    "kickoff_admin",
    "lessons_admin",
    "reviews_admin",
    "rotations_admin",
    "tokens_admin",
    "training_admin",
]
