"""``gongzhi ledger verify``: check every invariant of the points ledger; exit non-zero on any breach."""

from django.core.management.base import BaseCommand, CommandError

from gongzhi.points.selectors import ledger_findings


class Command(BaseCommand):
    help = "Points ledger tools: `verify` checks postings balance, balances equal postings, no negative person balance."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="check the ledger's invariants")
        verify.add_argument("--limit", type=int, default=100, help="findings shown per invariant")

    def handle(self, *args, action=None, limit=100, **options):
        if action != "verify":
            raise CommandError(f"unknown action {action!r}")
        findings = ledger_findings(limit=limit)
        for line in findings:
            self.stdout.write(line)
        if findings:
            raise CommandError(f"ledger verify: {len(findings)} breach(es)")
        self.stdout.write("ledger verify: ok")
