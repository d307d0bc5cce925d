"""Run the production stack on one machine: gunicorn (web), a Celery worker and Celery beat.

Each runs as its own child process (in its own session, so a terminal's Ctrl-C reaches only
this supervisor, which forwards it). Their output is printed line by line with the process
name in front. SIGINT and SIGTERM are forwarded to every child; when any child ends, the
others are stopped too and this command exits, so a process manager (systemd, a container
runtime) sees one unit that is either whole or gone.

It refuses to start a configuration that is not fit to serve: DEBUG on, no SECRET_KEY, no
PostgreSQL DATABASE_URL, no REDIS_URL, no ALLOWED_HOSTS, uncollected static files, an
unreachable database or Redis, or migrations not yet applied (``manage.py migrate`` is a
deploy step, never run implicitly).
"""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

PROCESSES = ("web", "worker", "beat")
PR_SET_PDEATHSIG = 1


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def default_web_workers() -> int:
    value = os.environ.get("WEB_CONCURRENCY", "")
    if value:
        try:
            return max(1, int(value))
        except ValueError as exc:
            raise CommandError(f"WEB_CONCURRENCY must be a number, got {value!r}.") from exc
    return 2 * cpu_count() + 1


def _gunicorn_has_setting(name: str) -> bool:
    import gunicorn.config

    return any(setting.name == name for setting in gunicorn.config.KNOWN_SETTINGS)


def _die_with_parent() -> None:  # pragma: no cover - runs in the forked child
    """Linux: a child is sent SIGTERM if the supervisor dies without stopping it."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    argv: list[str]
    proc: subprocess.Popen | None = None
    pump: threading.Thread | None = field(default=None, repr=False)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


class Command(BaseCommand):
    help = (
        "Run gunicorn (web), a Celery worker and Celery beat as supervised child processes. "
        "Refuses DEBUG, a missing SECRET_KEY, a non-PostgreSQL database, a missing Redis and "
        "pending migrations."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="0.0.0.0", help="Address to bind (0.0.0.0).")  # noqa: S104
        parser.add_argument(
            "--port",
            type=int,
            default=int(os.environ.get("PORT") or 8000),
            help="Port to bind (PORT, default 8000).",
        )
        parser.add_argument(
            "--web-workers",
            type=int,
            default=None,
            help="gunicorn worker processes (WEB_CONCURRENCY, default 2 x CPU cores + 1).",
        )
        parser.add_argument(
            "--worker-concurrency",
            type=int,
            default=int(os.environ.get("WORKER_CONCURRENCY") or 0) or None,
            help="Celery worker processes (WORKER_CONCURRENCY, default: CPU cores).",
        )
        parser.add_argument(
            "--worker-hostname",
            default=os.environ.get("WORKER_HOSTNAME") or "worker@%h",
            help="Celery worker node name (WORKER_HOSTNAME, default worker@%%h).",
        )
        parser.add_argument(
            "--processes",
            default=",".join(PROCESSES),
            help="Which processes to run, comma-separated (default web,worker,beat). Run beat "
            "on one machine only.",
        )
        parser.add_argument(
            "--grace",
            type=float,
            default=30.0,
            help="Seconds a child may take to stop before it is killed (default 30).",
        )
        parser.add_argument(
            "--no-access-log", action="store_true", help="Do not log every request."
        )

    # --- refusals ---------------------------------------------------------------------------

    def configuration_problems(self, processes: list[str]) -> list[str]:
        problems = []
        if settings.DEBUG:
            problems.append(
                "DEBUG is on. The production server runs with DEBUG off: unset DEBUG or set "
                "DEBUG=false (use `make run` for development)."
            )
        if not os.environ.get("SECRET_KEY"):
            problems.append(
                "SECRET_KEY is not set. Set it to a long random value, e.g. the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`, the same on "
                "every machine."
            )
        engine = settings.DATABASES["default"]["ENGINE"]
        if not os.environ.get("DATABASE_URL"):
            problems.append(
                "DATABASE_URL is not set. The production server needs PostgreSQL: "
                "DATABASE_URL=postgres://user:password@host:5432/name."
            )
        elif "postgresql" not in engine:
            problems.append(
                f"DATABASE_URL does not point at PostgreSQL (engine {engine}). The production "
                "server needs PostgreSQL: DATABASE_URL=postgres://user:password@host:5432/name."
            )
        if not settings.REDIS_URL:
            problems.append(
                "REDIS_URL is not set. The production server needs Redis for the cache, the "
                "login rate limits and Celery: REDIS_URL=redis://host:6379/0."
            )
        if "web" in processes:
            if not settings.ALLOWED_HOSTS:
                problems.append(
                    "ALLOWED_HOSTS is empty: every request would be refused. Set the host "
                    "names this site answers to, comma-separated."
                )
            manifest = Path(settings.STATIC_ROOT) / getattr(
                staticfiles_storage, "manifest_name", "staticfiles.json"
            )
            if not manifest.exists():
                problems.append(
                    f"Static files are not collected ({manifest} is missing): run "
                    "`manage.py collectstatic --no-input` first (`make serve` does)."
                )
        return problems

    def service_problems(self) -> list[str]:
        problems = []
        db = settings.DATABASES["default"]
        where = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db.get('NAME')}"
        try:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            problems.append(f"The database at {where} does not answer: {first_line}")
        else:
            if pending:
                names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in pending[:5])
                more = f" and {len(pending) - 5} more" if len(pending) > 5 else ""
                problems.append(
                    f"{len(pending)} migration(s) are not applied to {where} ({names}{more}). "
                    "Run `manage.py migrate` as a deploy step, then start again."
                )
        finally:
            connection.close()
        try:
            import redis

            client = redis.Redis.from_url(
                settings.REDIS_URL, socket_connect_timeout=3, socket_timeout=3
            )
            try:
                client.ping()
            finally:
                client.close()
        except Exception as exc:
            problems.append(f"Redis at REDIS_URL does not answer: {exc.__class__.__name__}: {exc}")
        return problems

    # --- children ---------------------------------------------------------------------------

    def children(self, processes: list[str], options) -> list[Child]:
        python = sys.executable
        celery = [python, "-m", "celery", "-A", "ethicsreview"]
        loglevel = os.environ.get("LOG_LEVEL", "INFO")
        web_workers = options["web_workers"] or default_web_workers()
        web = [
            python,
            "-m",
            "gunicorn",
            "ethicsreview.wsgi:application",
            "--bind",
            f"{options['host']}:{options['port']}",
            "--workers",
            str(web_workers),
            "--graceful-timeout",
            str(int(options["grace"])),
            "--error-logfile",
            "-",
        ]
        if not options["no_access_log"]:
            web += ["--access-logfile", "-"]
        if _gunicorn_has_setting("control_socket_disable"):
            # gunicorn 25+ opens a control socket at one fixed path per user, which a second
            # server on the machine would take over; this supervisor signals gunicorn itself.
            web += ["--no-control-socket"]
        worker = [
            *celery,
            "worker",
            "--loglevel",
            loglevel,
            "--hostname",
            options["worker_hostname"],
        ]
        if options["worker_concurrency"]:
            worker += ["--concurrency", str(options["worker_concurrency"])]
        schedule = Path(settings.VAR_DIR) / "celerybeat-schedule"
        if "beat" in processes:
            schedule.parent.mkdir(parents=True, exist_ok=True)
        beat = [
            *celery,
            "beat",
            "--loglevel",
            loglevel,
            "--schedule",
            str(schedule),
        ]
        argv = {"web": web, "worker": worker, "beat": beat}
        return [Child(name, argv[name]) for name in PROCESSES if name in processes]

    def say(self, name: str, line: str) -> None:
        with self._lock:
            sys.stdout.write(f"{name:<6}| {line}\n")
            sys.stdout.flush()

    def pump(self, child: Child) -> None:
        assert child.proc is not None and child.proc.stdout is not None
        for raw in iter(child.proc.stdout.readline, b""):
            self.say(child.name, raw.decode("utf-8", "replace").rstrip("\r\n"))
        child.proc.stdout.close()

    def spawn(self, child: Child) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        child.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            child.argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=settings.BASE_DIR,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        self.say(
            "serve", f"started {child.name} (pid {child.proc.pid}): {' '.join(child.argv[1:])}"
        )

    def on_signal(self, signum, frame) -> None:
        if self._stop_signal is None:
            self._stop_signal = signum
        else:
            self._hurry = True

    def stop(self, children: list[Child], signum: int, grace: float) -> None:
        for child in children:
            if child.running:
                with contextlib.suppress(ProcessLookupError):
                    child.proc.send_signal(signum)
        deadline = time.monotonic() + grace
        while any(c.running for c in children) and time.monotonic() < deadline and not self._hurry:
            time.sleep(0.1)
        for child in children:
            if child.running:
                self.say("serve", f"{child.name} did not stop in time: killing it")
            # The whole session: gunicorn's workers, Celery's pool processes.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.proc.pid, signal.SIGKILL)
            child.proc.wait()
        for child in children:
            if child.pump is not None:
                child.pump.join(timeout=5)

    def handle(self, *args, **options):
        processes = [p.strip() for p in options["processes"].split(",") if p.strip()]
        unknown = sorted(set(processes) - set(PROCESSES))
        if unknown or not processes:
            raise CommandError(f"--processes takes some of {', '.join(PROCESSES)}.")
        problems = self.configuration_problems(processes)
        if not problems:
            problems = self.service_problems()
        if problems:
            raise CommandError(
                "refusing to start the production server:\n"
                + "\n".join(f"  - {p}" for p in problems)
            )

        children = self.children(processes, options)
        announce = ""
        if "web" in processes:
            announce = (
                f"serving on http://{options['host']}:{options['port']}/ "
                "(Ctrl-C or SIGTERM stops everything)"
            )
        code = self.supervise(children, options["grace"], announce)
        if code:
            raise CommandError("stopped because a process exited", returncode=code)

    def supervise(self, children: list[Child], grace: float, announce: str = "") -> int:
        """Start the children, wait for a signal or for one of them to end, stop them all.
        0 after a requested stop; otherwise the exit status of the child that ended (1 if
        it ended with 0, 128 + N if a signal N killed it)."""
        self._lock = threading.Lock()
        self._stop_signal: int | None = None
        self._hurry = False
        previous = {
            sig: signal.signal(sig, self.on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            for child in children:
                self.spawn(child)
            for child in children:
                child.pump = threading.Thread(target=self.pump, args=(child,), daemon=True)
                child.pump.start()
            if announce:
                self.say("serve", announce)
            died = None
            while self._stop_signal is None:
                died = next((c for c in children if not c.running), None)
                if died is not None:
                    break
                time.sleep(0.2)
            if died is not None:
                code = died.proc.returncode
                self.say("serve", f"{died.name} exited with code {code}: stopping the others")
                self.stop(children, signal.SIGTERM, grace)
                return 128 - code if code < 0 else code or 1
            name = signal.Signals(self._stop_signal).name
            self.say("serve", f"{name} received: stopping {', '.join(c.name for c in children)}")
            self.stop(children, self._stop_signal, grace)
            self.say("serve", "stopped")
            return 0
        finally:
            for child in children:
                if child.proc is not None:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(child.proc.pid, signal.SIGKILL)
                    if child.proc.poll() is None:
                        child.proc.wait()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
