"""`manage.py seed_perf --scale N`: deterministic scale data for the benchmarks (bench/).

PostgreSQL only; set-based SQL (INSERT … SELECT generate_series), one transaction, then
VACUUM ANALYZE. Refuses a database that already holds perf data (use a fresh database) and, like
seed_demo, refuses to run with DEBUG off unless --force.
"""

import datetime
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from coordination.devtools import perfdata


class Command(BaseCommand):
    help = "Seed N perf projects with their milestones, reviews, reminders and KPI facts."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=10000, help="number of projects")
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="reference date of the timeline (YYYY-MM-DD; default: today)",
        )
        parser.add_argument(
            "--force", action="store_true", help="seed even though DEBUG is off (never production)"
        )
        parser.add_argument("--no-analyze", action="store_true", help="skip VACUUM ANALYZE")

    def handle(self, *args, scale, today, force, no_analyze, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                f"seed_perf needs PostgreSQL (set DATABASE_URL); this database is "
                f"{connection.vendor}."
            )
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_perf refuses to run with DEBUG off: it adds tens of thousands of fake "
                "projects. Use --force on a benchmark database if you really mean it."
            )
        if scale < 1:
            raise CommandError("--scale must be at least 1")
        if perfdata.already_seeded():
            raise CommandError(
                "perf data is already present in this database (projects PERF-…); seed_perf "
                "runs once per database. Use a fresh database (createdb + migrate)."
            )
        plan = perfdata.Plan(
            scale=scale,
            today=today or timezone.localdate(),
            log=lambda msg: self.stdout.write(f"  {msg}"),
        )
        self.stdout.write(f"seeding {scale:,} projects (reference date {plan.today})")
        started = time.monotonic()
        with transaction.atomic():
            perfdata.seed(plan)
        if not no_analyze:
            t = time.monotonic()
            perfdata.analyze()
            took = time.monotonic() - t
            self.stdout.write(f"  {'VACUUM ANALYZE':<16} {'':>10}       {took:6.1f}s")
        total = sum(plan.counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"perf data ready: {total:,} rows in {time.monotonic() - started:.1f}s"
            )
        )
