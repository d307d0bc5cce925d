"""Many writers at once on PostgreSQL: the chain head lock keeps one gap-free, linear chain."""

import threading

import pytest
from django.db import connections, transaction
from django.db.models import Max

from assessments import audit, services
from assessments.models import AuditChainHead, AuditEvent, Campaign, EventKind
from tests.views.test_search import intake

WRITERS = 8
EVENTS_EACH = 25


@pytest.mark.parametrize("head_row", ["present", "missing"])
@pytest.mark.django_db(transaction=True)
def test_simultaneous_writers_build_one_gap_free_chain(postgres, head_row):
    AuditChainHead.objects.all().delete()
    if head_row == "present":  # as after migrate; "missing" as after a flush: a race to create
        AuditChainHead.objects.create(pk=audit.HEAD_PK, last_seq=0, last_hash=audit.GENESIS)

    def write(writer: int, n: int) -> None:
        with transaction.atomic():
            audit.record(kind=EventKind.COMMENTED, payload={"writer": writer, "n": n})

    assert _at_once(write) == []
    total = WRITERS * EVENTS_EACH
    rows = list(AuditEvent.objects.order_by("seq").values_list("seq", "payload"))
    assert [seq for seq, _ in rows] == list(range(1, total + 1))
    for writer in range(WRITERS):  # each writer's events in the order it wrote them
        assert [p["n"] for _, p in rows if p["writer"] == writer] == list(range(EVENTS_EACH))
    assert audit.verify() == audit.Verification(True, total, None, "")
    head = AuditChainHead.objects.get()
    assert head.last_seq == total


@pytest.mark.django_db(transaction=True)
def test_writers_that_lock_the_campaign_first_or_not_keep_its_last_event_without_deadlock(
    postgres, campaign, marketer
):
    """Services lock the campaign row and then record; a caller that records without
    locking it must not deadlock with them (``record`` takes the campaign before the
    chain), and each campaign's ``last_event_seq`` ends at its newest event."""
    second = services.campaign_create(
        actor=marketer, team=campaign.team, intake=intake(name="Second")
    )
    campaigns = [campaign.pk, second.pk]

    def write(writer: int, n: int) -> None:
        pk = campaigns[(writer + n) % 2]
        with transaction.atomic():
            if writer % 2:
                target = Campaign.objects.select_for_update().get(pk=pk)
                target.save(update_fields=["updated_at"])
            else:
                target = Campaign.objects.get(pk=pk)
            audit.record(kind=EventKind.EDITED, campaign=target, payload={"n": n})

    assert _at_once(write) == []
    for pk in campaigns:
        newest = AuditEvent.objects.filter(campaign_id=pk).aggregate(Max("seq"))["seq__max"]
        assert Campaign.objects.get(pk=pk).last_event_seq == newest
    assert audit.verify().ok


def _at_once(write) -> list[str]:
    """Run ``write(writer, n)`` for EVENTS_EACH n in each of WRITERS threads started
    together, each on its own connection; the errors they raised."""
    barrier = threading.Barrier(WRITERS)
    errors: list[str] = []
    lock = threading.Lock()

    def run(writer: int) -> None:
        try:
            barrier.wait(timeout=10)
            for n in range(EVENTS_EACH):
                write(writer, n)
        except Exception as exc:
            with lock:
                errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors
