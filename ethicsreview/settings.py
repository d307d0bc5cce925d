"""Settings for Ethics Review, read from the environment.

Embedded defaults make a fresh checkout run (SQLite under ``var/``, console e-mail,
background work inline). ``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and
Celery on Redis. Every variable is listed in ``.env.example``.
"""

import ipaddress
import os
import secrets
import sys
import zoneinfo
from pathlib import Path

import dj_database_url
import xstatic.pkg.bootstrap
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

# Build-time commands that neither serve requests nor sign anything that outlives them may
# run without a key (a throwaway one is made up for the process), so `manage.py check` and
# `makemigrations --check` work in a bare checkout or a build step.
# `serve` checks SECRET_KEY itself and refuses to start without one, with a plain message.
KEYLESS_COMMANDS = frozenset(
    {"check", "makemigrations", "collectstatic", "compilemessages", "makemessages", "help", "serve"}
)
_command = sys.argv[1] if len(sys.argv) > 1 and Path(sys.argv[0]).name == "manage.py" else ""

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and _command in KEYLESS_COMMANDS:
        SECRET_KEY = "throwaway-" + secrets.token_urlsafe(48)
    elif not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. For local use run `make run`, "
            "which sets DEBUG=true, or copy .env.example and set SECRET_KEY."
        )
    SECRET_KEY = "django-insecure-local-development-only-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "assessments",
    "seeding",  # demo and bench data: management commands only
]

MIDDLEWARE = [
    # Outermost: error pages for /api/ addresses become JSON, whichever layer made them.
    "assessments.api.errors.JsonErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "assessments.middleware.UserLanguageMiddleware",
    "assessments.middleware.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "assessments.middleware.SessionSecurityMiddleware",
    "assessments.middleware.AccessDeniedLogMiddleware",
    "assessments.middleware.AdminMfaMiddleware",
    "assessments.middleware.MfaNextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "ethicsreview.urls"
WSGI_APPLICATION = "ethicsreview.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "assessments.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "ethicsreview.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE) serve PostgreSQL; on SQLite they are plain indexes, which is
# what we want there, so Django's "non-key columns will be ignored" warning is noise.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- Redis, cache and Celery --------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
# Seconds any Redis call (cache, enqueue, readiness probe) may take to connect or answer
# before it counts as failed. Redis answers in well under a millisecond; this bounds what a
# stopped or hung Redis adds to a request (README: "When Redis fails").
REDIS_SOCKET_TIMEOUT = 1
_CACHE_FILES = {
    "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
    "LOCATION": str(Path(env_str("CACHE_DIR", str(VAR_DIR / "cache")))),
    "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "ethicsreview"),
}
# The cache is shared by every web process (allauth's login rate limits, the public-feedback
# limit and API throttling live here): Redis when configured, otherwise files under var/,
# never per-process memory. While Redis is stopped or hung the same calls are served by
# those files (assessments.resilient_cache), so pages answer and the limits keep holding.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "assessments.resilient_cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "ethicsreview"),
            "OPTIONS": {
                "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
                "FALLBACK": "local",
                # While Redis is failing, each process tries it again this often.
                "RETRY_AFTER": 10,
            },
        },
        "local": _CACHE_FILES,
    }
else:
    # Files under var/ are shared by every process on the machine (runserver, gunicorn
    # workers, management commands) and need no table.
    CACHES = {"default": _CACHE_FILES}

CELERY_BROKER_URL = REDIS_URL or "memory://"
# No result backend: nothing reads a task's result (tasks write their outcome to the
# database), and storing results made every enqueue wait on the backend's reconnect loop
# (20 retries) while Redis was down.
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
    # Enqueueing in a request connects once and gives up (the outbox re-sends later); the
    # worker's own reconnect loop (broker_connection_retry) is not affected.
    "max_retries": 0,
    "visibility_timeout": 3600,
}
CELERY_TIMEZONE = "UTC"
# Periodic work, defined in code. Without a broker, `manage.py run_periodic` runs it.
CELERY_BEAT_SCHEDULE = {
    "expire-approvals": {"task": "assessments.tasks.expire_approvals", "schedule": 15 * 60},
    "resend-notifications": {"task": "assessments.tasks.resend_notifications", "schedule": 60},
    "resend-webhooks": {"task": "assessments.tasks.resend_webhooks", "schedule": 60},
    "scan-reminders": {"task": "assessments.tasks.scan_reminders", "schedule": 60 * 60},
    # The audit chain head to the security log, where the database cannot rewrite it.
    "log-audit-head": {"task": "assessments.tasks.log_audit_head", "schedule": 60 * 60},
    "daily-digests": {
        "task": "assessments.tasks.send_daily_digests",
        "schedule": crontab(hour=6, minute=0),
    },
    "weekly-manager-digest": {
        "task": "assessments.tasks.weekly_manager_digest",
        "schedule": crontab(hour=6, minute=30, day_of_week="mon"),
    },
    "training-reminders": {
        "task": "assessments.tasks.scan_training_reminders",
        "schedule": crontab(hour=6, minute=15),
    },
    "purge-feedback-contacts": {
        "task": "assessments.tasks.purge_feedback_contacts",
        "schedule": crontab(hour=3, minute=15),
    },
}
# Publishing must fail fast when Redis is down or hung: the action has committed and the
# outbox row is re-sent by resend-notifications.
CELERY_TASK_PUBLISH_RETRY = False

# --- Authentication ----------------------------------------------------------------------
AUTH_USER_MODEL = "assessments.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "assessments.adapters.InviteOnlyAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Ethics Review] "
ACCOUNT_LOGIN_ATTEMPTS_LIMIT_PER_MINUTE = env_int("LOGIN_FAILED_LIMIT_PER_MINUTE", 5)
ACCOUNT_RATE_LIMITS = {
    # Failed logins: per client address, and per (client address, e-mail) key (the adapter
    # puts the address in the key, so nobody elsewhere can lock an account out); the
    # cache above is shared. The address is ratelimit.client_address (TRUSTED_PROXY_COUNT).
    "login_failed": f"20/m/ip,{ACCOUNT_LOGIN_ATTEMPTS_LIMIT_PER_MINUTE}/5m/key",
    "login": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Ethics Review"
# Reviewers, chairs and administrators must set up an authenticator app before they vote,
# decide, assign, verify, triage, send back or use the Django admin.
REQUIRE_MFA_FOR_BOARD = env_bool("REQUIRE_MFA_FOR_BOARD", True)
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 7)
# Signatures (votes, the chair's confirmations and overrules): this many wrong passwords
# per person in this many seconds refuse signing until the window ends and sign them out.
SIGNATURE_FAILED_LIMIT = env_int("SIGNATURE_FAILED_LIMIT", 5)
SIGNATURE_FAILED_WINDOW = env_int("SIGNATURE_FAILED_WINDOW", 15 * 60)
# Ethics training (issue #21): a marketer needs current required training to submit; a
# reviewer or chair needs it to vote, confirm or overrule. Nothing is needed for a role no
# module is required for.
TRAINING_REQUIRED_TO_SUBMIT = env_bool("TRAINING_REQUIRED_TO_SUBMIT", True)
TRAINING_REQUIRED_TO_DECIDE = env_bool("TRAINING_REQUIRED_TO_DECIDE", True)
# Serious feedback, or more than this many concerns within 30 days, flags a re-review.
FEEDBACK_REREVIEW_CONCERNS = env_int("FEEDBACK_REREVIEW_CONCERNS", 3)
# Monitoring reports (assessments/monitoring.py): a segment whose rate of positive outcomes
# is under MONITORING_MIN_RATIO of the best segment's (the four-fifths rule, 29 CFR
# 1607.4(D)) with a difference significant at MONITORING_ALPHA is a breach; a report overdue
# by more than MONITORING_GRACE_DAYS flags the campaign for the chair.
MONITORING_MIN_RATIO = float(os.environ.get("MONITORING_MIN_RATIO", "0.8"))
MONITORING_ALPHA = float(os.environ.get("MONITORING_ALPHA", "0.05"))
MONITORING_GRACE_DAYS = env_int("MONITORING_GRACE_DAYS", 7)
# Proxies we run in front of the app (load balancer, ingress...). 0: the client is
# REMOTE_ADDR and X-Forwarded-For is ignored; N: the N-th address from the right of
# X-Forwarded-For (assessments.ratelimit.client_address). Every per-client limit uses it.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
# Consumer feedback accepted per client address per (clock) hour on a public notice.
PUBLIC_FEEDBACK_PER_HOUR = env_int("PUBLIC_FEEDBACK_PER_HOUR", 5)
# Days a consumer's reply e-mail is kept; the daily purge-feedback-contacts job blanks it after.
FEEDBACK_CONTACT_RETENTION_DAYS = env_int("FEEDBACK_CONTACT_RETENTION_DAYS", 180)

# --- Malware scan of uploads (ClamAV) -------------------------------------------------------
# Empty: off. "unix:///run/clamav/clamd.ctl" or "tcp://host:3310": every upload is streamed to
# clamd first and refused when infected or when the scanner does not answer (fail closed).
CLAMAV_ADDRESS = env_str("CLAMAV_ADDRESS", "")
CLAMAV_TIMEOUT = env_int("CLAMAV_TIMEOUT", 10)

# --- Video evidence ---------------------------------------------------------------------------
# Largest MP4 or QuickTime video accepted as campaign evidence or creative, in MB (documents and
# images stay at 10 MB). With a malware scan, clamd's StreamMaxLength must be at least this.
EVIDENCE_MAX_VIDEO_MB = env_int("EVIDENCE_MAX_VIDEO_MB", 100)
if EVIDENCE_MAX_VIDEO_MB < 1:
    raise ImproperlyConfigured("EVIDENCE_MAX_VIDEO_MB must be at least 1.")

# --- Content credentials (C2PA) of uploaded images and video --------------------------------
# A PEM file of the certificate authorities whose signed credentials count as trusted. Empty:
# a valid signature is shown as valid but its signer as not on the trust list.
C2PA_TRUST_ANCHORS_FILE = env_str("C2PA_TRUST_ANCHORS_FILE", "")
C2PA_TRUST_ANCHORS = (
    Path(C2PA_TRUST_ANCHORS_FILE).read_text(encoding="ascii") if C2PA_TRUST_ANCHORS_FILE else ""
)

# --- Webhooks ------------------------------------------------------------------------------
# Deliveries go to https:// addresses on the public internet only (no SSRF into our network).
# Plain http:// only when this is on (a developer's receiver); off by default.
WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", False)
# Comma-separated networks (CIDR) deliveries may reach although they are not public, e.g. an
# on-premise receiver "10.20.0.0/24" (cloud metadata addresses stay refused). Empty: none.
WEBHOOK_ALLOWED_NETWORKS = env_list("WEBHOOK_ALLOWED_NETWORKS", "")
for _network in WEBHOOK_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(
            f"WEBHOOK_ALLOWED_NETWORKS: {_network!r} is not a network (e.g. 10.20.0.0/24)"
        ) from _exc

# --- Internationalisation ----------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# One date/time and number format in both languages (ethicsreview/formats/<language>).
FORMAT_MODULE_PATH = ["ethicsreview.formats"]

# --- Working calendar (assessments/calendar.py) --------------------------------------------
# Weekend days as Python weekday numbers (Monday 0 … Sunday 6): "5,6" Saturday–Sunday,
# "4,5" Friday–Saturday for boards that work Sunday–Thursday.
try:
    WORKING_WEEKEND = [int(day) for day in env_list("WORKING_WEEKEND", "5,6")]
except ValueError as _exc:
    raise ImproperlyConfigured(
        'WORKING_WEEKEND: weekday numbers, Monday 0 to Sunday 6 (e.g. "5,6" or "4,5")'
    ) from _exc
if not set(WORKING_WEEKEND) <= set(range(7)) or len(set(WORKING_WEEKEND)) > 6:
    raise ImproperlyConfigured(
        "WORKING_WEEKEND: weekday numbers 0-6 that leave at least one working day"
    )
# Public holidays from the ``holidays`` package: ISO country code ("" for none) and
# optional subdivision (e.g. "ENG" for England, "CA" for California).
HOLIDAY_COUNTRY = env_str("HOLIDAY_COUNTRY", "")
HOLIDAY_SUBDIVISION = env_str("HOLIDAY_SUBDIVISION", "")
# The board's own zone: where its working days begin and end (due dates, "overdue").
CALENDAR_TIME_ZONE = env_str("CALENDAR_TIME_ZONE", "UTC")
# A new person's display time zone until they choose their own.
DEFAULT_USER_TIME_ZONE = env_str("DEFAULT_USER_TIME_ZONE", "UTC")
if HOLIDAY_COUNTRY:
    import holidays

    try:
        holidays.country_holidays(HOLIDAY_COUNTRY, subdiv=HOLIDAY_SUBDIVISION or None)
    except NotImplementedError as _exc:
        raise ImproperlyConfigured(
            f"HOLIDAY_COUNTRY/HOLIDAY_SUBDIVISION: {HOLIDAY_COUNTRY!r}/{HOLIDAY_SUBDIVISION!r} "
            "is not known to the holidays package (e.g. SA, or GB with ENG)"
        ) from _exc
for _setting in ("CALENDAR_TIME_ZONE", "DEFAULT_USER_TIME_ZONE"):
    try:
        zoneinfo.ZoneInfo(globals()[_setting])
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as _exc:
        raise ImproperlyConfigured(
            f"{_setting}: {globals()[_setting]!r} is not a time zone (e.g. Asia/Riyadh)"
        ) from _exc

# --- Static files ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it to exist
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap 5 (CSS incl. the RTL build, and JS) from the xstatic-bootstrap package.
    ("bootstrap", xstatic.pkg.bootstrap.BASE_DIR),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# Uploaded files (evidence, feedback attachments): on the local disk under MEDIA_ROOT by
# default; FILE_STORAGE=s3 keeps them in an S3-compatible bucket (AWS, MinIO, ...) so web
# machines keep nothing. Private objects, signed URLs only: downloads go through the app's
# permission-checked views, which read the file through the storage API. Credentials come
# from the standard AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, a role).
FILE_STORAGE = env_str("FILE_STORAGE", "filesystem").strip().lower() or "filesystem"
if FILE_STORAGE == "s3":
    if not env_str("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("FILE_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE") or None,
            "location": env_str("AWS_S3_LOCATION", "").strip("/"),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }
elif FILE_STORAGE != "filesystem":
    raise ImproperlyConfigured(f"FILE_STORAGE must be filesystem or s3, got {FILE_STORAGE!r}")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail (Django 6.1 MAILERS) ---------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Ethics Review <no-reply@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
_smtp_host = env_str("EMAIL_HOST")
if _smtp_host:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _smtp_host,
                "port": env_int("EMAIL_PORT", 587),
                "username": env_str("EMAIL_HOST_USER") or None,
                "password": env_str("EMAIL_HOST_PASSWORD") or None,
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "use_ssl": env_bool("EMAIL_USE_SSL", False),
                "timeout": env_int("EMAIL_TIMEOUT", 10),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# --- Security ----------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# A signed-in session ends after SESSION_IDLE_TIMEOUT seconds without a request and, in any
# case, SESSION_ABSOLUTE_LIFETIME seconds after signing in.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_ABSOLUTE_LIFETIME = env_int("SESSION_ABSOLUTE_LIFETIME", 12 * 3600)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIFETIME
SESSION_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
if SESSION_COOKIE_SECURE:
    # The __Host- prefix binds the cookie to this exact host over HTTPS.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz and /readyz are probed over plain HTTP by load balancers.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# --- REST API ----------------------------------------------------------------------------------
# Personal API tokens (Authorization: Bearer …) act as their user; the browser's session works
# too (with CSRF), so the interactive docs can be tried while signed in.
API_THROTTLE_RATE = env_str("API_THROTTLE_RATE", "600/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "assessments.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["assessments.api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": API_THROTTLE_RATE},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["assessments.api.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "assessments.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ethics Review API",
    "DESCRIPTION": (
        "Launch gate, submissions, stakeholder feedback and campaign history for marketing "
        "tools. Authenticate with a personal API token from your profile page: "
        "`Authorization: Bearer <token>`. The token acts with your roles and nothing more."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # assessments.converters: ids in paths are at most 18 digits (a bigint always holds them).
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "minimum": 0, "maximum": 10**18 - 1},
        "public_id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
    },
    "ENUM_NAME_OVERRIDES": {
        "CampaignStatusEnum": "assessments.models.campaigns.CampaignStatus",
        # The incidents' choices share field names with earlier ones: the earlier keep
        # their component names (clients generated from the schema use them).
        "SeverityEnum": "assessments.models.feedback.FeedbackSeverity",
        "KindEnum": "assessments.models.register.ToolKind",
        "IncidentStatusEnum": "assessments.models.incidents.IncidentStatus",
        "IncidentSeverityEnum": "assessments.models.incidents.IncidentSeverity",
        "IncidentEntryKindEnum": "assessments.models.incidents.EntryKind",
        "PlanSourceEnum": "assessments.monitoring.PLAN_SOURCES",
    },
}

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "security_json": {"()": "assessments.security_log.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "security_console": {"class": "logging.StreamHandler", "formatter": "security_json"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Security events: one JSON object per line, whatever LOG_LEVEL says.
        "ethicsreview.security": {
            "handlers": ["security_console"],
            "level": "INFO",
            "propagate": False,
        },
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},  # one INFO line per layout step otherwise
        "fontTools": {"level": "WARNING"},
    },
}
