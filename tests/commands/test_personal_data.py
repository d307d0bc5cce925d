import json
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import CommandError

from assessments import audit
from assessments.models import User, Vote

pytestmark = pytest.mark.django_db


def test_export_person_lists_what_the_system_holds(approved_campaign, board):
    out = StringIO()
    call_command("export_person", board[0].email.upper(), stdout=out)
    data = json.loads(out.getvalue())
    assert data["account"]["email"] == board[0].email
    assert data["votes"][0]["vote"] == "approve"
    assert data["assignments"][0]["declaration"] == "None"
    assert {e["kind"] for e in data["history_events"]} >= {"accepted", "voted"}


def test_erase_person_pseudonymises_and_keeps_the_chain(client, approved_campaign, board):
    reviewer = board[0]
    with pytest.raises(CommandError, match="--yes"):
        call_command("erase_person", reviewer.email, stdout=StringIO())
    call_command("erase_person", reviewer.email, "--yes", stdout=StringIO())
    erased = User.objects.get(pk=reviewer.pk)
    assert reviewer.email not in erased.email and erased.display_name.startswith("person-")
    assert not erased.is_active and not erased.has_usable_password()
    assert not EmailAddress.objects.filter(user=erased).exists()
    assert Vote.objects.get(reviewer=erased).signer_name == erased.display_name
    assert not User.objects.filter(email__iexact=reviewer.email).exists()
    assert audit.verify().ok  # events refer to the person by id only
    page_owner = approved_campaign.owner
    client.force_login(page_owner)
    html = client.get(f"/campaigns/{approved_campaign.pk}/").text
    assert reviewer.display_name not in html


def test_unknown_person_is_a_clear_error():
    with pytest.raises(CommandError, match="No account"):
        call_command("export_person", "nobody@example.com", stdout=StringIO())
