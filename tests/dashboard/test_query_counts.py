"""The pages' query counts do not depend on how much history there is: measured after
seeding 10 campaigns and again after 200, and pinned."""

import pytest
from django.db import connection
from django.urls import reverse

from assessments import bulk_seed, listing
from assessments.models import Campaign, CampaignStatus, Team, User
from assessments.roles import Role

pytestmark = pytest.mark.django_db

# Pinned: a change that adds a query to one of these pages must say so here.
EXPECTED = {
    "dashboard": 6,
    "dashboard_filtered": 7,  # + the team filter's lookup
    "list": 7,
    "list_filtered": 7,  # the team filter is checked against the options' one read
    "list_next_page": 7,
    "export_csv": 5,
    # An expired campaign: no conditions, comments, evidence or feedback to read; on
    # PostgreSQL the campaign, its review lists and their people are one round trip
    # (rawrows.read_together_and_each).
    "detail": 5 if connection.vendor == "postgresql" else 11,
    "review_queue": 5,  # every list in one statement (assessments.queue)
    "my_campaigns": 6,
}


def queries(client, url) -> int:
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, (url, response.status_code)
    return len(executed)


def measure(client) -> dict:
    manager = User.objects.filter(roles__role=Role.MANAGER).order_by("pk").first()
    chair = User.objects.filter(roles__role=Role.CHAIR).order_by("pk").first()
    marketer = User.objects.filter(roles__role=Role.MARKETER).order_by("pk").first()
    team = Team.objects.order_by("pk").first()
    # A campaign with a full review: versions, votes, a decision, events.
    detail = Campaign.objects.filter(status=CampaignStatus.EXPIRED).order_by("-pk").first()
    listing_url = reverse("campaign_list")
    first_page = Campaign.objects.order_by("-updated_at", "-id")[:1].get()
    cursor = listing._cursor_of(first_page, listing.SORTS["updated"][0])
    pages = {
        "dashboard": (manager, reverse("dashboard")),
        "dashboard_filtered": (
            manager,
            reverse("dashboard") + f"?team={team.pk}&channel=social&tier=II&from=2025-01",
        ),
        "list": (manager, listing_url),
        "list_filtered": (manager, listing_url + f"?state=approved&team={team.pk}&q=a"),
        "list_next_page": (manager, listing_url + f"?after={cursor}"),
        "export_csv": (manager, reverse("campaign_export") + f"?team={team.pk}"),
        "detail": (manager, reverse("campaign_detail", args=[detail.pk])),
        "review_queue": (chair, reverse("review_queue")),
        "my_campaigns": (marketer, reverse("my_campaigns")),
    }
    out = {}
    for name, (user, url) in pages.items():
        client.force_login(user)
        client.get(url)  # warm the per-process definition and score caches
        out[name] = queries(client, url)
    return out


def test_query_counts_are_independent_of_the_data_size(client):
    bulk_seed.seed(10, seed=3)
    small = measure(client)
    bulk_seed.seed(190, seed=4)
    assert Campaign.objects.count() == 200
    large = measure(client)
    assert large == small
    assert small == EXPECTED
