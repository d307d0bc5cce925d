"""manage.py verify_audit_log: 'OK <n> events' and exit 0, or the first broken event and 1."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from assessments import audit
from assessments.models import AuditChainHead, EventKind


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
def test_empty_log_is_ok():
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
