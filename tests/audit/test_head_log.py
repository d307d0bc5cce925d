"""The periodic job writes the chain head to the security log (outside the database), and
what it wrote is what ``verify_audit_log --expect-head`` takes."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from assessments import audit, tasks
from assessments.models import EventKind
from tests.security.conftest import security_log  # noqa: F401 (fixture)
from tests.test_celery_worker import redis_worker  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _chain(n: int) -> list:
    with transaction.atomic():
        return [audit.record(kind=EventKind.COMMENTED, payload={"n": i}) for i in range(n)]


def test_the_beat_schedule_runs_the_job(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["log-audit-head"]
    assert entry["task"] == "assessments.tasks.log_audit_head"
    assert entry["task"] in tasks.log_audit_head.app.tasks


def test_the_task_logs_seq_hash_and_count_as_one_json_line(security_log):  # noqa: F811
    events = _chain(3)

    result = tasks.log_audit_head.delay().get()

    entry = security_log.events("audit_chain_head")
    assert len(entry) == 1
    assert entry[0]["seq"] == events[-1].seq
    assert entry[0]["hash"] == events[-1].hash
    assert entry[0]["events"] == 3
    assert entry[0]["expect_head"] == f"{events[-1].seq}:{events[-1].hash}"
    assert entry[0]["level"] == "INFO" and entry[0]["actor_id"] is None
    assert result == {"seq": events[-1].seq, "hash": events[-1].hash, "events": 3}


def test_the_logged_head_is_accepted_by_verify_audit_log(security_log):  # noqa: F811
    _chain(2)
    call_command("run_periodic", stdout=StringIO())
    logged = security_log.events("audit_chain_head")[-1]["expect_head"]
    _chain(1)  # history goes on after the copy was taken

    out = StringIO()
    call_command("verify_audit_log", "--expect-head", logged, stdout=out)

    assert out.getvalue() == f"OK 3 events\nexpected head {logged.split(':')[0]} found\n"


def test_an_empty_chain_is_logged_as_the_genesis_head(security_log):  # noqa: F811
    audit.log_head()
    entry = security_log.events("audit_chain_head")[0]
    assert (entry["seq"], entry["hash"], entry["events"]) == (0, audit.GENESIS, 0)


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_job_through_redis(redis_worker, security_log):  # noqa: F811
    events = _chain(2)

    result = tasks.log_audit_head.delay().get(timeout=15)

    assert result == {"seq": events[-1].seq, "hash": events[-1].hash, "events": 2}
    logged = security_log.events("audit_chain_head")
    assert [e["expect_head"] for e in logged] == [f"{events[-1].seq}:{events[-1].hash}"]
