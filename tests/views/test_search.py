"""Campaign search (``?q=`` on the campaign list and the API): every field it covers,
accent-, case- and Arabic-diacritic-insensitive, the stored text kept right by every service
that changes a part of it, wildcards taken literally, hostile input refused cleanly."""

import importlib
from datetime import date
from types import SimpleNamespace

import pytest
from allauth.account import signals as account_signals
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from assessments import fragments, paging, search, services
from assessments.errors import ServiceError
from assessments.models import Campaign, Team, User
from seeding import bulk as bulk_seed
from tests.conftest import INTAKE_POST

pytestmark = pytest.mark.django_db

LIST = reverse("campaign_list")


def intake(**changes) -> dict:
    return {
        **INTAKE_POST,
        "reaches_minors": False,
        "reaches_vulnerable": False,
        "flight_start": date(2027, 1, 1),
        "flight_end": date(2027, 3, 1),
        **changes,
    }


def found_on_list(client, user, q) -> set[int]:
    client.force_login(user)
    response = client.get(LIST, {"q": q})
    assert response.status_code == 200
    return {
        int(part.split('"', 1)[0])
        for part in response.content.decode().split('<tr data-campaign="')[1:]
    }


def found_by_api(user, q) -> set[int]:
    _token, raw = services.api_token_create(user=user, name=f"search {q[:20]}")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = api.get(reverse("api_campaigns"), {"q": q})
    assert response.status_code == 200, response.content[:500]
    return {row["id"] for row in response.json()["results"]}


def renamed(campaign, owner, **changes):
    return services.campaign_update_intake(actor=owner, campaign=campaign, intake=intake(**changes))


def fresh_text(campaign) -> str:
    campaign = Campaign.objects.select_related("team", "owner").get(pk=campaign.pk)
    return search.document_of(campaign)


def stored_text(campaign) -> str:
    return Campaign.objects.values_list("search_text", flat=True).get(pk=campaign.pk)


# --- normalisation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("Résumé", "resume"),
        ("RÉSUMÉ  Straße", "resume strasse"),
        ("ﬁne", "fine"),
        ("İstanbul", "istanbul"),
        ("مُنْتَجٌ", "منتج"),  # harakat dropped
        ("أحمد إبراهيم آمنة", "احمد ابراهيم امنه"),  # hamza forms of alef, teh marbuta
        ("عـــربي", "عربي"),  # tatweel
        ("\u202espring\u200f", "spring"),  # bidi controls
        ("a\x00b\tc", "ab c"),
        ("é\x00b\tc", "eb c"),
    ],
)
def test_normalise(text, normal):
    assert search.normalise(text) == normal


def test_terms_are_limited():
    assert len(search.terms(" ".join(f"w{i}" for i in range(50)))) == search.MAX_TERMS


# --- what it finds ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        "spring",  # name
        "LOOKALIKES",  # name, any case
        "from our crm",  # description, several words
        "Aurora",  # team
        "marketer@example",  # owner's e-mail
    ],
)
def test_finds_by_each_field_on_the_list_and_the_api(client, campaign, manager, outsider, q):
    assert found_on_list(client, manager, q) == {campaign.pk}
    assert found_by_api(manager, q) == {campaign.pk}
    # Scoped as always: another team's marketer finds nothing.
    assert found_on_list(client, outsider, q) == set()
    assert found_by_api(outsider, q) == set()


def test_finds_by_owner_name_and_not_by_what_no_part_holds(client, campaign, manager, marketer):
    first, last = marketer.display_name.split()[:2]
    assert found_on_list(client, manager, f"{last.upper()} {first.lower()}") == {campaign.pk}
    assert found_on_list(client, manager, "northwind") == set()
    # Every word must be found; no word matches across two parts.
    assert found_on_list(client, manager, "spring northwind") == set()
    assert found_on_list(client, manager, "lookalikesaurora") == set()


def test_accents_and_case_are_ignored_both_ways(client, campaign, manager, marketer, team):
    other = services.campaign_create(
        actor=marketer, team=team, intake=intake(name="Plain resume refresh")
    )
    renamed(campaign, marketer, name="Résumé Élan")
    assert found_on_list(client, manager, "resume") == {campaign.pk, other.pk}
    assert found_on_list(client, manager, "RÉSUMÉ") == {campaign.pk, other.pk}
    assert found_on_list(client, manager, "elan") == {campaign.pk}
    assert found_by_api(manager, "Resumé élan") == {campaign.pk}


def test_arabic_with_and_without_diacritics(client, campaign, manager, marketer):
    renamed(campaign, marketer, name="حملة المُنتَج الجديد", description="إعلانات مدرسة")
    assert found_on_list(client, manager, "المنتج") == {campaign.pk}
    assert found_on_list(client, manager, "المُنْتَجُ") == {campaign.pk}
    assert found_on_list(client, manager, "اعلانات مدرسه") == {campaign.pk}
    assert found_by_api(manager, "الجديد") == {campaign.pk}


def test_like_wildcards_match_only_themselves(client, campaign, manager, marketer, team):
    percent = services.campaign_create(
        actor=marketer, team=team, intake=intake(name="100% organic", description="plain")
    )
    underscore = services.campaign_create(
        actor=marketer, team=team, intake=intake(name="snake_case launch", description="plain")
    )
    backslash = services.campaign_create(
        actor=marketer, team=team, intake=intake(name="back\\slash", description="plain")
    )
    assert found_on_list(client, manager, "%") == {percent.pk}
    assert found_on_list(client, manager, "_") == {underscore.pk}
    assert found_on_list(client, manager, "\\") == {backslash.pk}
    assert found_on_list(client, manager, "e_c") == {underscore.pk}
    assert found_by_api(manager, "0%") == {percent.pk}


@pytest.mark.parametrize(
    "q",
    ["spring\x00", "x" * 10_000, "spring" + "\u202e" * 95],
)
def test_hostile_queries_are_a_form_error_not_a_server_error(client, campaign, manager, q):
    client.force_login(manager)
    response = client.get(LIST, {"q": q})
    # The list answers 400 with the form and its error (as for any refused filter).
    assert response.status_code == 400
    assert response.context["form"].errors["q"]
    _token, raw = services.api_token_create(user=manager, name="hostile")
    response = client.get(reverse("api_campaigns"), {"q": q}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 400
    assert "q" in response.json()["fields"]


@pytest.mark.parametrize("q", ["\u202e\u200f\u2066", "\u064b\u064c", "ـ", "   "])
def test_a_query_of_invisible_characters_filters_nothing(client, campaign, manager, q):
    assert found_on_list(client, manager, q) == {campaign.pk}
    assert found_by_api(manager, q) == {campaign.pk}


def test_bidi_characters_inside_a_word_are_ignored(client, campaign, manager):
    assert found_on_list(client, manager, "spr\u202eing") == {campaign.pk}


# --- the stored text stays right ---------------------------------------------------------------


def test_created_and_edited_campaigns_have_their_text(client, campaign, manager, marketer):
    assert stored_text(campaign) == fresh_text(campaign) != ""
    renamed(campaign, marketer, name="Autumn push", description="Loyalty points")
    assert stored_text(campaign) == fresh_text(campaign)
    assert found_on_list(client, manager, "autumn loyalty") == {campaign.pk}
    assert found_on_list(client, manager, "spring") == set()


def test_team_rename_rewrites_its_campaigns_only(
    client, campaign, manager, admin_user, outsider, other_team
):
    elsewhere = services.campaign_create(
        actor=outsider, team=other_team, intake=intake(name="Other team's")
    )
    before = stored_text(elsewhere)
    team = Team.objects.get(pk=campaign.team_id)
    services.team_rename(actor=admin_user, team=team, name="Zephyr Drinks")
    assert stored_text(campaign) == fresh_text(campaign)
    assert stored_text(elsewhere) == before
    assert found_on_list(client, manager, "zephyr") == {campaign.pk}
    assert found_on_list(client, manager, "aurora") == set()


def test_only_administrators_rename_teams(campaign, manager, team):
    with pytest.raises(ServiceError):
        services.team_rename(actor=manager, team=team, name="Mine now")
    assert Team.objects.get(pk=team.pk).name == "Aurora Beverages"


def test_renaming_a_team_in_the_admin_goes_through_the_service(
    client, campaign, manager, admin_user, team
):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:assessments_team_change", args=[team.pk]),
        {"name": "Zephyr Drinks", "slug": team.slug},
    )
    assert response.status_code == 302, response.text[:2000]
    assert Team.objects.get(pk=team.pk).name == "Zephyr Drinks"
    assert stored_text(campaign) == fresh_text(campaign)
    assert found_on_list(client, manager, "zephyr") == {campaign.pk}


def test_owner_renamed_in_the_admin(client, campaign, manager, admin_user, marketer):
    client.force_login(admin_user)
    joined = marketer.date_joined
    response = client.post(
        reverse("admin:assessments_user_change", args=[marketer.pk]),
        {
            "email": "maya.new@example.com",
            "display_name": "Maya Quixote",
            "language": "en",
            "is_active": "on",
            "teams": [campaign.team_id],
            "date_joined_0": joined.strftime("%Y-%m-%d"),
            "date_joined_1": joined.strftime("%H:%M:%S"),
            "roles-TOTAL_FORMS": "1",
            "roles-INITIAL_FORMS": "1",
            "roles-MIN_NUM_FORMS": "0",
            "roles-MAX_NUM_FORMS": "1000",
            "roles-0-id": str(marketer.roles.get().pk),
            "roles-0-user": str(marketer.pk),
            "roles-0-role": "marketer",
        },
    )
    assert response.status_code == 302, response.text[:3000]
    assert stored_text(campaign) == fresh_text(campaign)
    assert found_on_list(client, manager, "quixote") == {campaign.pk}
    assert found_on_list(client, manager, "maya.new@") == {campaign.pk}
    assert found_on_list(client, manager, "marketer@example") == set()


def test_new_primary_email_address(client, campaign, manager, marketer):
    User.objects.filter(pk=marketer.pk).update(email="maya.primary@example.com")
    marketer.refresh_from_db()
    account_signals.email_changed.send(
        sender=User, request=None, user=marketer, from_email_address=None, to_email_address=None
    )
    assert stored_text(campaign) == fresh_text(campaign)
    assert found_on_list(client, manager, "maya.primary") == {campaign.pk}


def test_erasure_removes_the_owner_from_the_search(client, campaign, manager, marketer):
    name_word = marketer.display_name.split()[-1]
    label = services.person_erase(user=marketer)
    assert stored_text(campaign) == fresh_text(campaign)
    assert found_on_list(client, manager, "marketer@example") == set()
    if name_word.lower() not in INTAKE_POST["description"].lower() + "aurora beverages":
        assert found_on_list(client, manager, name_word) == set()
    assert found_on_list(client, manager, label) == {campaign.pk}


def test_the_migration_fills_the_text_of_existing_campaigns(campaign, outsider, other_team):
    other = services.campaign_create(
        actor=outsider, team=other_team, intake=intake(name="Ünïcode naïve")
    )
    Campaign.objects.update(search_text="")
    migration = importlib.import_module("assessments.migrations.0029_search")
    migration.backfill(apps, SimpleNamespace(connection=connection))
    for c in (campaign, other):
        assert stored_text(c) == fresh_text(c) != ""
    assert "unicode naive" in stored_text(other)


def test_bulk_seeded_campaigns_have_their_text(settings, reference_time):
    settings.DEBUG = True
    bulk_seed.seed(12)
    campaigns = Campaign.objects.select_related("team", "owner")
    assert len(campaigns) >= 12
    for c in campaigns:
        assert c.search_text == search.document_of(c)


# --- PostgreSQL: the trigram index answers it -------------------------------------------------


def test_the_trigram_index_serves_the_search(postgres, campaign):
    query = Campaign.objects.filter(search.matching("lookalike audiences"))
    sql, params = query.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "campaign_search_trgm" in plan, plan
    assert list(query.values_list("pk", flat=True)) == [campaign.pk]


def test_the_api_list_reads_a_page_in_a_constant_number_of_queries(
    client, campaign, manager, marketer, team
):
    """The answer holds every intake field: they are read with the page, not per row."""
    client.force_login(manager)

    def queries() -> tuple[int, int]:
        fragments.bump()  # the count and the rows are read, not taken from the cache
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("api_campaigns"), {"q": "lookalike"})
        assert response.status_code == 200
        return len(captured), len(response.json()["results"])

    queries()  # the session's first request does more
    one = queries()
    for i in range(5):
        services.campaign_create(actor=marketer, team=team, intake=intake(name=f"Lookalike {i}"))
    assert queries() == (one[0], 6)


def test_a_search_counts_exactly_up_to_its_own_cap(
    client, campaign, manager, marketer, team, monkeypatch
):
    for i in range(3):
        services.campaign_create(actor=marketer, team=team, intake=intake(name=f"Spring {i}"))
    monkeypatch.setattr(paging, "SEARCH_COUNT_CAP", 2)
    client.force_login(manager)
    searched = client.get(LIST, {"q": "spring"}).context["page"]
    assert (searched.count, searched.count_capped, len(searched.rows)) == (2, True, 4)
    listed = client.get(LIST).context["page"]
    assert (listed.count, listed.count_capped) == (4, False)
    answer = client.get(reverse("api_campaigns"), {"q": "spring"}).json()
    assert (answer["count"], answer["count_capped"], len(answer["results"])) == (2, True, 4)
