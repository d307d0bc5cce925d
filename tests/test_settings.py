"""Settings read from the environment, checked in fresh processes."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 30 + "-production-like-secret-key-with-enough-entropy-0123456789",
    "ALLOWED_HOSTS": "ethics.example.com",
    "EMAIL_HOST": "smtp.example.com",
    "DEFAULT_FROM_EMAIL": "ethics@example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def run_manage(*args, env_overrides: dict, drop=()):
    env = {k: v for k, v in os.environ.items() if k not in drop}
    for name in (
        "DEBUG",
        "SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "EMAIL_HOST",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    ):
        env.pop(name, None)
    env.update(env_overrides)
    env["VAR_DIR"] = str(ROOT / "var" / "test-settings")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_variables():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION_ENV
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_with_console_email_in_production():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "EMAIL_HOST"}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=env)
    assert result.returncode != 0
    assert "mail.E001" in result.stdout + result.stderr


def test_secret_key_is_required_without_debug():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    for command in (["migrate", "--plan"], ["showmigrations"], ["verify_audit_log"]):
        result = run_manage(*command, env_overrides=env)
        assert result.returncode != 0, command
        assert "SECRET_KEY must be set" in result.stderr, command
    # The web server's entry point refuses too.
    served = subprocess.run(
        [sys.executable, "-c", "import ethicsreview.wsgi"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert served.returncode != 0 and "SECRET_KEY must be set" in served.stderr


def test_build_time_commands_run_without_a_key():
    # A bare checkout: nothing set at all.
    result = run_manage("check", env_overrides={})
    assert result.returncode == 0, result.stderr
    result = run_manage("makemigrations", "--check", "--dry-run", env_overrides={})
    assert result.returncode == 0, result.stdout + result.stderr


def test_debug_is_off_unless_asked():
    script = (
        "import django, os;"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'ethicsreview.settings');"
        "django.setup(); from django.conf import settings as s;"
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER,"
        " s.MAILERS['default']['BACKEND'].rsplit('.', 2)[-2], s.SESSION_COOKIE_NAME)"
    )
    env = dict(os.environ)
    for name in ("DEBUG", "DATABASE_URL", "REDIS_URL", "EMAIL_HOST"):
        env.pop(name, None)
    env["SECRET_KEY"] = "some-secret-for-this-check-only-0123456789-abcdefghijklmnop"
    env["VAR_DIR"] = str(ROOT / "var" / "test-settings")
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    debug, engine, eager, mail_backend, session_cookie = out.stdout.split()
    assert debug == "False"
    assert engine == "django.db.backends.sqlite3"  # embedded default without DATABASE_URL
    assert eager == "True"  # tasks run inline without REDIS_URL
    assert mail_backend == "console"
    assert session_cookie == "__Host-sessionid"


def test_invalid_boolean_is_a_clear_error():
    result = run_manage("check", env_overrides={"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("WORKING_WEEKEND", "sat,sun", "WORKING_WEEKEND"),
        ("WORKING_WEEKEND", "0,1,2,3,4,5,6", "WORKING_WEEKEND"),
        ("WORKING_WEEKEND", "7", "WORKING_WEEKEND"),
        ("CALENDAR_TIME_ZONE", "Mars/Base", "CALENDAR_TIME_ZONE"),
        ("DEFAULT_USER_TIME_ZONE", "../etc/passwd", "DEFAULT_USER_TIME_ZONE"),
        ("HOLIDAY_COUNTRY", "XX", "HOLIDAY_COUNTRY"),
    ],
)
def test_a_wrong_calendar_setting_stops_the_start(name, value, message):
    result = run_manage("check", env_overrides={"DEBUG": "true", name: value})
    assert result.returncode != 0 and message in result.stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [("0", "EVIDENCE_MAX_VIDEO_MB must be at least 1"), ("ten", "must be an integer")],
)
def test_a_wrong_video_limit_stops_the_start(value, message):
    result = run_manage("check", env_overrides={"DEBUG": "true", "EVIDENCE_MAX_VIDEO_MB": value})
    assert result.returncode != 0 and message in result.stderr
