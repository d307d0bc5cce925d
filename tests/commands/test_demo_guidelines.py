"""The demo guidelines: published in both languages, linked to real questions of the current
questionnaire, governing the demo drafts, and seeded once."""

import pytest
from django.core.management import call_command

from assessments import guidelines
from assessments.models import Campaign, Guideline, GuidelineLink, Notification, NotificationKind

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_time")]


def test_seed_demo_publishes_the_guidelines_once(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    published = Guideline.objects.published().select_related("current")
    assert published.count() == 4
    for guideline in published:
        version = guideline.current
        assert version.title_en and version.title_ar and version.body_en and version.body_ar
    codes = set(GuidelineLink.objects.filter(kind="question").values_list("code", flat=True))
    assert {"privacy.lawful_basis", "transparency.ai_disclosure", "privacy.children_data"} <= codes
    texts = " ".join(g.current.body_en for g in published)
    for citation in ("Art. 6(1)", "Art. 7", "Art. 21(2)", "Art. 50(4)", "Art. 8", "312", "5(3)"):
        assert citation in texts
    # The demo drafts are governed by some of them, and their teams were told.
    draft = Campaign.objects.filter(status="draft").first()
    assert guidelines.governing(draft).exists()
    assert Notification.objects.filter(kind=NotificationKind.GUIDELINE_UPDATED).exists()
    call_command("seed_demo")
    assert Guideline.objects.count() == 4
