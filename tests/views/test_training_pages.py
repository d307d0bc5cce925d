"""The ethics training pages (issue #21): each role's access, administrators' module, record
and import pages with hostile input, taking a quiz, the refusals with their links on the
campaign pages, the dashboard section and the People page, in English and Arabic."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments import services
from assessments.models import Assignment, Campaign, TrainingCompletion, TrainingModule
from tests.factories import PASSWORD, UserFactory
from tests.training_support import QUIZ, complete, make_module

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_time")]

ADMIN_PAGES = ["training_module_new", "training_record", "training_import"]
MODULE_POST = {
    "title_en": "Fairness",
    "title_ar": "العدالة",
    "content_en": "Test **who** you reach.",
    "content_ar": "",
    "external_url": "",
    "required_roles": ["marketer", "reviewer"],
    "validity_months": "24",
    "quiz": "? Proxy? | مؤشر بديل؟\n* Postcode | الرمز البريدي\n- Budget | الميزانية",
    "pass_mark": "100",
    "is_active": "on",
}


@pytest.mark.parametrize("persona", ["marketer", "outsider", "reviewer", "chair", "manager"])
def test_only_administrators_reach_the_administration_pages(client, personas, persona):
    module = make_module()
    client.force_login(personas[persona])
    for name in ADMIN_PAGES:
        assert client.get(reverse(name)).status_code == 403, name
        assert client.post(reverse(name), MODULE_POST).status_code == 403, name
    edit = reverse("training_module_edit", args=[module.pk])
    assert client.post(edit, MODULE_POST).status_code == 403
    assert TrainingModule.objects.get().title_en == "Privacy and consent"
    # Everyone signed in reads the training pages.
    assert client.get(reverse("training_list")).status_code == 200
    assert client.get(reverse("training_module", args=[module.pk])).status_code == 200


def test_anonymous_and_deactivated_people_are_sent_to_sign_in(client):
    module = make_module()
    gone = UserFactory(roles=["admin"], is_active=False)
    for who in (None, gone):
        if who:
            client.force_login(who)
        for url in (reverse("training_list"), reverse("training_module", args=[module.pk])):
            assert client.get(url).status_code == 302
        assert client.post(reverse("training_module_new"), MODULE_POST).status_code == 302
    assert TrainingModule.objects.count() == 1


def test_an_administrator_defines_a_module_on_its_page(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("training_module_new")).status_code == 200
    response = client.post(reverse("training_module_new"), MODULE_POST)
    module = TrainingModule.objects.get()
    assert response.status_code == 302
    assert module.required_roles == ["marketer", "reviewer"]
    assert module.quiz[0]["correct"] == [0] and module.quiz[0]["question"]["ar"] == "مؤشر بديل؟"
    page = client.get(reverse("training_module_edit", args=[module.pk])).text
    assert "* Postcode | الرمز البريدي" in page  # the quiz comes back as its text form
    changed = client.post(
        reverse("training_module_edit", args=[module.pk]), {**MODULE_POST, "validity_months": "6"}
    )
    assert changed.status_code == 302
    assert TrainingModule.objects.get().validity_months == 6


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title_en", "a\x00b", "Null characters are not allowed"),
        ("title_en", "x" * 201, "at most 200"),
        ("validity_months", "99999999999999999999", "less than or equal to 120"),
        ("validity_months", "-1", "greater than or equal to 1"),
        ("pass_mark", "NaN", "whole number"),
        ("external_url", "http://example.com/", "https://"),
        ("external_url", "javascript:alert(1)", "valid URL"),
        ("required_roles", "owner", "valid choice"),
        ("quiz", "? Q only English\n* yes | نعم", "Line 1"),
        ("quiz", "\u202e? Q | س", "Line 1"),
        ("content_en", "x" * 50_001, "at most 50000"),
    ],
)
def test_hostile_module_input_is_a_form_error(client, admin_user, field, value, message):
    client.force_login(admin_user)
    response = client.post(reverse("training_module_new"), {**MODULE_POST, field: value})
    assert response.status_code == 400
    assert message in response.text
    assert not TrainingModule.objects.exists()


def test_content_is_rendered_as_sanitised_markdown(client, marketer):
    module = make_module(content_en="**Bold** <script>alert(1)</script> [x](javascript:alert(1))")
    client.force_login(marketer)
    page = client.get(reverse("training_module", args=[module.pk])).text
    assert "<strong>Bold</strong>" in page
    assert "<script>alert(1)" not in page and 'href="javascript' not in page


def test_taking_the_quiz_pass_and_fail(client, marketer):
    module = make_module(quiz=QUIZ, pass_mark=100)
    client.force_login(marketer)
    url = reverse("training_module", args=[module.pk])
    failed = client.post(url, {"q0": ["0"], "q1": ["0"]})
    assert failed.status_code == 200
    assert "Your score is 50%; the pass mark is 100%" in failed.text
    assert not TrainingCompletion.objects.exists()
    passed = client.post(url, {"q0": ["0", "1"], "q1": ["0"]}, follow=True)
    assert "Completed: “Privacy and consent”" in passed.text
    completion = TrainingCompletion.objects.get()
    assert completion.person == marketer and completion.score == 100


def test_the_quiz_ignores_posted_protected_fields(client, marketer, outsider):
    module = make_module()
    client.force_login(marketer)
    client.post(
        reverse("training_module", args=[module.pk]),
        {"person": outsider.pk, "expires_at": "2099-01-01", "method": "imported", "score": "7"},
    )
    completion = TrainingCompletion.objects.get()
    assert completion.person == marketer and completion.method == "read"
    assert completion.score is None and completion.expires_at.year < 2099


def test_a_retired_module_is_hidden_except_from_administrators(client, marketer, admin_user):
    module = make_module(is_active=False)
    client.force_login(marketer)
    assert client.get(reverse("training_module", args=[module.pk])).status_code == 404
    assert client.post(reverse("training_module", args=[module.pk])).status_code == 404
    client.force_login(admin_user)
    assert client.get(reverse("training_module", args=[module.pk])).status_code == 200


def test_the_pages_in_arabic(client, marketer):
    module = make_module(quiz=QUIZ)
    marketer.language = "ar"
    marketer.save()
    client.force_login(marketer)
    client.cookies["django_language"] = "ar"
    listing = client.get(reverse("training_list"), HTTP_ACCEPT_LANGUAGE="ar").text
    assert "تدريب الأخلاقيات" in listing and "الخصوصية والموافقة" in listing
    assert 'dir="rtl"' in listing
    page = client.get(reverse("training_module", args=[module.pk]), HTTP_ACCEPT_LANGUAGE="ar")
    assert "الرمز البريدي" in page.text and "أرسل إجاباتي" in page.text
    assert "<strong>هذا</strong>" in page.text


def test_an_administrator_records_a_completion_on_its_page(client, admin_user, marketer):
    module = make_module()
    client.force_login(admin_user)
    body = {
        "person": marketer.pk,
        "module": module.pk,
        "completed_on": "2026-01-05",
        "note": "Provider course",
        "recorded_by": marketer.pk,
        "method": "quiz",
    }
    assert client.post(reverse("training_record"), {**body, "note": ""}).status_code == 400
    assert client.post(reverse("training_record"), body).status_code == 302
    completion = TrainingCompletion.objects.get()
    assert completion.recorded_by == admin_user and completion.method == "recorded"


def csv_upload(data: bytes, name="completions.csv"):
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_import_page_all_or_nothing_with_line_numbers(client, admin_user, marketer):
    module = make_module()
    client.force_login(admin_user)
    bad = (
        f"email,module,completed\nmarketer@example.com,{module.pk},2026-01-05\n"
        "nobody@example.com,1,2026-01-05\n=cmd|' /C calc'!A0,1,2026-01-05\n"
    ).encode()
    response = client.post(reverse("training_import"), {"file": csv_upload(bad)})
    assert response.status_code == 400
    assert "Line 3: nobody has this e-mail address" in response.text
    assert "Line 4: a value starts with" in response.text
    assert not TrainingCompletion.objects.exists()
    good = f"email,module,completed\nmarketer@example.com,{module.pk},2026-01-05\n".encode()
    response = client.post(reverse("training_import"), {"file": csv_upload(good)}, follow=True)
    assert "1 completions imported." in response.text
    assert TrainingCompletion.objects.get().method == "imported"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x00" * 64, "NUL"),
        ("email,module,completed\né,1,2026-01-01\n".encode("utf-16"), "NUL"),
        ("email,module,completed\né,1,2026-01-01\n".encode("latin-1"), "UTF-8"),
        (b"email,module,completed\n" + b"x" * 1_100_000, "larger than 1 MB"),
    ],
)
def test_hostile_files_on_the_import_page(client, admin_user, data, message):
    client.force_login(admin_user)
    response = client.post(reverse("training_import"), {"file": csv_upload(data)})
    assert response.status_code == 400 and message in response.text


# --- the refusals on the campaign pages ------------------------------------------------------


def test_the_submit_page_says_what_training_is_missing_with_a_link(
    client, marketer, complete_campaign
):
    module = make_module(roles=["marketer"])
    link = f'<a href="/training/{module.pk}/">Privacy and consent</a>'
    client.force_login(marketer)
    confirmation = client.get(reverse("campaign_submit", args=[complete_campaign.pk]))
    assert link in confirmation.text
    response = client.post(
        reverse("campaign_submit", args=[complete_campaign.pk]),
        {"confirmed_tier": "I"},
        follow=True,
    )
    assert link in response.text
    assert Campaign.objects.get(pk=complete_campaign.pk).status == "draft"


def test_the_vote_form_says_what_training_is_missing_with_a_link(
    client, marketer, complete_campaign, chair, board
):
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    services.review_assign(actor=chair, campaign=complete_campaign, reviewers=board[:1])
    assignment = Assignment.objects.get(reviewer=board[0])
    services.assignment_accept(actor=board[0], assignment=assignment, declaration="None")
    module = make_module(roles=["reviewer"])
    client.force_login(board[0])
    response = client.post(
        reverse("vote", args=[complete_campaign.pk]),
        {"decision": "approve", "rationale": "ok", "password": PASSWORD},
    )
    assert response.status_code == 400
    assert f'<a href="/training/{module.pk}/">Privacy and consent</a>' in response.text
    assert not complete_campaign.votes.exists()


def test_the_overrule_form_says_what_training_is_missing(client, chair, approved_campaign):
    make_module(roles=["chair"])
    client.force_login(chair)
    response = client.post(
        reverse("decision_overrule", args=[approved_campaign.pk]),
        {
            "outcome": "rejected",
            "rationale": "No.",
            "password": PASSWORD,
            **services.signing_expectation(approved_campaign, "overrule"),
        },
    )
    assert response.status_code == 400
    assert "Your required ethics training is not current" in response.text
    assert Campaign.objects.get(pk=approved_campaign.pk).status == "approved"


# --- dashboard and People ----------------------------------------------------------------------


def test_the_dashboard_shows_coverage_and_expiring_training(
    client, manager, marketer, outsider, reviewer, reference_time
):
    module = make_module(roles=["marketer", "reviewer"])
    complete(marketer, module, reference_time - timedelta(days=350))  # expires in ~15 days
    complete(outsider, module, reference_time - timedelta(days=400))  # expired
    client.force_login(manager)
    page = client.get(reverse("dashboard")).text
    section = page[page.index('data-testid="training-coverage"') :]
    assert "Aurora Beverages" in section and "Northwind Retail" in section
    assert "100%" in section and "0%" in section  # Aurora's marketer covered, Northwind's not
    expiring = section[section.index('data-testid="training-expiring"') :]
    assert marketer.display_name in expiring and outsider.display_name not in expiring


def test_the_dashboard_has_no_training_section_without_modules(client, manager):
    client.force_login(manager)
    assert 'data-testid="training-coverage"' not in client.get(reverse("dashboard")).text


def test_the_people_page_shows_each_persons_training(client, manager, marketer, team):
    module = make_module(roles=["marketer"])
    complete(marketer, module, datetime.now(UTC) - timedelta(days=400))
    client.force_login(manager)
    page = client.get(reverse("people")).text
    assert 'data-state="expired"' in page
    assert "Nothing required" in page  # the manager's own row
