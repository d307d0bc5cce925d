"""Two API submits of one draft at the same moment, on PostgreSQL: one submits, the other
answers 409 (never 400 or 500), and there is one version."""

import threading

import pytest
from django.db import connections
from django.urls import reverse

from assessments.models import CampaignVersion

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_api_submits_give_one_version_and_a_409(
    postgres, token_for, complete_campaign, marketer
):
    url = reverse("api_submit", args=[complete_campaign.pk])
    clients = [token_for(marketer) for _ in range(2)]
    barrier = threading.Barrier(len(clients))
    answers = [None] * len(clients)

    def submit(index, client):
        try:
            barrier.wait(timeout=10)
            response = client.post(url)
            answers[index] = (response.status_code, response.json())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=pair) for pair in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(status for status, _body in answers) == [200, 409]
    lost = next(body for status, body in answers if status == 409)
    assert lost["error"] == "conflict"
    # Lost at the lock: what changed; or read after the winner committed: the state.
    assert lost.get("changed", {"status": {"now": "submitted"}})["status"]["now"] == "submitted"
    assert CampaignVersion.objects.filter(campaign=complete_campaign).count() == 1
