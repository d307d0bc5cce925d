"""A GET never writes: every page of the application, as every persona, leaves the number
of rows of every model (and the audit log) as it was. Sessions are left out: signing in
and out (an invitation link signs a person out) is the session framework's own business."""

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import connection
from django.urls import reverse

from assessments.models import AuditEvent
from tests.views.test_access_matrix import ACCESS, PERSONAS, url_for, world  # noqa: F401

pytestmark = pytest.mark.django_db

MODELS = [
    model
    for model in apps.get_models()
    if model is not Session and not model._meta.proxy and model._meta.managed
]


def rows() -> dict[str, int]:
    """The number of rows of every model, in one statement."""
    quote = connection.ops.quote_name
    counts = ", ".join(
        f"(SELECT COUNT(*) FROM {quote(model._meta.db_table)})"  # noqa: S608 - table names
        for model in MODELS
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        values = cursor.fetchone()
    return {model._meta.label: n for model, n in zip(MODELS, values, strict=True)}


def test_the_snapshot_covers_the_apps_models(campaign):
    labels = {model._meta.label for model in MODELS}
    assert {"assessments.Campaign", "assessments.TransparencyNotice"} <= labels
    assert AuditEvent._meta.label in labels
    assert rows()["assessments.Campaign"] == 1


def test_the_notice_page_shows_a_draft_without_storing_it(client, marketer, approved_campaign):
    client.force_login(marketer)
    before = rows()
    response = client.get(reverse("notice_edit", args=[approved_campaign.pk]))
    assert response.status_code == 200
    assert rows() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_get_writes_a_row(client, personas, world, persona):
    campaign, kwargs = world
    written = []
    for name in sorted(ACCESS):
        client.logout()
        if persona != "anonymous":
            client.force_login(personas[persona])
        before = rows()
        response = client.get(url_for(name, campaign, kwargs))
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        after = rows()
        changed = {label: after[label] - n for label, n in before.items() if after[label] != n}
        if changed:
            written.append(f"{persona} GET {name} → {response.status_code}: {changed}")
    assert not written, "\n".join(written)
