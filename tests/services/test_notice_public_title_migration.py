"""Migration 0023 (issue #20, point 11): existing notices stop publishing a person's
e-mail address; an unpublished notice titled with the internal campaign name must get a
public title before it is published; a published notice keeps its title."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.errors import ServiceError
from assessments.models import TransparencyNotice

migration = importlib.import_module("assessments.migrations.0023_notice_public_title_and_contact")

pytestmark = pytest.mark.django_db


def legacy_notice(campaign, *, published: bool) -> TransparencyNotice:
    """A notice as the old draft made it: titled with the name, the owner as contact."""
    return TransparencyNotice.objects.create(
        campaign=campaign,
        title_en=f"How we use AI in “{campaign.name}”",
        title_ar=f"كيف نستخدم الذكاء الاصطناعي في “{campaign.name}”",
        body_en="We use AI.",
        body_ar="نستخدم الذكاء الاصطناعي.",
        contact=campaign.owner.email.upper(),
        published_at=timezone.now() if published else None,
    )


@pytest.mark.parametrize("published", [True, False])
def test_existing_notices_lose_the_personal_address(approved_campaign, published):
    notice = legacy_notice(approved_campaign, published=published)
    migration.hide_personal_contacts_and_internal_titles(apps, None)
    notice.refresh_from_db()
    assert notice.contact == ""
    assert notice.is_published is published  # nothing is taken offline
    if published:
        assert approved_campaign.name in notice.title_en  # the page keeps its title
    else:
        assert notice.title_en == notice.title_ar == ""


def test_an_unpublished_legacy_notice_needs_a_title_and_contact_to_publish(
    approved_campaign, marketer
):
    notice = legacy_notice(approved_campaign, published=False)
    migration.hide_personal_contacts_and_internal_titles(apps, None)
    with pytest.raises(ServiceError, match="public title in English"):
        services.notice_publish(actor=marketer, notice=notice, publish=True)


def test_a_team_address_and_a_chosen_title_are_kept(approved_campaign):
    notice = legacy_notice(approved_campaign, published=False)
    TransparencyNotice.objects.filter(pk=notice.pk).update(
        title_en="AI in our ads", contact="privacy@example.com"
    )
    migration.hide_personal_contacts_and_internal_titles(apps, None)
    notice.refresh_from_db()
    assert (notice.title_en, notice.contact) == ("AI in our ads", "privacy@example.com")


def test_a_published_legacy_notice_without_contact_points_to_the_form(client, approved_campaign):
    notice = legacy_notice(approved_campaign, published=True)
    migration.hide_personal_contacts_and_internal_titles(apps, None)
    html = client.get(reverse("public_notice", args=[notice.public_id])).text
    assert approved_campaign.owner.email.lower() not in html.lower()
    assert "mailto:" not in html
    assert "Write to the team responsible for this campaign with the form below." in html
