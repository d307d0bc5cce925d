import pytest
from django.db import connection

from assessments import audit


@pytest.fixture
def delete_guard_on():
    """The SQLite DELETE guard as in production (the test session switches it off)."""
    previous = audit.set_test_flush_allowed(False)
    yield
    audit.set_test_flush_allowed(previous)


@pytest.fixture
def sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-specific: the suite is running on another database")
    return connection


@pytest.fixture
def triggers_dropped(transactional_db):
    """The append-only triggers removed, as someone with DDL rights could, so a test can tamper
    with rows; they are put back (by the migration's installer) whatever the test does."""
    audit.drop_triggers(connection)
    yield
    audit.install_triggers(connection)
