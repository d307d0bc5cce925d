import json
import logging

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from assessments.security_log import LOGGER_NAME, JsonFormatter


def enable_mfa(user) -> None:
    """Give ``user`` an authenticator app (a TOTP authenticator row, as allauth makes)."""
    TOTP.activate(user, generate_totp_secret())


class SecurityLog:
    """The security events logged during a test, as the console handler writes them."""

    def __init__(self, caplog):
        self.caplog = caplog
        self.formatter = JsonFormatter()

    def lines(self) -> list[str]:
        return [
            self.formatter.format(record)
            for record in self.caplog.records
            if record.name == LOGGER_NAME
        ]

    def events(self, name: str | None = None) -> list[dict]:
        entries = [json.loads(line) for line in self.lines()]
        return [e for e in entries if name is None or e["event"] == name]

    def clear(self) -> None:
        self.caplog.clear()


@pytest.fixture
def security_log(caplog):
    """caplog on the ``ethicsreview.security`` logger (pytest attaches its capture handler
    to non-propagating loggers like this one too)."""
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    return SecurityLog(caplog)
