from django.core.management.base import BaseCommand

from coordination.beat import sync_beat_schedule


class Command(BaseCommand):
    help = (
        "Write coordination/schedules.py's beat schedule as django_celery_beat rows (idempotent)."
    )

    def handle(self, *args, **options):
        names = sync_beat_schedule()
        self.stdout.write(f"synchronised {len(names)} periodic tasks")
