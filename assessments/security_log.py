"""Security events: one JSON object per line on the ``ethicsreview.security`` logger.

``log_event`` is the one way to write an event; ``JsonFormatter`` (wired in
``settings.LOGGING``) turns it into a line such as::

    {"time": "2026-03-02T09:15:04.211Z", "level": "WARNING", "logger": "ethicsreview.security",
     "event": "login_failed", "actor_id": null, "actor_email": null, "ip": "203.0.113.9",
     "identifier": "someone@example.com"}

(on one line). Every value goes through ``json.dumps``, so text a person typed (an e-mail
address at sign-in, a name, a path) is escaped: it cannot start a new line or add a field.
Passwords, tokens and codes are never logged.

The signal receivers below are connected in ``AssessmentsConfig.ready``. This module imports
nothing from the app or allauth but ``ratelimit`` (which needs no models):
``settings.LOGGING`` loads it before the app registry.
"""

import json
import logging
from datetime import UTC, datetime

from . import ratelimit

LOGGER_NAME = "ethicsreview.security"
logger = logging.getLogger(LOGGER_NAME)

# The fields every line has, in this order; an event's own fields follow.
BASE_FIELDS = ("time", "level", "logger", "event", "actor_id", "actor_email", "ip")


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON, its time in UTC (ISO 8601 with Z)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
        }
        for key, value in getattr(record, "security", {}).items():
            entry.setdefault(key, value)  # an event's fields never replace the base ones
        if record.exc_info:
            entry.setdefault("exception", self.formatException(record.exc_info))
        # ensure_ascii: line and paragraph separators and every other non-ASCII character
        # are written as \\u escapes too.
        return json.dumps(entry, ensure_ascii=True, default=str)


def client_ip(request) -> str | None:
    """The client's address (behind TRUSTED_PROXY_COUNT proxies), as the limits see it."""
    if request is None:
        return None
    address = ratelimit.client_address(request)
    return None if address == ratelimit.UNKNOWN else address


def log_event(event: str, *, actor=None, request=None, level: int = logging.INFO, **fields) -> None:
    """Log ``event`` by ``actor`` (a user, or None) with the client address of ``request``
    (when there is one) and ``fields`` (JSON-serialisable values)."""
    known = actor is not None and getattr(actor, "is_authenticated", False)
    entry = {
        "actor_id": actor.pk if known else None,
        "actor_email": actor.email if known else None,
        "ip": client_ip(request),
    }
    for key, value in fields.items():
        entry.setdefault(key, value)  # nor do they replace who and where
    logger.log(level, event, extra={"security": entry})


# --- receivers (connected in apps.py) -------------------------------------------------------

# The keys a sign-in form may use for who is signing in; everything else (the password above
# all) stays out of the log.
IDENTIFIER_KEYS = ("email", "username", "login")


def on_logged_in(sender, request, user, **kwargs) -> None:
    log_event("login", actor=user, request=request)


def on_logged_out(sender, request, user, **kwargs) -> None:
    log_event("logout", actor=user, request=request)


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    identifier = next((credentials[k] for k in IDENTIFIER_KEYS if credentials.get(k)), None)
    log_event("login_failed", request=request, level=logging.WARNING, identifier=identifier)


def on_mfa_added(sender, request, user, authenticator, **kwargs) -> None:
    log_event("mfa_added", actor=user, request=request, type=authenticator.type)


def on_mfa_removed(sender, request, user, authenticator, **kwargs) -> None:
    log_event("mfa_removed", actor=user, request=request, type=authenticator.type)


def on_mfa_failed(sender, request, user, authenticator=None, **kwargs) -> None:
    log_event(
        "mfa_failed",
        actor=user,
        request=request,
        level=logging.WARNING,
        type=getattr(authenticator, "type", None),
    )
