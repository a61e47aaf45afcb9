"""`manage.py seed_demo`: load the demo data of every app (idempotent)."""

import datetime
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from coordination.devtools.demo import DemoContext
from coordination.devtools.demo.seeders import seeders


class Command(BaseCommand):
    help = "Load demo users and projects (idempotent). Refused when DEBUG is off unless --force."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="seed even though DEBUG is off (production!)"
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="reference date for the demo timeline (YYYY-MM-DD; default: today)",
        )

    def handle(self, *args, force=False, today=None, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo refuses to run with DEBUG off: demo users have a published password. "
                "Use --force if you really mean it."
            )
        ctx = DemoContext(
            today=today or timezone.localdate(), log=lambda msg: self.stdout.write(f"  {msg}")
        )
        # Demo notifications stay in memory: no mail to anyone while seeding.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            self._seed(ctx)
        self.stdout.write(self.style.SUCCESS(f"demo data ready: {len(ctx.projects)} projects"))

    def _seed(self, ctx: DemoContext) -> None:
        for func in seeders():
            name = f"{func.__module__}.{func.__name__}"
            self.stdout.write(f"seeding {name}")
            started = time.monotonic()
            with transaction.atomic():
                func(ctx)
            self.stdout.write(f"  ({time.monotonic() - started:.1f}s)")
