"""The entry point of the bulk demo history: ``seed(n)``, in one transaction."""

from __future__ import annotations

import gc
import io
import random
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from assessments import audit, condition_verification, dashboard_counts, selectors
from assessments.models import (
    AuditEvent,
    Campaign,
)

from .chain import _Chain
from .generator import _Generator
from .people import _ensure_people
from .pool import _Pool
from .sink import _Sink
from .vocabulary import STORIES


@contextmanager
def _collector_paused():
    """Millions of objects live until the load ends and none of them form cycles: the
    cyclic garbage collector's full passes over them would only slow the load down."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _deck(count: int, rng: random.Random) -> list[str]:
    """The story of each campaign: shares per STORIES (largest remainders), every story at
    least once when there are enough campaigns, in random order."""
    total = sum(STORIES.values())
    quotas = {story: count * weight / total for story, weight in STORIES.items()}
    counts = {story: int(quota) for story, quota in quotas.items()}
    by_remainder = sorted(quotas, key=lambda s: quotas[s] - counts[s], reverse=True)
    for story in by_remainder[: count - sum(counts.values())]:
        counts[story] += 1
    if count >= len(STORIES):
        for story in STORIES:
            if counts[story] == 0:
                counts[max(counts, key=counts.get)] -= 1
                counts[story] = 1
    deck = [story for story, n in counts.items() for _ in range(n)]
    rng.shuffle(deck)
    return deck


# --- the entry point ------------------------------------------------------------------------


@dataclass
class Summary:
    campaigns: int
    statuses: Counter
    tiers: Counter
    rows: dict[str, int]
    accounts_created: int
    pool: int
    seconds: dict[str, float]


def seed(
    count: int,
    *,
    seed: int = 1,
    log: Callable[[str], None] | None = None,
    now: datetime | None = None,
    rebuild: bool = True,
) -> Summary:
    """Add ``count`` campaigns with their whole history (see the module's docstring), then
    rebuild the dashboard counts (unless ``rebuild`` is false: then run
    ``dashboard_counts.rebuild()`` before the dashboard is used). One transaction."""
    if count < 0:
        raise ValueError("count must not be negative")
    log = log or (lambda message: None)
    began = time.monotonic()
    seconds: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        seconds[name] = round(time.monotonic() - since, 2)
        return time.monotonic()

    questionnaire = selectors.current_questionnaire()
    if questionnaire is None:
        call_command("load_questionnaires", stdout=io.StringIO())
        questionnaire = selectors.current_questionnaire()
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    now = now or timezone.now()
    mark = time.monotonic()
    pool = _Pool(questionnaire, rng)
    mark = lap("pool", mark)
    log(f"Scored {pool.scored} assessments for the pool ({seconds['pool']:.1f}s).")
    with _collector_paused(), transaction.atomic():
        head = audit._locked_head()  # no other event can be appended until we commit
        people = _ensure_people(now)
        sink = _Sink()
        sink.start()
        try:
            chain = _Chain(sink, head.last_seq, head.last_hash)
            generator = _Generator(
                rng=rng, now=now, sink=sink, people=people, pool=pool, chain=chain
            )
            generator.run(_deck(count, rng), log)
            chain.append_until(None)
            mark = lap("generate", mark)
            log(
                f"Campaigns, their records and audit events generated ({seconds['generate']:.1f}s)."
            )
            counts = dashboard_counts.Counts()

            def add_up() -> None:  # the dashboard's sums, while the server writes
                if rebuild:
                    for facts in generator.facts.values():
                        counts.add(facts)
                    counts.spread()

            sink.finish(meanwhile=add_up)
        finally:
            sink.close(check=False)  # the writer thread must be done before a rollback
        head.last_seq, head.last_hash = chain.seq, chain.prev_hash
        head.save(update_fields=["last_seq", "last_hash"])
        audit.last_events_refill(Campaign.objects.filter(pk__gte=sink.first_ids[Campaign]))
        mark = lap("write", mark)
        log(
            f"Everything written: {sum(sink.written.values()):,} rows, "
            f"{sink.written[AuditEvent]:,} of them audit events ({seconds['write']:.1f}s)."
        )
        condition_verification.sync()  # which fulfilled conditions wait for verification (derived)
        if rebuild:
            dashboard_counts.rebuild(known=generator.facts, counts=counts)
            mark = lap("rebuild", mark)
            log(f"Dashboard counts rebuilt ({seconds['rebuild']:.1f}s).")
    seconds["total"] = round(time.monotonic() - began, 2)
    return Summary(
        campaigns=count,
        statuses=generator.statuses,
        tiers=generator.tiers,
        rows={model._meta.db_table: n for model, n in sink.written.items()},
        accounts_created=people.created,
        pool=pool.scored,
        seconds=seconds,
    )
