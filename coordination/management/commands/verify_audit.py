"""`manage.py verify_audit`: recompute the audit trail's hash chain (coordination.core.audit_chain).

Prints OK with the number of events, the last id and the chain's head hash (note it somewhere
outside the database: given back with --anchor it shows a rewrite of the whole tail), or fails
naming the first broken link: its id and what broke."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from coordination.core.audit_chain import verify_chain
from coordination.core.models import AuditEvent


def _anchor(text: str) -> tuple[int, str]:
    event_id, _sep, digest = text.partition(":")
    if not event_id.isdigit() or len(digest) != 64:
        raise CommandError(f"--anchor takes ID:HASH (a 64-hex-digit hash), not {text!r}")
    return int(event_id), digest.lower()


class Command(BaseCommand):
    help = "Check the audit trail's hash chain: OK, or the first broken link (id, what broke)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="ID:HASH",
            help="a head reported earlier: event ID must still have HASH (repeatable)",
        )

    def handle(self, *args, anchor, **options):
        report = verify_chain(AuditEvent, anchors=dict(_anchor(a) for a in anchor))
        if not report.ok:
            raise CommandError(
                f"BROKEN id={report.broken_id} what={report.what}: {report.message} "
                + _("（此前 %(n)s 条完好）") % {"n": report.checked}
            )
        self.stdout.write(
            f"OK events={report.checked} last_id={report.last_id or '-'} head={report.head}: "
            + _("审计链完整。")
        )
