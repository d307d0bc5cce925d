"""Hostile input everywhere (issue #18): a hypothesis property test that sends generated
hostile values to every field of every HTML form, every query parameter of the list,
dashboard, export and API pages, and every API operation, each as a role that may reach
it, and fails on any 5xx (the test client also re-raises any exception a view lets out).

Values: NUL and other control characters, bidi overrides (U+202E...), zero-width and BOM
characters, huge and negative numbers, overlong text, dates that do not exist, markup and
SQL, wrong types (lists for single values, objects for strings), malformed cursors and
invalid UTF-8 in query strings, form bodies, multipart bodies and file names, and JSON
with NUL or lone-surrogate escapes. Each field is either hostile or a valid value, so the
requests also get past form validation into the services.

Deterministic for CI: ``derandomize=True``, a bounded number of examples per target and no
example database, so a run is the same every time and takes well under a minute on SQLite.
Every URL of the application must be listed here as fuzzed or as having nothing to fuzz
(test_every_url_is_fuzzed_or_declared_inert), so a new form cannot be forgotten.
"""

import json
from urllib.parse import quote_from_bytes

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from assessments import services
from assessments.api.urls import urlpatterns as api_patterns
from assessments.dashboard_figures import DashboardFilterForm
from assessments.forms import (
    AcceptInvitationForm,
    ApiTokenForm,
    CampaignForm,
    ClosureDayForm,
    CommentForm,
    ConditionFulfilForm,
    EvidenceForm,
    FeedbackForm,
    InvitationForm,
    LanguageForm,
    NoticeForm,
    OverruleForm,
    PersonForm,
    PublicFeedbackForm,
    RespondForm,
    SignForm,
    SubmitConfirmForm,
    TimeZoneForm,
    TriageForm,
    VoteForm,
    WithdrawForm,
)
from assessments.guideline_forms import GuidelineForm
from assessments.incident_forms import IncidentCloseForm, IncidentEntryForm, IncidentForm
from assessments.listing import CampaignFilterForm
from assessments.models import Assignment, Campaign, NotificationKind
from assessments.monitoring_forms import MonitoringReportForm
from assessments.register_forms import ToolEvidenceForm, ToolForm, ToolReviewForm
from assessments.training_forms import (
    CompletionImportForm,
    CompletionRecordForm,
    TrainingModuleForm,
)
from tests.conftest import INTAKE_POST, LOW_RISK_ANSWERS
from tests.factories import PASSWORD, TOOL_DATA, UserFactory
from tests.views.test_access_matrix import ACCESS, app_url_names
from tests.views.test_access_matrix import world as world  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db

EXAMPLES = 10  # per target; every example sets every field

FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)

# --- hostile values ------------------------------------------------------------------------

NASTY = [
    "\x00",
    "a\x00b",
    "\x01\x02\x1b[2J\x7f\x08",
    "\r\n\r\nSet-Cookie: x=1",
    "\u202egnp.exe",  # RIGHT-TO-LEFT OVERRIDE
    "\u2066\u202d\u2069x",
    "\ufeff\u200b\u200d",
    "\ud800",  # a lone surrogate: invalid UTF-8 once encoded
    "",
    " ",
    "x" * 20_000,
    "-1",
    "0",
    "-99999999999999999999",
    "99999999999999999999",
    "9223372036854775808",
    "1e999999",
    "-1e999999",
    "NaN",
    "Infinity",
    "0x1f",
    "١٢٣",
    "²",
    "2026-02-30",
    "0000-00-00",
    "9999-12",
    "-0001-01-01",
    "[]",
    "{}",
    "null",
    '["x", 1]',
    "WzEsICJ4Il0",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../../etc/passwd",
    "%00%ff",
    "😀" * 50,
]
INVALID_UTF8 = [b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\x80abc", b"a\xf0\x9f"]

hostile_text = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.integers().map(str),
    st.text(st.characters(codec="utf-8", categories=["Cc", "Cf", "Zl", "Zp"]), max_size=10),
)
hostile_value = st.one_of(hostile_text, st.sampled_from(INVALID_UTF8))


def field_value(valid):
    """A valid value (when there is one), a hostile one, or several of them."""
    options = [hostile_value, st.lists(hostile_value, min_size=2, max_size=3)]
    if valid is not None:
        options.insert(0, st.just(valid))
    return st.one_of(*options)


def fields_of(form_class) -> list[str]:
    return list(form_class.base_fields)


def as_bytes(value) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")


def pairs_of(data: dict) -> list[tuple[bytes, bytes]]:
    pairs = []
    for name, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((as_bytes(name), as_bytes(item)))
    return pairs


def urlencoded(data: dict) -> bytes:
    return b"&".join(
        quote_from_bytes(k).encode() + b"=" + quote_from_bytes(v).encode()
        for k, v in pairs_of(data)
    )


BOUNDARY = b"fuzzBoundary7MA4YWxkTrZu0gW"
FILE_CONTENTS = [
    b"%PDF-1.7\n%%EOF\n",
    b"",
    b"\x00" * 64,
    b"MZ\x90\x00",
    b"<html><script>x</script>",
    b"PK\x03\x04",
]
FILE_NAMES = [
    "report.pdf",
    "\u202efdp.exe",
    "../../etc/passwd",
    "a\x00b.pdf",
    "\ud800.pdf",
    "x" * 400 + ".pdf",
    "",
    "con.txt",
    'quote".pdf',
]


def multipart(data: dict, files: dict) -> bytes:
    parts = []
    for name, value in pairs_of(data):
        parts.append(
            b"--"
            + BOUNDARY
            + b'\r\nContent-Disposition: form-data; name="'
            + name
            + b'"\r\n\r\n'
            + value
            + b"\r\n"
        )
    for name, (filename, content) in files.items():
        parts.append(
            b"--"
            + BOUNDARY
            + b'\r\nContent-Disposition: form-data; name="'
            + as_bytes(name)
            + b'"; filename="'
            + as_bytes(filename)
            + b'"\r\nContent-Type: application/pdf\r\n\r\n'
            + content
            + b"\r\n"
        )
    return b"".join(parts) + b"--" + BOUNDARY + b"--\r\n"


def query_string(data: dict) -> str:
    return urlencoded(data).decode("ascii")


# --- the world and who may reach what ---------------------------------------------------------


@pytest.fixture
def fuzz_world(world, settings, tmp_path, personas, marketer, team, chair, board, admin_user):
    """The access matrix's world (a campaign in review, version 2, with a condition,
    evidence, feedback, a published notice, an invitation), plus a reviewer who accepted
    the current version (votes), a draft with evidence (the wizard, intake, evidence) and
    a draft to withdraw."""
    settings.MEDIA_ROOT = tmp_path
    settings.PUBLIC_FEEDBACK_PER_HOUR = 1000
    campaign, kwargs = world
    voter = next(
        reviewer
        for reviewer in services.eligible_reviewers(campaign, services.current_version(campaign))
        if reviewer != chair
    )
    services.review_assign(actor=chair, campaign=campaign, reviewers=[voter])
    services.assignment_accept(
        actor=voter,
        assignment=Assignment.objects.get(reviewer=voter, status="pending"),
        declaration="None",
    )
    pending = UserFactory(email="pending@example.com", roles=["reviewer"])
    services.review_assign(actor=chair, campaign=campaign, reviewers=[pending])

    def draft(name, minors=True):
        intake = {
            **INTAKE_POST,
            "name": name,
            "reaches_minors": minors,
            "reaches_vulnerable": False,
            "flight_start": campaign.flight_start,
            "flight_end": campaign.flight_end,
        }
        return services.campaign_create(actor=marketer, team=team, intake=intake)

    drafting, withdrawing = draft("Drafting"), draft("Withdrawing")
    evidence = services.evidence_add(
        actor=marketer,
        campaign=drafting,
        upload=SimpleUploadedFile("r.pdf", b"%PDF-1.7\n%%EOF\n"),
        kind="dpia",
    )
    # An approved campaign of the team, for its transparency notice.
    approved = draft("Approved", minors=False)
    services.assessment_save_answers(actor=marketer, campaign=approved, answers=LOW_RISK_ANSWERS)
    services.campaign_submit(actor=marketer, campaign=approved)
    services.review_assign(actor=chair, campaign=approved, reviewers=[board[2]])
    services.assignment_accept(
        actor=board[2],
        assignment=Assignment.objects.get(reviewer=board[2], campaign=approved, status="pending"),
        declaration="None",
    )
    services.vote_cast(
        actor=board[2], campaign=approved, decision="approve", rationale="ok", password=PASSWORD
    )
    services.notice_prepare(actor=marketer, campaign=approved)
    people = {**personas, "voter": voter, "pending": pending, "anonymous": None}
    return {
        "campaign": Campaign.objects.get(pk=campaign.pk),
        "kwargs": kwargs,
        "draft": drafting,
        "withdrawing": withdrawing,
        "approved": approved,
        "evidence": evidence,
        "people": people,
    }


def client_as(person) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


def check(response, label):
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    assert response.status_code < 500, f"{label} → {response.status_code}"


# --- every HTML form -------------------------------------------------------------------------

CAMPAIGN_VALID = {**INTAKE_POST, "reaches_minors": "on"}
NOTICE_VALID = {
    "title_en": "T",
    "title_ar": "ع",
    "body_en": "B",
    "body_ar": "ع",
    "contact": "x@example.com",
}


GUIDELINE_VALID = {
    "new_topic_en": "Fuzzing",
    "title_en": "T",
    "body_en": "B",
    "dimensions": "privacy",
    "question_codes": "privacy.basis",
}

TRAINING_MODULE_VALID = {
    "title_en": "Privacy",
    "title_ar": "الخصوصية",
    "content_en": "Read **this**.",
    "required_roles": "reviewer",
    "validity_months": "12",
    "quiz": "? Q | س\n* Yes | نعم\n- No | لا",
    "pass_mark": "80",
    "is_active": "on",
}

TOOL_VALID = {**TOOL_DATA, "name": "Fuzzed tool", "dpa_signed": "on"}


def html_forms(w) -> list[dict]:
    """(URL, persona, fields with a valid value or None, file fields) of every form."""
    c, k, draft = w["campaign"], w["kwargs"], w["draft"]
    condition = k["condition_fulfil"][1]
    feedback = k["feedback_triage"][1]

    def form(name, args, persona, fields, files=(), extra=None):
        return {
            "name": name,
            "url": reverse(name, args=args),
            "persona": persona,
            "fields": {**dict.fromkeys(fields), **(extra or {})},
            "files": files,
        }

    team = str(draft.team_id)
    return [
        form(
            "campaign_new",
            [],
            "marketer",
            fields_of(CampaignForm),
            extra={**CAMPAIGN_VALID, "team": team},
        ),
        form(
            "campaign_edit",
            [draft.pk],
            "marketer",
            fields_of(CampaignForm),
            extra={**CAMPAIGN_VALID, "team": team},
        ),
        *[
            form(
                "assessment_step",
                [draft.pk, section],
                "marketer",
                codes,
                extra={"shown": codes, "action": "save"},
            )
            for section, codes in (
                ("privacy", ["privacy.basis", "privacy.special", "privacy.dpia"]),
                (
                    "fairness",
                    ["fairness.proxies", "fairness.reach", "fairness.tested", "fairness.notes"],
                ),
                ("children", ["children.profiling"]),
            )
        ],
        form("campaign_submit", [draft.pk], "marketer", fields_of(SubmitConfirmForm)),
        form("assessment_move", [draft.pk], "marketer", []),
        form("campaign_withdraw", [w["withdrawing"].pk], "marketer", fields_of(WithdrawForm)),
        form(
            "assignment_respond",
            [c.pk],
            "pending",
            fields_of(RespondForm),
            extra={"action": "accept"},
        ),
        form(
            "review_assign",
            [c.pk],
            "chair",
            [],
            extra={"reviewers": str(w["people"]["reviewer"].pk)},
        ),
        form(
            "vote",
            [c.pk],
            "voter",
            fields_of(VoteForm),
            extra={"decision": "approve", "rationale": "ok", "password": PASSWORD},
        ),
        form(
            "decision_confirm", [c.pk], "chair", fields_of(SignForm), extra={"password": PASSWORD}
        ),
        form(
            "decision_overrule",
            [c.pk],
            "chair",
            fields_of(OverruleForm),
            extra={"outcome": "approved", "rationale": "x", "password": PASSWORD},
        ),
        form(
            "comment_add", [c.pk], "reviewer", fields_of(CommentForm), extra={"text": "A comment"}
        ),
        form("comment_add", [c.pk], "marketer", fields_of(CommentForm), extra={"text": "A reply"}),
        form(
            "condition_fulfil",
            [c.pk, condition],
            "marketer",
            fields_of(ConditionFulfilForm),
            extra={"note": "Done"},
        ),
        form("condition_verify", [c.pk, condition], "reviewer", []),
        form(
            "feedback_add",
            [c.pk],
            "manager",
            fields_of(FeedbackForm),
            files=("attachment",),
            extra={"category": "privacy", "severity": "info", "text": "FYI"},
        ),
        form(
            "feedback_triage",
            [c.pk, feedback],
            "reviewer",
            fields_of(TriageForm),
            extra={"status": "acknowledged"},
        ),
        form("campaign_send_back", [c.pk], "chair", []),
        form(
            "notice_edit",
            [w["approved"].pk],
            "marketer",
            fields_of(NoticeForm),
            extra={**NOTICE_VALID, "action": "save"},
        ),
        form(
            "public_notice",
            k["public_notice"],
            "anonymous",
            fields_of(PublicFeedbackForm),
            extra={"category": "privacy", "message": "Why?"},
        ),
        form(
            "evidence_upload",
            [draft.pk],
            "marketer",
            fields_of(EvidenceForm),
            files=("file",),
            extra={"kind": "dpia"},
        ),
        form("evidence_delete", [draft.pk, w["evidence"].pk], "marketer", []),
        form(
            "monitoring_page",
            [w["approved"].pk],
            "marketer",
            fields_of(MonitoringReportForm),
            files=("csv_file",),
            extra={"figures": "A,10,5\nB,10,4", "observations": "Fine."},
        ),
        form(
            "incident_list",
            [c.pk],
            "manager",
            fields_of(IncidentForm),
            extra={"what_happened": "Leak", "harm_type": "privacy", "severity": "minor"},
        ),
        form(
            "incident_detail",
            k["incident_detail"],
            "marketer",
            ["action", *fields_of(IncidentEntryForm)],
            extra={"action": "entry", "kind": "update", "text": "Paused."},
        ),
        form(
            "incident_detail",
            k["incident_detail"],
            "chair",
            ["action", *fields_of(IncidentCloseForm)],
            extra={"action": "close", "resolution": "Fixed."},
        ),
        form(
            "invite",
            [],
            "admin",
            fields_of(InvitationForm),
            extra={"email": "new@example.com", "roles": "marketer", "language": "en"},
        ),
        form("invite", [], "manager", fields_of(InvitationForm), extra={"roles": "marketer"}),
        form("invitation_revoke", k["invitation_revoke"], "admin", []),
        form("invitation_resend", k["invitation_resend"], "admin", []),
        form("user_access", k["user_access"], "admin", [], extra={"active": "1"}),
        form(
            "person_edit",
            k["person_edit"],
            "admin",
            fields_of(PersonForm),
            extra={"roles": "reviewer", "is_specialist": "on"},
        ),
        form(
            "invitation_accept",
            k["invitation_accept"],
            "anonymous",
            fields_of(AcceptInvitationForm),
            extra={"email": "invitee@example.com", "password1": PASSWORD, "password2": PASSWORD},
        ),
        form(
            "set_language",
            [],
            "anonymous",
            fields_of(LanguageForm),
            extra={"language": "ar", "next": "/"},
        ),
        form("set_language", [], "marketer", fields_of(LanguageForm), extra={"language": "en"}),
        form("notifications_read", [], "marketer", [], extra={"ids": "1", "next": "/"}),
        form("notification_settings", [], "marketer", list(NotificationKind.values)),
        form("api_tokens", [], "marketer", fields_of(ApiTokenForm)),
        form("api_token_revoke", k["api_token_revoke"], "marketer", []),
        form(
            "guideline_new",
            [],
            "admin",
            fields_of(GuidelineForm),
            extra=GUIDELINE_VALID,
        ),
        form(
            "guideline_edit",
            k["guideline_edit"],
            "chair",
            fields_of(GuidelineForm),
            extra={**GUIDELINE_VALID, "change_summary": "Clearer"},
        ),
        form(
            "training_module_new",
            [],
            "admin",
            fields_of(TrainingModuleForm),
            extra=TRAINING_MODULE_VALID,
        ),
        form(
            "training_module_edit",
            k["training_module_edit"],
            "admin",
            fields_of(TrainingModuleForm),
            extra=TRAINING_MODULE_VALID,
        ),
        form("training_module", k["training_module"], "marketer", ["q0"], extra={"q0": "0"}),
        form(
            "training_record",
            [],
            "admin",
            fields_of(CompletionRecordForm),
            extra={
                "person": str(w["people"]["marketer"].pk),
                "module": str(k["training_module"][0]),
                "completed_on": "2026-01-05",
                "note": "Course",
            },
        ),
        form("training_import", [], "admin", fields_of(CompletionImportForm), files=("file",)),
        form(
            "time_zone_set",
            [],
            "marketer",
            fields_of(TimeZoneForm),
            extra={"time_zone": "Asia/Riyadh"},
        ),
        form(
            "working_calendar",
            [],
            "chair",
            fields_of(ClosureDayForm),
            extra={"day": "2031-01-03", "reason": "Away day"},
        ),
        form("closure_day_remove", k["closure_day_remove"], "admin", []),
        form("register_new", [], "chair", fields_of(ToolForm), extra=TOOL_VALID),
        form(
            "register_edit", k["register_edit"], "reviewer", fields_of(ToolForm), extra=TOOL_VALID
        ),
        form(
            "register_review",
            k["register_review"],
            "chair",
            fields_of(ToolReviewForm),
            extra={"decision": "limited", "limits": "Adults only", "months": "12"},
        ),
        form(
            "register_evidence_upload",
            k["register_evidence_upload"],
            "reviewer",
            fields_of(ToolEvidenceForm),
            files=("file",),
        ),
        {
            "name": "account_login",
            "url": reverse("account_login"),
            "persona": "anonymous",
            "fields": {"login": "marketer@example.com", "password": None, "remember": None},
            "files": (),
        },
        {
            "name": "account_reset_password",
            "url": reverse("account_reset_password"),
            "persona": "anonymous",
            "fields": {"email": "marketer@example.com"},
            "files": (),
        },
    ]


@st.composite
def form_request(draw, target):
    """Every field hostile (each may still draw its valid value), or only one field hostile
    and the others valid (or left out), so that requests also reach the services."""
    fields = target["fields"]
    if fields and draw(st.booleans()):
        hostile = draw(st.sampled_from(sorted(fields)))
        data = {
            name: draw(field_value(None)) if name == hostile else valid
            for name, valid in fields.items()
            if name == hostile or valid is not None
        }
    else:
        data = {name: draw(field_value(valid)) for name, valid in fields.items()}
    data[draw(hostile_text)] = draw(hostile_value)  # and a field nobody expects
    files = {
        name: (draw(st.sampled_from(FILE_NAMES)), draw(st.sampled_from(FILE_CONTENTS)))
        for name in target["files"]
        if draw(st.booleans())
    }
    if files or draw(st.booleans()):
        return "multipart/form-data; boundary=" + BOUNDARY.decode(), multipart(data, files)
    return "application/x-www-form-urlencoded", urlencoded(data)


def test_every_html_form_survives_hostile_input(fuzz_world):
    targets = html_forms(fuzz_world)
    for target in targets:
        client = client_as(fuzz_world["people"][target["persona"]])
        label = f"POST {target['name']} as {target['persona']}"

        @FUZZ
        @given(request=form_request(target))
        def fuzz(request):
            content_type, body = request
            note(f"{label}: {content_type.split(';')[0]} {body[:2000]!r}")
            response = client.generic("POST", target["url"], body, content_type=content_type)
            check(response, label)

        fuzz()
    fuzzed = {t["name"] for t in targets}
    assert fuzzed >= FORM_URLS, sorted(FORM_URLS - fuzzed)


# --- query parameters of the pages that read them ---------------------------------------------

LIST_PARAMS = [*fields_of(CampaignFilterForm), "from", "to", "after", "before"]
DASHBOARD_PARAMS = [*fields_of(DashboardFilterForm), "from", "to"]


@st.composite
def query(draw, params):
    data = {name: draw(field_value(None)) for name in params if draw(st.booleans())}
    data[draw(hostile_text)] = draw(hostile_value)
    return query_string(data)


def test_every_query_parameter_survives_hostile_input(fuzz_world):
    people = fuzz_world["people"]
    pages = [
        ("campaign_list", "manager", LIST_PARAMS),
        ("campaign_list", "reviewer", LIST_PARAMS),
        ("campaign_export", "manager", LIST_PARAMS),
        ("dashboard", "manager", DASHBOARD_PARAMS),
        ("dashboard", "chair", DASHBOARD_PARAMS),
        ("api_campaigns", "marketer", LIST_PARAMS),
        ("api_events", "marketer", ["after"]),
        ("api_monitoring", "marketer", ["before"]),
        ("api_incidents", "marketer", ["before"]),
        ("guideline_list", "marketer", ["q"]),
        ("register_list", "marketer", ["kind", "review"]),
    ]
    campaign = fuzz_world["campaign"]
    for name, persona, params in pages:
        by_campaign = {"api_events", "api_monitoring", "api_incidents"}
        args = [campaign.pk] if name in by_campaign else fuzz_world["kwargs"].get(name, [])
        url = reverse(name, args=args)
        client = client_as(people[persona])
        label = f"GET {name} as {persona}"

        @FUZZ
        @given(qs=query(params))
        def fuzz(qs):
            note(f"{label}: ?{qs[:2000]}")
            check(client.get(f"{url}?{qs}"), label)

        fuzz()
    assert {p[0] for p in pages} >= QUERY_URLS


# --- every API operation ----------------------------------------------------------------------

json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    hostile_text,
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_text, inner, max_size=3),
    max_leaves=6,
)

API_BODIES = {
    "api_campaigns": {
        "name": "Fuzzed",
        "objective": "x",
        "description": "x",
        "channels": ["social"],
        "markets": ["eu"],
        "audiences": "x",
        "ai_techniques": ["segmentation"],
        "data_sources": ["first_party"],
        "data_categories": ["contact"],
        "flight_start": "2027-01-01",
        "flight_end": "2027-03-01",
        "team": "aurora",
        "reaches_minors": False,
        "reaches_vulnerable": False,
    },
    "api_answers": {"answers": {"fairness.notes": "ok", "fairness.reach": 10}},
    "api_feedback": {"category": "privacy", "severity": "info", "text": "FYI"},
    "api_submit": {},
    "api_campaign_tools": {"tools": [1]},
    "api_monitoring": {
        "rows": [
            {"segment": "A", "reached": 10, "positive": 5},
            {"segment": "B", "reached": 10, "positive": 4},
        ],
        "observations": "Fine.",
    },
    "api_incidents": {
        "what_happened": "Leak",
        "harm_type": "privacy",
        "severity": "minor",
        "people_affected": 10,
        "personal_data_breach": False,
    },
    "api_incident_entries": {
        "kind": "action",
        "text": "Paused.",
        "owner": 1,
        "due_on": "2027-02-01",
    },
}


@st.composite
def api_request(draw, name):
    """A JSON body: the operation's fields each valid or hostile (nested into "answers"
    too), or a hostile JSON document, or bytes that are not JSON, or not UTF-8."""
    valid = API_BODIES.get(name, {})
    kind = draw(st.sampled_from(["fields", "fields", "document", "raw"]))
    if kind == "fields":
        body = {key: draw(st.one_of(st.just(value), json_value)) for key, value in valid.items()}
        if "answers" in body and draw(st.booleans()):
            body["answers"] = {
                draw(
                    st.sampled_from(
                        ["fairness.notes", "fairness.reach", "fairness.proxies", "privacy.basis"]
                    )
                ): draw(json_value)
            }
        body[draw(hostile_text)] = draw(json_value)
        raw = json.dumps(body, ensure_ascii=True).encode()
    elif kind == "document":
        raw = json.dumps(draw(json_value), ensure_ascii=True).encode()
    else:
        raw = draw(
            st.sampled_from(
                [
                    b'{"text": "\\u0000", "answers": {"fairness.notes": "\\u0000"}}',
                    b'{"answers": {"fairness.notes": "\\ud800"}}',
                    b'{"a": ' * 5000,
                    b"\xff\xfe{}",
                    b'{"text": "\xff"}',
                    b"",
                    b"1e999999",
                    b"[" * 5000,
                ]
            )
        )
    content_type = draw(
        st.sampled_from(
            ["application/json"] * 4
            + [
                "text/plain",
                "application/x-www-form-urlencoded",
                "application/json; charset=latin-1",
            ]
        )
    )
    return content_type, raw


def api_operations(w) -> list[tuple[str, str, list]]:
    c = w["campaign"]
    draft = w["draft"]
    return [
        ("GET", "api_me", []),
        ("GET", "api_training_status", []),
        ("GET", "api_questionnaire", []),
        ("GET", "api_question_guidelines", ["privacy.basis"]),
        ("GET", "api_campaigns", []),
        ("POST", "api_campaigns", []),
        ("GET", "api_campaign", [draft.pk]),
        ("GET", "api_answers", [draft.pk]),
        ("PATCH", "api_answers", [draft.pk]),
        ("POST", "api_submit", [draft.pk]),
        ("GET", "api_clearance", [c.pk]),
        ("GET", "api_events", [c.pk]),
        ("GET", "api_feedback", [c.pk]),
        ("POST", "api_feedback", [c.pk]),
        ("DELETE", "api_campaign", [draft.pk]),  # 405, as JSON
        ("GET", "api_register", []),
        ("GET", "api_register_tool", w["kwargs"]["register_detail"]),
        ("GET", "api_campaign_tools", [draft.pk]),
        ("PUT", "api_campaign_tools", [draft.pk]),
        ("GET", "api_monitoring", [w["approved"].pk]),
        ("POST", "api_monitoring", [w["approved"].pk]),
        ("GET", "api_incidents", [c.pk]),
        ("POST", "api_incidents", [c.pk]),
        ("GET", "api_incident", w["kwargs"]["api_incident"]),
        ("POST", "api_incident_entries", w["kwargs"]["api_incident"]),
    ]


def test_every_api_operation_survives_hostile_input_and_answers_json(fuzz_world):
    marketer = fuzz_world["people"]["marketer"]
    _token, raw = services.api_token_create(user=marketer, name="fuzz")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    operations = api_operations(fuzz_world)
    for method, name, args in operations:
        url = reverse(name, args=args)
        label = f"{method} {name}"

        @FUZZ
        @given(request=api_request(name), qs=query([]))
        def fuzz(request, qs):
            content_type, body = request
            note(f"{label}: ?{qs[:500]} {content_type} {body[:2000]!r}")
            response = client.generic(method, f"{url}?{qs}", body, content_type=content_type)
            check(response, label)
            assert response["Content-Type"] == "application/json", label

        fuzz()
    # Addresses under /api/ that match no operation answer JSON too.
    for path in (
        "/api/v1/nope/",
        "/api/v1/campaigns/99999999999999999999/",
        "/api/v1/campaigns/x/",
    ):
        response = client.get(path)
        assert response.status_code == 404 and response["Content-Type"] == "application/json"
    fuzzed = {name for _method, name, _args in operations}
    assert fuzzed >= API_URLS, sorted(API_URLS - fuzzed)


# --- nothing is forgotten ------------------------------------------------------------------------

# Addresses that take no input beyond their ids (the ids' converters admit only well-formed
# values, tested in tests/views/test_hostile_input.py).
INERT = {
    "healthz",
    "readyz",
    "home",
    "notifications",
    "my_campaigns",
    "review_queue",
    "people",
    "campaign_detail",
    "assessment_start",
    "assessment_summary",
    "version_diff",
    "campaign_report",
    "campaign_report_pdf",
    "campaign_assessment_json",
    "feedback_attachment",
    "evidence_download",
    "public_notice_thanks",
    "training_list",
    "api_schema",
    "api_docs",
    "api_not_found",
    "guideline_detail",
    "guideline_version",
    "register_detail",
    "register_evidence_download",
    "api_register",
    "api_register_tool",
    "monitoring_report",
}
QUERY_URLS = {
    "campaign_list",
    "campaign_export",
    "dashboard",
    "api_campaigns",
    "api_events",
    "api_monitoring",
    "api_incidents",
    "guideline_list",
    "register_list",
}
API_URLS = {p.name for p in api_patterns} - INERT
FORM_URLS = app_url_names() - INERT - QUERY_URLS - API_URLS


def test_every_url_is_fuzzed_or_declared_inert():
    assert set(ACCESS) == app_url_names()
    assert app_url_names() >= INERT
    assert app_url_names() == FORM_URLS | QUERY_URLS | API_URLS | INERT
