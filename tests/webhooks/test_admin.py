"""Administrators register webhooks, see their deliveries and send them again."""

import pytest
from django.urls import reverse

from assessments import webhooks
from assessments.models import DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent

pytestmark = pytest.mark.django_db


def test_an_administrator_registers_a_webhook(client, admin_user, receiver):
    client.force_login(admin_user)
    add = client.get(reverse("admin:assessments_webhook_add"))
    assert add.status_code == 200
    assert 'type="checkbox" name="events" value="decision.made"' in add.text
    response = client.post(
        reverse("admin:assessments_webhook_add"),
        {
            "name": "CRM",
            "url": receiver.url,
            "events": ["feedback.serious", "decision.made"],
            "active": "on",
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.text[:3000]
    hook = Webhook.objects.get()
    assert hook.events == ["decision.made", "feedback.serious"]
    assert len(hook.secret) == 64
    change = client.get(reverse("admin:assessments_webhook_change", args=[hook.pk]))
    assert hook.secret in change.text  # shown read-only, with how to verify
    assert "X-EthicsReview-Signature" in change.text
    assert 'name="secret"' not in change.text


def test_only_web_urls_and_at_least_one_event(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:assessments_webhook_add"),
        {
            "name": "Bad",
            "url": "ftp://example.com/hook",
            "active": "on",
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Enter an https:// address." in response.text
    assert not Webhook.objects.exists()


def test_recent_deliveries_and_send_again_now(
    client, admin_user, receiver, approved_campaign, django_capture_on_commit_callbacks
):
    hook = Webhook.objects.create(name="CRM", url=receiver.url, events=WebhookEvent.values)
    receiver.answers = [500]
    delivery = webhooks.emit(WebhookEvent.DECISION_MADE, approved_campaign, {"outcome": "x"})[0]
    webhooks.deliver(delivery.pk)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED)

    client.force_login(admin_user)
    change = client.get(reverse("admin:assessments_webhook_change", args=[hook.pk]))
    assert "recent deliveries" in change.text.lower()
    assert "HTTP 500" in change.text
    listing = client.get(
        reverse("admin:assessments_webhookdelivery_changelist"), {"status__exact": "failed"}
    )
    assert listing.status_code == 200 and "HTTP 500" in listing.text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:assessments_webhookdelivery_changelist"),
            {"action": "send_again_now", "_selected_action": [delivery.pk]},
        )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 2
    assert len(receiver.requests) == 2


def test_not_for_other_roles(client, chair):
    client.force_login(chair)
    response = client.get(reverse("admin:assessments_webhook_changelist"))
    assert response.status_code == 302
