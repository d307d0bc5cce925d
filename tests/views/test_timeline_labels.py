"""The history and the campaign page: translated labels, and the values the page gets ready-made."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from assessments import selectors, services
from assessments.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_timeline_details_are_labels_in_the_readers_language(approved_campaign):
    # The labels are translated when written: read them with English active (an earlier
    # test's Arabic request leaves Arabic active in this thread).
    with translation.override("en"):
        rows = selectors.timeline_rows(approved_campaign, "en")
    details = {row["kind"]: row["detail"] for row in rows}
    assert details["voted"] == "Approve" and details["decided"] == "Approved"
    with translation.override("ar"):
        arabic = {r["kind"]: r["detail"] for r in selectors.timeline_rows(approved_campaign, "ar")}
    assert arabic["decided"] not in ("approved", "Approved", "")


def test_campaign_page_shows_prepared_times_and_step_links(approved_campaign, client, marketer):
    """Values the page gets ready-made (not through template tags): each event's time and
    each assessment step's link."""
    client.force_login(marketer)
    html = client.get(reverse("campaign_detail", args=[approved_campaign.pk])).text
    first = AuditEvent.objects.filter(campaign=approved_campaign).order_by("seq").first()
    when = timezone.localtime(first.created_at)
    assert (
        f'<time datetime="{first.created_at.isoformat()}"><span class="ltr-value">'
        f"{when:%Y-%m-%d %H:%M} UTC</span></time>"
    ) in html
    step = reverse("assessment_step", args=[approved_campaign.pk, "privacy"])
    assert f'href="{step}"' in html


def test_suggestions_name_the_tier_they_would_reach(campaign, client, marketer):
    services.assessment_save_answers(
        actor=marketer, campaign=campaign, answers={"privacy.basis": "none"}
    )
    client.force_login(marketer)
    summary = client.get(reverse("assessment_summary", args=[campaign.pk])).text
    assert 'data-testid="suggestions"' in summary
    badges = [line for line in summary.splitlines() if "→ <strong>" in line]
    assert badges and all('data-testid="tier-badge" data-tier="' in line for line in badges)
    assert all(("Tier " in line) or ("Prohibited" in line) for line in badges)
