"""Check the audit log's hash chain; exit 1 and name the first broken event if it is not
intact (for cron jobs and monitoring)."""

import sys

from django.core.management.base import BaseCommand

from assessments import audit
from assessments.models import AuditChainHead


class Command(BaseCommand):
    help = (
        "Verify the audit log: every event present, in order, linked to the previous one and "
        "unaltered. Prints 'OK <n> events' (exit 0) or 'BROKEN at event <seq>: <reason>' "
        "(stderr, exit 1)."
    )

    def handle(self, *args, **options):
        result = audit.verify()
        if not result.ok:
            self.stderr.write(f"BROKEN at event {result.broken_seq}: {result.reason}")
            sys.exit(1)
        self.stdout.write(f"OK {result.count} events")
        if options["verbosity"] >= 2:
            # Keep this somewhere else too: it pins the whole chain up to now.
            head = AuditChainHead.objects.filter(pk=audit.HEAD_PK).first()
            self.stdout.write(f"last hash {head.last_hash if head else audit.GENESIS}")
