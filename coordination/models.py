"""The coordination app's models, room by room: Django finds an app's models here. Code imports
each model from its room, never from this face."""

from coordination.calendars import models as calendars
from coordination.chat import models as chat
from coordination.conversations import models as conversations
from coordination.core import models as core
from coordination.core.tokens import models as tokens
from coordination.integration import models as integration
from coordination.kickoff import models as kickoff
from coordination.lessons import models as lessons
from coordination.reviews import models as reviews
from coordination.rotations import models as rotations
from coordination.training import models as training

__all__ = [
    "calendars",
    "chat",
    "conversations",
    "core",
    "integration",
    "kickoff",
    "lessons",
    "reviews",
    "rotations",
    "tokens",
    "training",
]
