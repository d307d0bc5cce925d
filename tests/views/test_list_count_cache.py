"""The campaign list keeps its count like its rows (``listing.count_key``): per reader and
filters, until a change through the services; a filter that moves with the clock is
counted on every read."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from assessments import fragments, services
from assessments.models import Campaign
from tests.conftest import LOW_RISK_ANSWERS, REFERENCE_TIME
from tests.views.test_search import intake

pytestmark = pytest.mark.django_db

LIST = reverse("campaign_list")


def listed(client, user, **filters) -> int:
    client.force_login(user)
    response = client.get(LIST, filters)
    assert response.status_code == 200
    return response.context["page"].count


def api_count(client, user, **filters) -> int:
    client.force_login(user)  # the API accepts the session's sign-in
    response = client.get(reverse("api_campaigns"), filters, secure=True)
    assert response.status_code == 200
    return response.json()["count"]


def test_the_count_follows_new_campaigns(client, campaign, manager, marketer, team):
    assert listed(client, manager, q="spring") == api_count(client, manager, q="spring") == 1
    services.campaign_create(actor=marketer, team=team, intake=intake(name="Spring two"))
    assert listed(client, manager, q="spring") == api_count(client, manager, q="spring") == 2
    assert listed(client, manager, q="spring", sort="name") == 2


def test_the_count_is_the_readers_own(client, campaign, manager, outsider, other_team):
    services.campaign_create(actor=outsider, team=other_team, intake=intake(name="Spring theirs"))
    assert listed(client, manager, q="spring") == 2
    assert listed(client, outsider, q="spring") == 1  # read after the manager's, same filters
    assert api_count(client, outsider, q="spring") == 1


def test_a_team_change_moves_the_count(client, campaign, marketer, admin_user, other_team, team):
    assert listed(client, marketer) == 1
    services.user_update(
        actor=admin_user, user=marketer, roles=["marketer"], teams=[other_team], is_specialist=False
    )
    assert listed(client, marketer) == 0


def test_overdue_is_counted_at_each_read(client, campaign, manager, marketer, monkeypatch):
    monkeypatch.setattr(fragments, "TIMEOUT", 365 * 24 * 3600)  # kept across the clock's move
    with time_machine.travel(REFERENCE_TIME, tick=False) as clock:
        services.assessment_save_answers(
            actor=marketer, campaign=campaign, answers=LOW_RISK_ANSWERS
        )
        services.campaign_submit(actor=marketer, campaign=campaign)
        due = Campaign.objects.get(pk=campaign.pk).review_due_at
        assert listed(client, manager, overdue="on") == 0
        clock.move_to(due + timedelta(days=7))  # past the due day, whatever the weekday
        assert listed(client, manager, overdue="on") == 1
