"""A ``kill -9`` leaves no process behind: not beat embedded in ``make worker``'s worker, not
a child of ``manage.py serve``. (An orphaned beat beside a restarted one ran every periodic
job twice.) Processes are found through /proc."""

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.ops.test_serve import ROOT, database_url_of, production_env

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


def process_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state) of every process, zombies included."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        table[int(entry.name)] = (int(fields[1]), fields[0])
    return table


def descendants(root: int) -> set[int]:
    table = process_table()
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, (ppid, _) in table.items() if ppid in frontier} - found
        found |= frontier
    return found


def at_least(count: int, root: int):
    """A waiting predicate: ``root``'s descendants once there are ``count`` of them."""

    def check():
        found = descendants(root)
        return found if len(found) >= count else None

    return check


def living(pids: set[int]) -> dict[int, str]:
    """Those of ``pids`` still running (not zombies), with their command lines."""
    table = process_table()
    alive = {}
    for pid in pids:
        if pid in table and table[pid][1] != "Z":
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            alive[pid] = cmdline.decode(errors="replace").strip()
    return alive


def wait_until(predicate, timeout: float, what: str, log: Path, proc: subprocess.Popen):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"exited ({proc.returncode}) before {what}:\n{log.read_text()}")
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}:\n{log.read_text()}")


def kill_all(pids) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def test_the_beat_embedded_in_make_worker_dies_with_a_killed_worker(own_redis, tmp_path):
    # `make worker`'s command, on this test's own Redis and a throwaway SQLite under tmp_path.
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        {
            "DEBUG": "true",
            "REDIS_URL": own_redis.url,
            "VAR_DIR": str(tmp_path / "var"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(  # noqa: S603 - our interpreter, our arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "ethicsreview",
                "worker",
                "--beat",
                "--concurrency",
                "1",
                "--loglevel",
                "INFO",
                "--schedule",
                str(tmp_path / "celerybeat-schedule"),
            ],  # fmt: skip
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    children: set[int] = set()
    try:
        wait_until(lambda: "beat: Starting" in log.read_text(), 60, "beat", log, worker)
        wait_until(lambda: re.search(r" ready\.", log.read_text()), 60, "the worker", log, worker)
        # The embedded beat and the pool process.
        children = wait_until(at_least(2, worker.pid), 30, "the worker's children", log, worker)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        deadline = time.monotonic() + 20
        while living(children) and time.monotonic() < deadline:
            time.sleep(0.1)
        survivors = living(children)
        assert not survivors, f"outlived the killed worker: {survivors}\n{log.read_text()}"
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        kill_all(living(children))


@pytest.mark.postgres
@pytest.mark.django_db  # so that pytest-django creates the (migrated) test database
@pytest.mark.parametrize("victim", ["worker", "serve"])
def test_serve_leaves_no_process_behind_after_a_kill_9(
    victim, postgres, own_redis, django_db_setup, tmp_path
):
    env = production_env(
        tmp_path,
        DATABASE_URL=database_url_of(connection.settings_dict),
        REDIS_URL=own_redis.url,
        WORKER_CONCURRENCY="1",
        PYTHONUNBUFFERED="1",
    )
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        serve = subprocess.Popen(  # noqa: S603 - our interpreter, our arguments
            [sys.executable, "manage.py", "serve", "--processes", "worker,beat", "--grace", "10"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    everything: set[int] = set()
    try:
        wait_until(lambda: "beat: Starting" in log.read_text(), 90, "beat", log, serve)
        ready = re.compile(r"^worker\|.* ready\.", re.M)
        wait_until(lambda: ready.search(log.read_text()), 90, "the worker", log, serve)
        started = dict(re.findall(r"started (worker|beat) \(pid (\d+)\)", log.read_text()))
        worker_pid = int(started["worker"])
        # serve, worker, beat and the worker's pool process.
        everything = wait_until(at_least(3, serve.pid), 30, "serve's processes", log, serve)
        os.kill(worker_pid if victim == "worker" else serve.pid, signal.SIGKILL)
        serve.wait(timeout=60)
        deadline = time.monotonic() + 30
        while living(everything) and time.monotonic() < deadline:
            time.sleep(0.1)
        survivors = living(everything)
        assert not survivors, f"outlived the kill of {victim}: {survivors}\n{log.read_text()}"
        if victim == "worker":
            assert serve.returncode != 0  # the unit is gone, so a process manager restarts it
            assert "worker exited with code" in log.read_text()
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
        kill_all(living(everything))
