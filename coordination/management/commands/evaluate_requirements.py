"""`manage.py evaluate_requirements`: the requirement parser on the labelled set's held-out
part (docs/requirements.md)."""

from django.core.management.base import BaseCommand

from projects.requirements.evaluation import evaluate


class Command(BaseCommand):
    help = (
        "Precision, recall and F1 per field of the requirement parser on the held-out part of "
        "projects/requirements/data/labelled.jsonl (the classifier trains on the rest)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--misses", action="store_true", help="list every miss")

    def handle(self, *args, misses=False, **options):
        scores, training, held_out, missed = evaluate()
        self.stdout.write(
            f"labelled sentences: {training + held_out} (training {training}, held out {held_out})"
        )
        self.stdout.write(f"{'field':<14}{'precision':>10}{'recall':>8}{'F1':>7}{'support':>9}")
        for s in scores:
            self.stdout.write(
                f"{s.field:<14}{s.precision:>10.2f}{s.recall:>8.2f}{s.f1:>7.2f}{s.support:>9}"
            )
        if misses:
            for field, text, want, got in missed:
                self.stdout.write(
                    f"- {field}: {text}\n    expected {sorted(want)}, found {sorted(got)}"
                )
