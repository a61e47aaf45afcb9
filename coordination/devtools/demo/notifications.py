"""Demo inboxes as a real history leaves them: the seeders replay months of work in one
run, so every notification of that history would still be unread. People read theirs as
they go: each demo user keeps only the newest KEEP_UNREAD unread, the rest are marked read
through the service the inbox uses (coordination.core.services.mark_notifications_read)."""

from __future__ import annotations

from coordination.core import services
from coordination.core.models import Notification
from coordination.devtools.demo.context import DemoContext

KEEP_UNREAD = 12


def seed_notification_history(ctx: DemoContext) -> None:
    for user in ctx.users.values():
        older = list(
            Notification.objects.filter(user=user, read_at__isnull=True)
            .order_by("-created_at", "-id")
            .values_list("pk", flat=True)[KEEP_UNREAD:]
        )
        if older:
            services.mark_notifications_read(user, ids=older)
