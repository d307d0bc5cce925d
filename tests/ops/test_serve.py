"""`manage.py serve`: the refusals, the supervision, and one real start of gunicorn, a Celery
worker and Celery beat against PostgreSQL and Redis, stopped with SIGTERM."""

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from assessments.management.commands.serve import Child, Command

ROOT = Path(__file__).resolve().parents[2]
SECRET = "serve-tests-only-" + "k" * 50
# Variables the test run sets (pytest-env, CI) that a production process must not inherit.
SCRUBBED = (
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "ALLOWED_HOSTS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "WEB_CONCURRENCY",
    "PORT",
)


def production_env(tmp_path: Path, **overrides) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": SECRET,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
            "REDIS_URL": "redis://127.0.0.1:6379/14",
            "SECURE_SSL_REDIRECT": "false",
            "VAR_DIR": str(tmp_path / "var"),
        }
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def run_serve(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "serve", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- refusals: no service is contacted before the configuration is fit to serve ---------------


def test_refuses_with_debug_on(tmp_path):
    result = run_serve(production_env(tmp_path, DEBUG="true"))
    assert result.returncode != 0
    assert "refusing to start" in result.stderr
    assert "DEBUG is on" in result.stderr


def test_refuses_without_secret_key(tmp_path):
    result = run_serve(production_env(tmp_path, SECRET_KEY=None))
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_refuses_a_sqlite_database(tmp_path):
    result = run_serve(production_env(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3"))
    assert result.returncode != 0
    assert "DATABASE_URL does not point at PostgreSQL" in result.stderr


def test_refuses_without_database_url_or_redis(tmp_path):
    result = run_serve(production_env(tmp_path, DATABASE_URL=None, REDIS_URL=None))
    assert result.returncode != 0
    assert "DATABASE_URL is not set" in result.stderr
    assert "REDIS_URL is not set" in result.stderr


def test_refuses_without_collected_static_files(tmp_path):
    result = run_serve(production_env(tmp_path))
    assert result.returncode != 0
    assert "Static files are not collected" in result.stderr
    assert "collectstatic" in result.stderr


# --- supervision, with stand-in children ---------------------------------------------------


def test_when_one_child_ends_the_others_are_stopped(capsys):
    sleeper = Child("sleep", [sys.executable, "-c", "import time; time.sleep(60)"])
    failing = Child("fail", [sys.executable, "-c", "import sys; print('bye'); sys.exit(3)"])
    started = time.monotonic()
    code = Command().supervise([sleeper, failing], grace=10)
    assert code == 3
    assert time.monotonic() - started < 30
    assert sleeper.proc.returncode is not None  # stopped, not left behind
    out = capsys.readouterr().out
    assert "fail  | bye" in out
    assert "fail exited with code 3: stopping the others" in out


# --- one real start -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {}


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"


def wait_for(predicate, timeout: float, proc: subprocess.Popen, log: Path, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"serve exited ({proc.returncode}) before {what}:\n{log.read_text()}")
        result = predicate()
        if result:
            return result
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}:\n{log.read_text()}")


def database_url_of(settings_dict: dict) -> str:
    user = quote(settings_dict.get("USER") or "postgres", safe="")
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{quote(password, safe='')}" if password else user
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{settings_dict['NAME']}"


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db  # pytest-django creates the test database only for tests marked so
def test_serve_runs_web_worker_and_beat_and_stops_them_on_sigterm(
    postgres, redis_url, django_db_setup, tmp_path
):
    # The test database pytest-django created is migrated: serve's migration check passes.
    database_url = database_url_of(connection.settings_dict)
    # Static files are not under test here (collecting them takes minutes): an empty
    # manifest stands in for `collectstatic`.
    static_root = tmp_path / "static"
    static_root.mkdir()
    (static_root / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    port = free_port()
    node = f"serve-test-{secrets.token_hex(4)}"
    env = production_env(
        tmp_path,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        STATIC_ROOT=str(static_root),
        WEB_CONCURRENCY="2",
        WORKER_CONCURRENCY="1",
    )
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--worker-hostname",
                f"{node}@%h",
                "--grace",
                "20",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"

        def healthy():
            try:
                return get(f"{base}/healthz")[0] == 200
            except OSError:
                return False

        wait_for(healthy, 120, proc, log, "/healthz")
        status, body = get(f"{base}/readyz")
        assert status == 200, body
        assert body["checks"] == {"database": "ok", "redis": "ok"}

        def pong():
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "ethicsreview",
                    "inspect",
                    "ping",
                    "--timeout",
                    "3",
                ],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            return f"{node}@" in result.stdout and "pong" in result.stdout

        wait_for(pong, 120, proc, log, "the Celery worker to answer a ping")
        wait_for(lambda: "beat: Starting" in log.read_text(), 60, proc, log, "Celery beat")

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=90) == 0, log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    output = log.read_text()
    children = dict(re.findall(r"started (web|worker|beat) \(pid (\d+)\)", output))
    assert set(children) == {"web", "worker", "beat"}, output
    gunicorn_workers = re.findall(r"Booting worker with pid: (\d+)", output)
    assert gunicorn_workers, output
    for pid in [*children.values(), *gunicorn_workers]:
        assert not alive(int(pid)), f"process {pid} outlived serve:\n{output}"
    assert "SIGTERM received: stopping web, worker, beat" in output
    assert re.search(r"^web   \| .*Shutting down: Master", output, re.M), output
    assert re.search(r"^worker\| .*Warm shutdown", output, re.M), output
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
