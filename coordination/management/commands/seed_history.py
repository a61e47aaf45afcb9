"""`manage.py seed_history`: synthetic finished projects for the early-warning model."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from coordination.devtools.history import seed_history


class Command(BaseCommand):
    help = "Create a few hundred synthetic finished projects (HIS-…) for the early-warning model."

    def add_arguments(self, parser):
        parser.add_argument("--finished", type=int, default=300)
        parser.add_argument("--open", type=int, default=40, dest="open_")
        parser.add_argument("--seed", type=int, default=21)
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None)
        parser.add_argument("--force", action="store_true", help="run even though DEBUG is off")

    def handle(self, *args, finished, open_, seed, today, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_history refuses to run with DEBUG off; use --force.")
        seed_history(
            today=today or timezone.localdate(),
            finished=finished,
            open_=open_,
            seed=seed,
            log=lambda msg: self.stdout.write(f"  {msg}"),
        )
