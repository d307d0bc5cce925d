"""Measure the server time of the main pages, in one run, against a floor.

Every request goes through the full middleware stack in this process (Django's test
client: no network, no browser); nothing is cached between requests except what the
database itself keeps. One line per page:

    <name> median_ms=<m> p95_ms=<p> queries=<q> ratio=<median / floor median>
"""

import logging
import statistics
import time
import tracemalloc
from datetime import date

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from assessments import listing, paging
from assessments.models import Campaign, CampaignStatus, Team, User
from assessments.roles import Role

# The search pages' terms: a word of one demo campaign ("Spring hydration lookalikes", made by
# seed_demo) and an AI technique named in about two seeded campaigns of five.
SEARCH_RARE = "hydration"
SEARCH_COMMON = "lookalikes"


class Command(BaseCommand):
    help = "Server time of the main pages (median, p95, queries, ratio to a floor page)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=30, help="timed requests per page")
        parser.add_argument(
            "--rounds",
            type=int,
            default=None,
            help="rounds the timed requests are spread over, every page in every round "
            "(default: as many as --runs, one timed request of each page per round)",
        )
        parser.add_argument(
            "--ensure-campaigns",
            type=int,
            default=0,
            help="seed demo campaigns first until there are this many (seed_demo --campaigns)",
        )
        parser.add_argument(
            "--csv-memory",
            action="store_true",
            help="also measure the peak memory of exporting every campaign as CSV",
        )

    def handle(self, *args, runs, rounds, ensure_campaigns, csv_memory, **options):
        logging.disable(logging.INFO)  # per-request log lines would be measured too
        have = Campaign.objects.count()
        if ensure_campaigns and have < ensure_campaigns:
            self.stderr.write(f"seeding {ensure_campaigns - have} campaigns (once)…")
            call_command("seed_demo", campaigns=ensure_campaigns - have, allow_production=True)
            if connection.vendor == "postgresql":
                # What autovacuum does in the background on a live database: planner
                # statistics and the visibility map (index-only scans) after a bulk load.
                self.stderr.write("VACUUM (ANALYZE) after the bulk load…")
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM (ANALYZE)")
        manager = User.objects.filter(roles__role=Role.MANAGER, is_active=True).first()
        chair = User.objects.filter(roles__role=Role.CHAIR, is_active=True).first()
        if not (manager and chair and Campaign.objects.exists()):
            raise CommandError("No data to measure: run seed_demo --campaigns N first.")
        with override_settings(ROOT_URLCONF="seeding.bench_urls", ALLOWED_HOSTS=["*"]):
            self._run(manager, chair, runs, rounds, csv_memory)

    def _client(self, user) -> Client:
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        return client

    def _pages(self, manager, chair):
        """(name, client user, url) in the order printed."""
        team = Team.objects.order_by("pk").first()
        campaigns = Campaign.objects.count()
        # A deep page: the one after the middle campaign of the default order.
        middle = (
            Campaign.objects.order_by("-updated_at", "-id")
            .only("id", "updated_at")[campaigns // 2 : campaigns // 2 + 1]
            .get()
        )
        deep_cursor = paging._cursor_of(middle, listing.SORTS["updated"][0])
        detail = (
            Campaign.objects.filter(status=CampaignStatus.APPROVED_WITH_CONDITIONS)
            .order_by("-pk")
            .first()
            or Campaign.objects.order_by("-pk").first()
        )
        # The newest 10,000 campaigns: created on or after the day of the 10,000th.
        tenth = Campaign.objects.order_by("-created_at", "-id")[
            min(9_999, campaigns - 1) : min(10_000, campaigns)
        ].get()
        since = tenth.created_at.date().isoformat()
        lst = reverse("campaign_list")
        api = reverse("api_campaigns")  # the session's sign-in is accepted like a token
        return [
            ("floor", manager, reverse("bench_floor")),
            ("dashboard", manager, reverse("dashboard")),
            (
                "dashboard_filtered",
                manager,
                reverse("dashboard") + f"?team={team.pk}&channel=social&tier=III",
            ),
            ("list_first_page", manager, lst),
            ("list_filtered", manager, lst + f"?state=approved&team={team.pk}&channel=email"),
            ("list_deep_page", manager, lst + f"?after={deep_cursor}"),
            ("search_rare", manager, lst + f"?q={SEARCH_RARE}"),
            ("search_common", manager, lst + f"?q={SEARCH_COMMON}"),
            ("api_list", manager, api),
            ("api_search_rare", manager, api + f"?q={SEARCH_RARE}"),
            ("api_search_common", manager, api + f"?q={SEARCH_COMMON}"),
            ("campaign_detail", manager, reverse("campaign_detail", args=[detail.pk])),
            ("review_queue", chair, reverse("review_queue")),
            (
                "csv_export_10k",
                manager,
                reverse("campaign_export") + f"?start={since}&sort=created",
            ),
            ("pdf_report", manager, reverse("campaign_report_pdf", args=[detail.pk])),
        ], {"csv_since": since, "detail": detail.pk, "campaigns": campaigns}

    def _queries(self, client, url) -> int:
        executed = []

        def count(execute, sql, params, many, context):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            self._once(client, url)
        return len(executed)

    def _once(self, client, url) -> float:
        started = time.perf_counter()
        response = client.get(url, secure=True)
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")
        if response.streaming:
            sum(len(chunk) for chunk in response.streaming_content)
        else:
            len(response.content)
        return (time.perf_counter() - started) * 1000

    def _run(self, manager, chair, runs, rounds, csv_memory):
        """Every page is timed in ``rounds`` rounds (after one untimed request each
        round), the floor in every round like the others; by default each round times
        one request of each page. On a shared machine the speed changes from one moment
        to the next (another process, a neighbour on the host): pages timed close
        together share those spells, and the ratio of their medians stops depending on
        which page a slow spell fell on."""
        rounds = rounds or runs
        pages, info = self._pages(manager, chair)
        clients = {manager.pk: self._client(manager), chair.pk: self._client(chair)}
        for _name, user, url in pages:  # warm-up: connections, template and definition caches
            for _ in range(3):
                self._once(clients[user.pk], url)
        queries = {name: self._queries(clients[user.pk], url) for name, user, url in pages}
        samples = {name: [] for name, _user, _url in pages}
        per_round = max(1, -(-runs // rounds))
        for _ in range(rounds):
            for name, user, url in pages:
                client = clients[user.pk]
                self._once(client, url)
                samples[name].extend(self._once(client, url) for _ in range(per_round))
        floor = statistics.median(samples[pages[0][0]])
        for name, _user, _url in pages:
            timed = sorted(samples[name])
            median = statistics.median(timed)
            p95 = timed[min(len(timed) - 1, round(0.95 * (len(timed) - 1)))]
            self.stdout.write(
                f"{name} median_ms={median:.1f} p95_ms={p95:.1f} queries={queries[name]} "
                f"ratio={median / floor:.2f}"
            )
        rows = listing.apply_filters(
            Campaign.objects.all(),
            {"start": date.fromisoformat(info["csv_since"])},
        ).count()
        found = {
            term: listing.apply_filters(Campaign.objects.all(), {"q": term}).count()
            for term in (SEARCH_RARE, SEARCH_COMMON)
        }
        self.stdout.write(
            f"# {info['campaigns']} campaigns; csv_export_10k = {rows} rows created since "
            f"{info['csv_since']}; detail and pdf of campaign {info['detail']}; "
            f"search {SEARCH_RARE!r} finds {found[SEARCH_RARE]}, "
            f"{SEARCH_COMMON!r} {found[SEARCH_COMMON]}"
        )
        if csv_memory:
            client = clients[manager.pk]
            tracemalloc.start()
            started = time.perf_counter()
            response = client.get(reverse("campaign_export"), secure=True)
            lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
            elapsed = time.perf_counter() - started
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            self.stdout.write(
                f"# csv_export_all rows={lines - 1} seconds={elapsed:.1f} "
                f"peak_python_mb={peak / 2**20:.1f}"
            )
