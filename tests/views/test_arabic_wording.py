"""Issue #20 point 13: Arabic pages say everything in Arabic and keep figures readable.
Figures and formulas are isolated from the right-to-left text around them, lists are
joined with the Arabic comma on the pages and in the PDF report, the sign-in message and
the blank choice are Arabic, and a signature's meaning is kept in the signer's language
beside the canonical English, both checked by ``verify_audit_log``."""

import re
from datetime import date
from io import StringIO

import pytest
from django import forms
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from assessments import reports, services, wording
from assessments.management.commands.load_questionnaires import DEFINITIONS_DIR, read_definition
from assessments.models import AuditEvent, Campaign, Vote
from assessments.selectors import definition_of, display_answer
from assessments.services import campaign_create, questionnaire_load
from assessments.services.review import CHAIR_MEANINGS, VOTE_MEANINGS
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ISOLATE = re.compile(r'<bdi class="ltr-value" dir="ltr">([^<]*)</bdi>')


# --- figures and formulas ------------------------------------------------------------------


def test_driver_points_and_figures_are_isolated_left_to_right(client, arabic_campaign, marketer):
    """ "(+4 / 5)" sits in its own left-to-right isolate, so RTL text cannot turn it into
    "(5 / 4+)"; so do the dimension scores."""
    client.force_login(marketer)
    html = client.get(reverse("assessment_summary", args=[arabic_campaign.pk])).text
    result = html[html.index('data-testid="result"') :]
    result = result[: result.index("</section>")]
    isolated = ISOLATE.findall(result)
    assert any(re.fullmatch(r"\(\+\d+ / \d+\)", text) for text in isolated)  # a driver
    assert any(re.fullmatch(r"\d+ / \d+", text) for text in isolated)  # a dimension
    outside = re.sub(r"<[^>]+>", " ", ISOLATE.sub("", result))
    assert not re.search(r"\d+ / \d+", outside)


def test_arabic_result_explains_the_formula_in_arabic(client, arabic_campaign, marketer):
    client.force_login(marketer)
    html = client.get(reverse("assessment_summary", args=[arabic_campaign.pk])).text
    result = html[html.index('data-testid="result"') :]
    result = result[: result.index("</section>")]
    text = re.sub(r"<[^>]+>", " ", result)
    for english in ("Rmax", "Mmax", "README", "Scoring", "R / ", "M / "):
        assert english not in text
    assert "المخاطر / أقصاها" in text and "الضمانات / أقصاها" in text


# --- lists ----------------------------------------------------------------------------------


def test_join_list_uses_the_separator_of_the_language():
    items = ["أ", "ب", "ج"]
    assert wording.join_list(items, "ar") == "أ، ب، ج"
    assert wording.join_list(["a", "b"], "en") == "a, b"
    with translation.override("ar"):
        assert wording.join_list(items) == "أ، ب، ج"
        assert wording.version_label(2) == "الإصدار 2"
        assert wording.quoted("نص") == "«نص»"
    with translation.override("en"):
        assert wording.join_list(["a", "b"]) == "a, b"
        assert wording.version_label(2) == "v2"


@pytest.fixture
def arabic_campaign(marketer, team):
    """Two channels, two markets, two techniques, on the shipped questionnaire, for a
    marketer whose language is Arabic."""
    shipped, _ = questionnaire_load(
        data=read_definition(DEFINITIONS_DIR / "ai-marketing-impact.yaml"), source="test"
    )
    campaign = campaign_create(
        actor=marketer,
        team=team,
        questionnaire=shipped,
        intake={
            "name": "عروض رمضان",
            "objective": "زيادة التسجيل",
            "description": "عروض مخصّصة",
            "channels": ["social", "search"],
            "markets": ["gulf", "eu"],
            "audiences": "البالغون",
            "ai_techniques": ["personalisation", "segmentation"],
            "data_sources": ["first_party"],
            "data_categories": ["contact"],
            "reaches_minors": False,
            "reaches_vulnerable": False,
            "flight_start": date(2027, 1, 1),
            "flight_end": date(2027, 3, 1),
        },
    )
    marketer.language = "ar"
    marketer.save(update_fields=["language"])
    return campaign


def _intake_values(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", value).strip()
        for value in re.findall(r"<dd[^>]*>(.*?)</dd>", html, flags=re.S)
    ]


def test_arabic_campaign_page_and_pdf_report_join_lists_with_the_arabic_comma(
    client, arabic_campaign, marketer
):
    client.force_login(marketer)
    page = client.get(reverse("campaign_detail", args=[arabic_campaign.pk])).text
    pdf_html = render_to_string(
        "assessments/report_pdf.html", reports.report_context(arabic_campaign, marketer, "ar")
    )
    for html in (page, pdf_html):
        joined = [v for v in _intake_values(html) if "، " in v]
        assert len(joined) >= 3, joined  # channels, markets, techniques
        assert not [v for v in _intake_values(html) if re.search(r"[\u0600-\u06ff], ", v)]


def test_english_pages_keep_the_latin_comma(client, arabic_campaign, marketer):
    marketer.language = "en"
    marketer.save(update_fields=["language"])
    client.force_login(marketer)
    page = client.get(reverse("campaign_detail", args=[arabic_campaign.pk])).text
    assert len([v for v in _intake_values(page) if ", " in v]) >= 3
    assert "، " not in "".join(_intake_values(page))


# --- sign-in message and blank choice -------------------------------------------------------


def test_sign_in_message_is_in_the_persons_saved_language(client, marketer):
    marketer.language = "ar"
    marketer.save(update_fields=["language"])
    response = client.post(
        reverse("account_login"),
        {"login": marketer.email, "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages, "a sign-in message is shown"
    assert messages == [f"لقد سجلت الدخول بنجاح يا {marketer.display_name}."]
    assert "Successfully signed in" not in response.text


def test_blank_choice_of_a_select_box_is_arabic():
    class Pick(forms.Form):
        status = forms.ModelChoiceField(queryset=Campaign.objects.none())
        kind = forms.TypedChoiceField(
            choices=Campaign._meta.get_field("status").get_choices(include_blank=True)
        )

    with translation.override("ar"):
        html = str(Pick()["kind"])
    assert "Select an option" not in html
    assert "اختر خيارًا" in html


# --- the meaning of a signature ------------------------------------------------------------


def _verify() -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit_log", stdout=out, stderr=err)
    except SystemExit as exit_info:
        return exit_info.code, err.getvalue()
    return 0, out.getvalue()


def test_arabic_signature_keeps_the_signers_text_and_the_english(
    complete_campaign, marketer, chair, board
):
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    services.review_assign(actor=chair, campaign=complete_campaign, reviewers=board[:1])
    services.assignment_accept(
        actor=board[0], assignment=board[0].assignments.get(), declaration="لا يوجد"
    )
    with translation.override("ar"):
        services.vote_cast(
            actor=board[0],
            campaign=complete_campaign,
            decision="approve",
            rationale="مقبول",
            password=PASSWORD,
        )
    vote = Vote.objects.get()
    assert vote.meaning == VOTE_MEANINGS["approve"]  # the canonical English, as before
    assert vote.meaning_language == "ar"
    assert vote.meaning_signed == "أوافق على هذا الإصدار من الحملة."
    assert vote.meaning_as_signed == vote.meaning_signed and vote.meaning_translated
    event = AuditEvent.objects.get(kind="voted")
    assert event.payload["meaning_language"] == "ar"
    assert re.fullmatch(r"[0-9a-f]{64}", event.payload["meaning_sha256"])
    assert _verify() == (0, f"OK {AuditEvent.objects.count()} events\n")

    # Another signed text on the row than the one its event pinned: found.
    Vote.objects.filter(pk=vote.pk).update(meaning_signed="أرفض هذا الإصدار من الحملة.")
    code, err = _verify()
    assert code == 1 and f"vote {vote.pk}: the signed meaning differs" in err
    # An English text that is not the act signed: found too.
    Vote.objects.filter(pk=vote.pk).update(
        meaning_signed=vote.meaning_signed, meaning=VOTE_MEANINGS["reject"]
    )
    code, err = _verify()
    assert code == 1 and f"vote {vote.pk}: the English meaning" in err


def test_chair_signature_in_arabic_and_old_english_signatures_still_verify(
    approved_campaign, chair
):
    """A vote signed before the signer's text was kept (English only, no language) still
    verifies; the chair's overrule signed in Arabic keeps both texts."""
    Vote.objects.update(meaning_signed="", meaning_language="")
    with translation.override("ar"):
        services.decision_overrule(
            actor=chair,
            campaign=approved_campaign,
            outcome="rejected",
            rationale="مخاطر غير مقبولة",
            password=PASSWORD,
            **services.signing_expectation(approved_campaign, "overrule"),
        )
    decision = approved_campaign.decisions.get(kind="overruled")
    assert decision.meaning == CHAIR_MEANINGS["overruled"]
    assert decision.meaning_language == "ar" and "رئيس المجلس" in decision.meaning_signed
    assert _verify()[0] == 0


def test_campaign_page_shows_the_meaning_as_signed(client, approved_campaign, marketer):
    """The English-signed vote of the fixture shows in English quotes on an English page;
    an Arabic-signed one shows its Arabic text in « » on an Arabic page."""
    client.force_login(marketer)
    page = client.get(reverse("campaign_detail", args=[approved_campaign.pk])).text
    assert f"“{VOTE_MEANINGS['approve']}”" in page
    Vote.objects.update(meaning_signed="أوافق على هذا الإصدار من الحملة.", meaning_language="ar")
    marketer.language = "ar"
    marketer.save(update_fields=["language"])
    page = client.get(reverse("campaign_detail", args=[approved_campaign.pk])).text
    assert "«أوافق على هذا الإصدار من الحملة.»" in page
    assert VOTE_MEANINGS["approve"] not in page


def test_answers_with_several_choices_are_joined_in_the_language_shown(arabic_campaign):
    definition = definition_of(arabic_campaign.assessment.questionnaire)
    question = next(
        q
        for q in definition.question_list
        if q.type == "multiple" and len([o for o in q.options if not o.exclusive]) >= 2
    )
    values = [o.value for o in question.options if not o.exclusive][:2]
    arabic = display_answer(question, values, "ar")
    assert arabic.count("، ") == 1 and ", " not in arabic
    assert display_answer(question, values, "en").count(", ") >= 1
