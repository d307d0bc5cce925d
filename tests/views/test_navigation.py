"""Every role sees its own places, and only those."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = ["my_campaigns", "campaign_list", "review_queue", "dashboard", "people"]

# persona -> pages they may open (the rest answer 403)
ALLOWED = {
    "marketer": {"my_campaigns", "campaign_list"},
    "outsider": {"my_campaigns", "campaign_list"},
    "reviewer": {"campaign_list", "review_queue"},
    "chair": {"campaign_list", "review_queue", "dashboard"},
    "manager": {"campaign_list", "dashboard", "people"},
    "admin": {"campaign_list", "dashboard", "people"},
}


def nav_urls(html: str) -> set[str]:
    start = html.index('data-testid="role-nav"')
    end = html.index("</ul>", start)
    fragment = html[start:end]
    return {
        reverse(name) for name in PAGES + ["admin:index"] if f'href="{reverse(name)}"' in fragment
    }


@pytest.mark.parametrize("persona", sorted(ALLOWED))
def test_navigation_shows_each_role_its_places(client, personas, persona):
    client.force_login(personas[persona])
    html = client.get(reverse("home")).text
    expected = {reverse(name) for name in ALLOWED[persona]}
    if persona == "admin":
        expected.add(reverse("admin:index"))
    assert nav_urls(html) == expected


@pytest.mark.parametrize("persona", sorted(ALLOWED))
@pytest.mark.parametrize("page", PAGES)
def test_role_pages_open_only_for_their_roles(client, personas, persona, page):
    client.force_login(personas[persona])
    response = client.get(reverse(page))
    assert response.status_code == (200 if page in ALLOWED[persona] else 403)
    if response.status_code == 403:
        assert "not part of your role" in response.text


@pytest.mark.parametrize("page", PAGES + ["home"])
def test_anonymous_visitors_are_sent_to_login(client, page):
    response = client.get(reverse(page))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_home_shows_attention_items_per_role(client, personas):
    client.force_login(personas["reviewer"])
    html = client.get(reverse("home")).text
    assert 'data-testid="attention-mfa"' in html  # reviewers must set up MFA
    assert 'data-testid="attention-reviewer"' in html
    assert 'data-testid="attention-marketer"' not in html

    client.force_login(personas["marketer"])
    html = client.get(reverse("home")).text
    assert 'data-testid="attention-mfa"' not in html
    assert 'data-testid="attention-marketer"' in html


def test_home_counts_pending_and_expired_invitations_for_admins(client, admin_user):
    InvitationFactory(invited_by=admin_user)
    InvitationFactory(invited_by=admin_user)
    InvitationFactory(invited_by=admin_user, expires_at=timezone.now() - timedelta(days=1))
    client.force_login(admin_user)
    html = client.get(reverse("home")).text
    assert "2 invitations waiting to be accepted" in html
    assert "1 invitation expired unused" in html


def test_user_without_role_gets_a_clear_empty_state(client):
    client.force_login(UserFactory(roles=[]))
    html = client.get(reverse("home")).text
    assert 'data-testid="attention-no-role"' in html


def test_the_bell_is_drawn_not_a_character_a_font_may_lack(client, marketer):
    """An emoji bell rendered as an empty box where no colour-emoji font is installed."""
    client.force_login(marketer)
    html = client.get(reverse("my_campaigns")).text
    start = html.index('data-testid="bell"')
    bell = html[start : html.index("</a>", start)]
    assert "<svg" in bell and 'aria-hidden="true"' in bell
    assert not any(ord(c) > 0xFFFF for c in bell)  # no emoji (astral-plane characters)
    assert "Notifications" in bell  # the accessible name
