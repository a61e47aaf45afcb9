"""Every room's demo seeder, in the order they run."""

from collections.abc import Callable

from coordination.devtools.demo import (
    base,
    changes,
    conversations,
    documents,
    handover,
    integration,
    kickoff,
    kpi,
    lessons,
    notifications,
    payments,
    presales,
    reviews,
    rotations,
    tasks,
    team,
    training,
)
from coordination.devtools.demo.context import DemoContext


def seeders() -> list[Callable[[DemoContext], None]]:
    """Every room's seeder, in the order they run (later ones build on earlier data)."""
    return [
        base.seed_base,
        team.seed_team,
        presales.seed_presales,
        handover.seed_handover,
        changes.seed_changes,
        tasks.seed_tasks,
        documents.seed_documents,
        payments.seed_payments,
        kickoff.seed_kickoff,
        reviews.seed_reviews,
        lessons.seed_lessons,
        training.seed_training,
        rotations.seed_rotations,
        kpi.seed_kpi,
        conversations.seed_conversations,
        integration.seed_integration,
        notifications.seed_notification_history,  # last: the inboxes after the history
    ]
