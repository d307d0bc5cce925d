"""A load generator for a running server (``manage.py serve`` / ``make serve``).

Virtual users sign in through the real login page (allauth's form with its CSRF token) with
the demo accounts of ``seed_demo`` (virtual users of one account share its session, like tabs
of one browser: sign-ins are rate-limited per client address), and then send mixed traffic
as fast as the server answers (closed loop), each on its own connection:

- marketers open My campaigns, the campaign list and their campaigns, save answers in the
  assessment wizard (the htmx POST the page sends on every change, and now and then the
  plain POST of its *Save* button) and post colleague feedback;
- reviewers open the review queue and campaign pages;
- managers open the dashboard (with and without filters) and the campaign list, and export
  the list as CSV.

It stops after ``--seconds`` or ``--max-requests`` and prints requests per second, latency
percentiles per kind of request and overall, and the count of 5xx answers; then it checks
that no acknowledged write was lost: every feedback the server accepted is in the database
(found by a marker unique to the run), and each marketer's last accepted answer is the one
stored. Exit status 1 when any 5xx was answered or any write was lost.

Standard library only (threads and http.client). Targets loopback addresses unless
``--allow-remote`` is given: never point it at a server you do not run.
"""

import time
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError

from seeding.loadtest import Budget, Run, is_loopback, percentile


class Command(BaseCommand):
    help = (
        "Load-test a running server: N virtual users (marketers, reviewers, managers) sign in "
        "and send mixed traffic; reports requests/s, latency percentiles, 5xx and lost writes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="Server to test.")
        parser.add_argument("--users", type=int, default=8, help="Virtual users (default 8).")
        parser.add_argument("--seconds", type=float, default=60, help="Duration (default 60).")
        parser.add_argument(
            "--max-requests",
            type=int,
            default=100_000,
            help="Stop after this many requests in all (default 100,000).",
        )
        parser.add_argument(
            "--timeout", type=float, default=30, help="Seconds per request (default 30)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed of the mix.")
        parser.add_argument(
            "--no-verify",
            action="store_true",
            help="Skip the lost-writes check (it reads this process's DATABASE_URL, which "
            "must be the server's database).",
        )
        parser.add_argument(
            "--allow-remote",
            action="store_true",
            help="Allow a server that is not on a loopback address (one you run).",
        )

    def handle(self, *args, **options):
        base = options["url"].rstrip("/")
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise CommandError("--url must be an http(s) URL, e.g. http://127.0.0.1:8000")
        if not options["allow_remote"] and not is_loopback(parts.hostname):
            raise CommandError(
                f"{parts.hostname} is not a loopback address: load-test only servers you run "
                "(--allow-remote to confirm)."
            )
        if options["users"] < 1 or options["seconds"] <= 0 or options["max_requests"] < 1:
            raise CommandError("--users, --seconds and --max-requests must be positive.")
        run = Run(
            base,
            options["users"],
            options["seconds"],
            options["max_requests"],
            options["timeout"],
            options["seed"],
        )
        self.stdout.write(
            f"loadtest: {options['users']} users against {base} for at most "
            f"{options['seconds']:g}s / {options['max_requests']} requests (marker {run.marker})"
        )
        setup_started = time.monotonic()
        for user in run.users:
            user.start()
        run.ready.wait()  # everyone signed in and found their campaigns
        errors = [u.error for u in run.users if u.error]
        run.abort = bool(errors)
        run.budget = Budget(options["max_requests"], options["seconds"])
        run.go.wait()
        if errors:
            raise CommandError("setup failed:\n  " + "\n  ".join(errors))
        self.stdout.write(f"signed in and ready in {time.monotonic() - setup_started:.1f}s")
        started, cpu = time.monotonic(), time.process_time()
        for user in run.users:
            user.join()
        elapsed = time.monotonic() - started
        run.client_cpu = time.process_time() - cpu
        five_xx = self.report(run, elapsed)
        lost = None if options["no_verify"] else self.verify(run)
        verdict = "OK" if five_xx == 0 and not lost else "FAILED"
        self.stdout.write(
            f"loadtest {run.marker}: {run.summary} "
            f"lost_writes={'unchecked' if lost is None else lost} {verdict}"
        )
        if verdict != "OK":
            raise CommandError(f"{five_xx} server errors (5xx), {lost or 0} lost writes")

    def report(self, run: Run, elapsed: float) -> int:
        stats = run.stats
        rows = []
        everything: list[float] = []
        for kind in sorted(stats.latencies):
            values = stats.latencies[kind]
            everything += values
            rows.append((kind, values, stats.statuses[kind], stats.failures.get(kind, 0)))
        header = f"{'kind':<20}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  statuses"
        self.stdout.write(header)
        for kind, values, statuses, failures in rows:
            codes = " ".join(f"{code}:{n}" for code, n in sorted(statuses.items()))
            if failures:
                codes += f" failed:{failures}"
            self.stdout.write(
                f"{kind:<20}{len(values):>7}{percentile(values, 50) * 1000:>9.0f}"
                f"{percentile(values, 95) * 1000:>9.0f}{percentile(values, 99) * 1000:>9.0f}  "
                f"{codes}"
            )
        total = len(everything)
        five_xx = sum(n for by in stats.statuses.values() for s, n in by.items() if s >= 500)
        failures = sum(stats.failures.values())
        unexpected = sum(stats.unexpected.values())
        run.summary = (
            f"users={len(run.users)} seconds={elapsed:.1f} requests={total} "
            f"rps={total / elapsed if elapsed else 0:.1f} "
            f"p50={percentile(everything, 50) * 1000:.0f}ms "
            f"p95={percentile(everything, 95) * 1000:.0f}ms "
            f"p99={percentile(everything, 99) * 1000:.0f}ms "
            f"5xx={five_xx} unexpected={unexpected} failed={failures}"
        )
        for sample in run.failure_samples[:10]:
            self.stdout.write(f"  ! {sample}")
        self.stdout.write("overall: " + run.summary)
        self.stdout.write(
            f"load generator CPU: {run.client_cpu:.1f}s in {elapsed:.1f}s "
            "(on the same machine it competes with the server)"
        )
        return five_xx

    def verify(self, run: Run) -> int:
        """Every acknowledged write is in the database."""
        from django.db import connection

        from assessments.models import Assessment, Feedback

        where = connection.settings_dict.get("NAME")
        stored = set(
            Feedback.objects.filter(text__startswith=f"[{run.marker}]").values_list(
                "text", flat=True
            )
        )
        sent = [item for user in run.users for item in user.feedback_sent]
        acked = {text for text, ok in sent if ok}
        unacked = {text for text, ok in sent if not ok}
        lost_feedback = acked - stored
        unexpected = stored - acked - unacked
        lost_answers = 0
        checked = 0
        for user in run.users:
            if user.role != "marketer" or not user.answers or not user.text_question:
                continue
            answers = Assessment.objects.get(campaign_id=user.draft).answers
            value = answers.get(user.text_question)
            acked_values = [v for v, ok in user.answers if ok]
            if not acked_values:
                continue
            checked += 1
            if run.shared_drafts:
                # Marketers share drafts: the stored text must be one that was written.
                ok = value in {v for u in run.users for v, _ok in u.answers}
            else:
                last = max(i for i, (_v, ok) in enumerate(user.answers) if ok)
                # The last accepted text, or a later one whose answer never arrived.
                ok = value in {v for v, _ok in user.answers[last:]}
            lost_answers += not ok
        self.stdout.write(
            f"writes ({where}): feedback accepted={len(acked)} stored={len(stored)} "
            f"lost={len(lost_feedback)} unacknowledged={len(unacked)} "
            f"unknown={len(unexpected)}; answer saves accepted="
            f"{sum(ok for u in run.users for _v, ok in u.answers)} drafts checked={checked} "
            f"lost={lost_answers}"
        )
        return len(lost_feedback) + lost_answers
