"""Check the audit log's hash chain; exit 1 and name the first broken event if it is not
intact (for cron jobs and monitoring)."""

import sys

from django.core.management.base import BaseCommand, CommandError

from assessments import audit, signature_check
from assessments.models import AuditChainHead


class Command(BaseCommand):
    help = (
        "Verify the audit log: every event present, in order, linked to the previous one and "
        "unaltered, and every signature's meaning texts as its event pinned them. Prints "
        "'OK <n> events' (exit 0) or 'BROKEN at event <seq>: <reason>' "
        "(stderr, exit 1)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--expect-head",
            metavar="SEQ:HASH",
            help=(
                "A head recorded elsewhere (the security log's audit_chain_head lines): fail "
                "unless the chain still holds event SEQ with this hash and goes on from it."
            ),
        )

    def handle(self, *args, **options):
        expected = None
        if options["expect_head"] is not None:
            try:
                expected = audit.parse_head(options["expect_head"])
            except ValueError as exc:
                raise CommandError(f"--expect-head: {exc}") from None
        result = audit.verify()
        if result.ok and expected is not None:
            result = audit.check_expected_head(*expected)
        if not result.ok:
            self.stderr.write(f"BROKEN at event {result.broken_seq}: {result.reason}")
            sys.exit(1)
        problems = signature_check.meaning_problems()
        if problems:
            self.stderr.write("BROKEN signature meanings:\n" + "\n".join(problems))
            sys.exit(1)
        self.stdout.write(f"OK {result.count} events")
        if expected is not None:
            self.stdout.write(f"expected head {expected[0]} found")
        if options["verbosity"] >= 2:
            # Keep this somewhere else too: it pins the whole chain up to now.
            head = AuditChainHead.objects.filter(pk=audit.HEAD_PK).first()
            self.stdout.write(f"last hash {head.last_hash if head else audit.GENESIS}")
