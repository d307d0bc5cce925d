"""manage.py verify_audit_log: 'OK <n> events' and exit 0, or the first broken event and 1."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from assessments import audit
from assessments.models import AuditChainHead, AuditEvent, EventKind


def _run(*args) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit_log", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def _chain(n: int) -> list:
    with transaction.atomic():
        return [audit.record(kind=EventKind.COMMENTED, payload={"n": i}) for i in range(n)]


@pytest.mark.django_db
def test_intact_log_prints_ok_and_exits_0():
    _chain(3)
    assert _run() == (0, "OK 3 events\n", "")


@pytest.mark.django_db
def test_empty_log_without_campaigns_is_ok():
    assert _run() == (0, "OK 0 events\n", "")


@pytest.mark.django_db
def test_verbose_output_adds_the_last_hash_to_keep_elsewhere():
    events = _chain(2)
    code, out, _ = _run("--verbosity", "2")
    assert code == 0
    assert out == f"OK 2 events\nlast hash {events[-1].hash}\n"


def test_altered_event_is_named_and_exits_1(triggers_dropped):
    events = _chain(4)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE assessments_auditevent SET actor_id = 42 WHERE seq = %s", [events[1].seq]
        )

    code, out, err = _run()

    assert (code, out) == (1, "")
    assert err == f"BROKEN at event {events[1].seq}: hash mismatch: content altered\n"


@pytest.mark.django_db
def test_truncated_tail_is_named_and_exits_1():
    events = _chain(2)
    AuditChainHead.objects.update(last_seq=events[-1].seq + 3)

    code, _, err = _run()

    assert code == 1
    assert err.startswith(f"BROKEN at event {events[-1].seq + 1}: chain head does not match")


def test_real_process_exit_status(postgres, triggers_dropped):
    """Run as cron would: a separate process against the (committed) test database."""
    events = _chain(3)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
    }
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "verify_audit_log"]

    intact = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert (intact.returncode, intact.stdout, intact.stderr) == (0, "OK 3 events\n", "")

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM assessments_auditevent WHERE seq = %s", [events[1].seq])
    broken = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert (broken.returncode, broken.stdout) == (1, "")
    assert broken.stderr == (
        f"BROKEN at event {events[2].seq}: sequence gap: event(s) removed before seq "
        f"{events[2].seq}\n"
    )


# --- an emptied log, and a head recorded elsewhere ---------------------------------------------


def _empty_the_log() -> None:
    """What TRUNCATE used to do on PostgreSQL: every event and the chain head gone."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM assessments_auditevent")
        cursor.execute("DELETE FROM assessments_auditchainhead")


def test_an_emptied_log_beside_campaigns_is_broken(triggers_dropped, campaign):
    assert _run()[0] == 0
    _empty_the_log()

    code, out, err = _run()

    assert (code, out) == (1, "")
    assert err == (
        "BROKEN at event 1: the audit log is empty but campaigns exist: events were removed\n"
    )


def test_an_emptied_log_with_its_head_row_left_is_broken(triggers_dropped, campaign):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM assessments_auditevent")
        cursor.execute(
            "UPDATE assessments_auditchainhead SET last_seq = 0, last_hash = %s", [audit.GENESIS]
        )

    code, _, err = _run()

    assert code == 1
    assert "the audit log is empty but campaigns exist" in err


@pytest.mark.django_db
def test_the_expected_head_is_found_in_a_longer_chain():
    events = _chain(3)
    recorded = f"{events[1].seq}:{events[1].hash}"
    _chain(2)

    assert _run("--expect-head", recorded) == (
        0,
        f"OK 5 events\nexpected head {events[1].seq} found\n",
        "",
    )
    assert _run("--expect-head", f"{events[2].seq}:{events[2].hash.upper()}")[0] == 0


@pytest.mark.django_db
def test_an_empty_chain_matches_the_genesis_head_only():
    assert _run("--expect-head", f"0:{audit.GENESIS}")[0] == 0
    code, _, err = _run("--expect-head", f"1:{'a' * 64}")
    assert code == 1
    assert err == (
        "BROKEN at event 1: history was cut: the chain ends at event 0, before the expected "
        "head 1\n"
    )


def test_history_cut_after_the_expected_head_is_found(triggers_dropped, campaign):
    """All gone (TRUNCATE as it was): the recorded head is no longer there."""
    head = AuditChainHead.objects.get()
    recorded = f"{head.last_seq}:{head.last_hash}"
    _empty_the_log()
    AuditChainHead.objects.create(pk=audit.HEAD_PK, last_seq=0, last_hash=audit.GENESIS)

    code, _, err = _run("--expect-head", recorded)

    assert code == 1
    assert "BROKEN at event" in err


def test_cut_tail_with_a_consistent_head_is_found_only_with_the_expected_head(
    triggers_dropped,
):
    """Someone removes the last events and moves the head back: the chain verifies, but not
    against the head recorded elsewhere."""
    events = _chain(4)
    recorded = f"{events[3].seq}:{events[3].hash}"
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM assessments_auditevent WHERE seq > %s", [events[1].seq])
    AuditChainHead.objects.update(last_seq=events[1].seq, last_hash=events[1].hash)
    assert _run()[0] == 0

    code, out, err = _run("--expect-head", recorded)

    assert (code, out) == (1, "")
    assert err == (
        f"BROKEN at event {events[1].seq + 1}: history was cut: the chain ends at event "
        f"{events[1].seq}, before the expected head {events[3].seq}\n"
    )


def test_a_rewritten_chain_with_recomputed_hashes_is_found_with_the_expected_head(
    triggers_dropped,
):
    events = _chain(3)
    recorded = f"{events[2].seq}:{events[2].hash}"
    # Rewrite event 2 onwards and recompute every later hash, as the chain alone cannot stop.
    prev = events[0].hash
    for event in events[1:]:
        fields = {
            "seq": event.seq,
            "kind": "commented",
            "campaign_id": None,
            "actor_id": None,
            "created_at": event.created_at,
            "payload": {"n": 99},
        }
        new_hash = audit.compute_hash(prev, fields)
        AuditEvent.objects.filter(pk=event.pk).update(
            payload={"n": 99}, prev_hash=prev, hash=new_hash
        )
        prev = new_hash
    AuditChainHead.objects.update(last_hash=prev)
    assert _run()[0] == 0

    code, _, err = _run("--expect-head", recorded)

    assert code == 1
    assert err == (
        f"BROKEN at event {events[2].seq}: the expected head event has another hash: rewritten\n"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "expected SEQ:HASH"),
        ("12", "expected SEQ:HASH"),
        ("-1:" + "a" * 64, "expected SEQ:HASH"),
        ("x:" + "a" * 64, "expected SEQ:HASH"),
        ("²:" + "a" * 64, "expected SEQ:HASH"),
        ("3:abc", "64 hexadecimal characters"),
        ("3:" + "g" * 64, "64 hexadecimal characters"),
    ],
)
def test_a_malformed_expected_head_is_a_clear_error(value, message):
    _chain(1)
    with pytest.raises(CommandError, match=message):
        call_command("verify_audit_log", f"--expect-head={value}", stdout=StringIO())
