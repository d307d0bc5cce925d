"""The dashboard's training, register and incident sections sit in a cached fragment keyed
on the version the services bump: each change below shows on the very next view of a warm
dashboard. (Without the bump in a service, its test here fails.)"""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from assessments import services
from tests.factories import make_tool
from tests.monitoring.test_incident_views import VALID
from tests.training_support import make_module

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


def dashboard(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("dashboard")).text


def coverage(page: str) -> str:
    section = page[page.index('data-testid="training-coverage"') :]
    return section[: section.index("</table>")]


def test_a_recorded_training_shows_at_once(client, manager, marketer, admin_user):
    module = make_module(roles=["marketer"])
    with time_machine.travel(datetime(2030, 6, 1, 10, tzinfo=UTC), tick=False):
        assert "0%" in coverage(dashboard(client, manager))
        services.training_record(
            actor=admin_user,
            person=marketer,
            module=module,
            completed_on=date(2030, 5, 20),  # current for a year from then
            note="Workshop.",
        )
        assert "100%" in coverage(dashboard(client, manager))


def test_a_role_change_shows_at_once(client, manager, marketer, admin_user):
    make_module(roles=["marketer"])
    assert "Aurora Beverages" in coverage(dashboard(client, manager))
    services.user_set_roles(actor=admin_user, user=marketer, roles=["manager"])
    assert "Aurora Beverages" not in coverage(dashboard(client, manager))


def test_an_incident_shows_at_once(client, manager, marketer, approved_campaign):
    assert "0 open (0 suspending a clearance)" in dashboard(client, manager)
    services.incident_open(actor=marketer, campaign=approved_campaign, **VALID)
    assert "1 open (1 suspending a clearance)" in dashboard(client, manager)


def test_a_register_review_shows_at_once(client, manager, chair):
    # February: a one-month approval expires within the dashboard's 30 days.
    with time_machine.travel(datetime(2030, 2, 5, 10, tzinfo=UTC), tick=False):
        tool = make_tool(actor=chair, name="Soon")
        assert reverse("register_detail", args=[tool.pk]) not in dashboard(client, manager)
        services.tool_review(actor=chair, tool=tool, decision="approved", limits="", months=1)
        assert reverse("register_detail", args=[tool.pk]) in dashboard(client, manager)
