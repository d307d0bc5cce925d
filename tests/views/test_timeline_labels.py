"""The history shows outcomes and votes by their translated names, not their codes."""

import pytest
from django.utils import translation

from assessments import selectors

pytestmark = pytest.mark.django_db


def test_timeline_details_are_labels_in_the_readers_language(approved_campaign):
    rows = selectors.timeline_rows(approved_campaign, "en")
    details = {row["kind"]: row["detail"] for row in rows}
    assert details["voted"] == "Approve" and details["decided"] == "Approved"
    with translation.override("ar"):
        arabic = {r["kind"]: r["detail"] for r in selectors.timeline_rows(approved_campaign, "ar")}
    assert arabic["decided"] not in ("approved", "Approved", "")
