"""The projects app's models, room by room: Django finds an app's models here. Code imports
each model from its room, never from this face."""

from projects.changes import models as changes
from projects.core import models as core
from projects.documents import models as documents
from projects.payments import models as payments
from projects.presales import models as presales
from projects.tasks import models as tasks
from projects.warning import models as warning

__all__ = ["changes", "core", "documents", "payments", "presales", "tasks", "warning"]
