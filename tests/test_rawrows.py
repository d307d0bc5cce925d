"""assessments.rawrows: instances read from plain SQL are the ORM's instances (same field
values, JSON decoded, timestamps aware), deferred fields load on access, several reads
go in one round trip on PostgreSQL, and values are always parameters."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from assessments import audit, rawrows, selectors, services
from assessments.models import (
    Assessment,
    AuditEvent,
    Campaign,
    CampaignVersion,
    Comment,
    Questionnaire,
    Team,
    User,
    Vote,
)
from assessments.services import questionnaire_load
from tests.conftest import DEFAULT_QUESTIONNAIRE, sample
from tests.services.test_review_workflow import submit_and_staff, two_reviewer_rule, vote

pytestmark = pytest.mark.django_db


def values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


@pytest.fixture
def reviewed(complete_campaign, marketer, chair, board):
    two_reviewer_rule()
    submit_and_staff(complete_campaign, marketer, chair, board[:2])
    vote(board[0], complete_campaign, "approve_with_conditions", conditions=["Label the images."])
    vote(board[1], complete_campaign, "request_changes")
    return complete_campaign


def test_instances_equal_the_orms(reviewed):
    for model, order in ((Vote, "signed_at"), (AuditEvent, "seq"), (Campaign, "id")):
        where = "id = %s" if model is Campaign else "campaign_id = %s"
        read = rawrows.read(model, where, [reviewed.pk], order=order)
        orm = list(
            model.objects.filter(pk=reviewed.pk)
            if model is Campaign
            else model.objects.filter(campaign=reviewed).order_by(order)
        )
        assert [r.pk for r in read] == [o.pk for o in orm] and read
        assert [values(r) for r in read] == [values(o) for o in orm]
        assert all(not r._state.adding and r._state.db == "default" for r in read)
    votes = rawrows.read(Vote, "campaign_id = %s", [reviewed.pk], order="signed_at")
    assert votes[0].conditions == ["Label the images."]  # JSON decoded
    assert votes[0].signed_at.tzinfo is not None  # aware, on SQLite too
    assert votes[0].get_decision_display() == "Approve with conditions"


def test_deferred_fields_load_on_access(reviewed):
    (version,) = rawrows.read(CampaignVersion, "campaign_id = %s", [reviewed.pk], defer=["content"])
    assert "content" not in version.__dict__
    with CaptureQueriesContext(connection) as captured:
        content = version.content
    assert len(captured) == 1
    assert content == CampaignVersion.objects.get(pk=version.pk).content


def test_several_reads_share_one_round_trip_on_postgresql(reviewed):
    reads = [
        (CampaignVersion, "campaign_id = %s", [reviewed.pk], "number", ("content",)),
        (Vote, "campaign_id = %s", [reviewed.pk], "signed_at", ()),
        (Comment, "campaign_id = %s AND board_only = %s", [reviewed.pk, False], "id", ()),
        (AuditEvent, "campaign_id = %s", [reviewed.pk], "seq", ()),
    ]
    with CaptureQueriesContext(connection) as captured:
        versions, votes, comments, events = rawrows.read_each(reads)
    assert len(captured) == (1 if connection.vendor == "postgresql" else 4)
    assert [v.pk for v in versions] == list(
        reviewed.versions.order_by("number").values_list("pk", flat=True)
    )
    assert len(votes) == 2 and comments == []
    assert [e.pk for e in events] == [e.pk for e in audit.timeline(reviewed)]


def test_read_together_builds_each_model_of_a_join(reviewed):
    quote = connection.ops.quote_name
    (row,) = rawrows.read_together(
        [(Campaign, "c", ()), (Team, "t", ()), (Assessment, "s", ("answers",))],
        f"{quote(Campaign._meta.db_table)} c JOIN {quote(Team._meta.db_table)} t "
        f"ON t.id = c.team_id JOIN {quote(Assessment._meta.db_table)} s "
        "ON s.campaign_id = c.id",
        "c.id = %s",
        [reviewed.pk],
        extra=["1 + 1"],
    )
    campaign, team, assessment, two = row
    assert values(campaign) == values(Campaign.objects.get(pk=reviewed.pk))
    assert team == reviewed.team and assessment.campaign_id == reviewed.pk and two == 2
    assert "answers" not in assessment.__dict__


def test_values_are_parameters_never_sql(reviewed, board):
    text = "x'); DELETE FROM assessments_comment; --"
    services.comment_add(actor=board[0], campaign=reviewed, text=text)
    found = rawrows.read(Comment, "text = %s", [text])
    assert [c.text for c in found] == [text]
    assert rawrows.read(Comment, "text = %s", ["' OR '1'='1"]) == []
    assert Comment.objects.count() == 1


def test_the_campaign_page_read_matches_the_queryset_and_hides_what_it_must(
    reviewed, chair, outsider
):
    page = selectors.campaign_for(chair, reviewed.pk, page=True)
    plain = selectors.campaign_for(chair, reviewed.pk)
    assert values(page) == values(plain)
    assert values(page.team) == values(plain.team) and values(page.owner) == values(plain.owner)
    assert values(page.assessment) == values(plain.assessment)
    assert page.assessment.questionnaire.pk == plain.assessment.questionnaire.pk
    assert "definition" not in page.assessment.questionnaire.__dict__
    assert isinstance(page.assessment.questionnaire, Questionnaire)
    assert (page.has_versions, page.has_comments, page.has_evidence) == (True, False, False)
    # Someone who may not see it gets the same 404 as for a campaign that does not exist.
    for user, pk in ((outsider, reviewed.pk), (chair, reviewed.pk + 1000)):
        with pytest.raises(Http404):
            selectors.campaign_for(user, pk, page=True)
    assert isinstance(page.owner, User)


def test_a_limit_is_a_parameter_too(reviewed):
    newest = rawrows.read(AuditEvent, "campaign_id = %s", [reviewed.pk], order="seq DESC", limit=2)
    assert [e.pk for e in newest] == [e.pk for e in audit.timeline(reviewed).reverse()[:2]]
    assert rawrows.read(AuditEvent, "campaign_id = %s", [reviewed.pk], limit=0) == []


def test_the_current_questionnaire_is_the_newest_version(questionnaire):
    data = sample()
    data["slug"] = DEFAULT_QUESTIONNAIRE
    data["title"] = {"en": "Changed", "ar": "تغيّر"}
    newer, created = questionnaire_load(data=data, source="test")
    assert created and newer.version == questionnaire.version + 1
    current = selectors.current_questionnaire()
    assert current.pk == newer.pk and "definition" not in current.__dict__
    assert selectors.current_questionnaire("no-such-slug") is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # no enclosing transaction: as a request runs
def test_a_prepared_statement_is_planned_once_per_session_and_made_again_if_lost(
    postgres, complete_campaign, marketer
):
    sql = "SELECT id, name FROM assessments_campaign WHERE id = %s AND name <> %s"
    name = rawrows._prepare_text(sql)[0]

    def statements() -> list[str]:
        with postgres.cursor() as cursor:
            cursor.execute("SELECT name, statement FROM pg_prepared_statements")
            return [text for found, text in cursor.fetchall() if found == name]

    def run(*params):
        with postgres.cursor() as cursor:
            rawrows.execute_prepared(
                cursor, sql, list(params), then="SELECT %s::text", then_params=["after"]
            )
            rows = cursor.fetchall()
            cursor.nextset()
            return rows, cursor.fetchall()

    with postgres.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    rawrows._PREPARED_ON.clear()
    expected = [(complete_campaign.pk, complete_campaign.name)]
    assert run(complete_campaign.pk, "x") == (expected, [("after",)])
    [text] = statements()
    assert "id = $1 AND name <> $2" in text  # values are parameters of the statement
    assert run(complete_campaign.pk, "x") == (expected, [("after",)])  # run, not prepared
    assert run(complete_campaign.pk, complete_campaign.name) == ([], [("after",)])
    assert len(statements()) == 1
    with postgres.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # the session lost it
    assert run(complete_campaign.pk, "x") == (expected, [("after",)])
    assert len(statements()) == 1
    rawrows._PREPARED_ON.clear()  # prepared, though this process does not know
    assert run(complete_campaign.pk, "x") == (expected, [("after",)])
    assert len(statements()) == 1
    # The campaign page's read is one of them.
    with CaptureQueriesContext(postgres) as queries:
        page = selectors.campaign_for(marketer, complete_campaign.pk, page=True)
    assert page.pk == complete_campaign.pk
    assert [q["sql"] for q in queries.captured_queries if "EXECUTE rr_" in q["sql"]]


def test_the_campaign_page_reads_the_review_with_the_campaign(reviewed, chair, board):
    # On PostgreSQL the review's lists and everyone they name come in the campaign's
    # round trip; elsewhere review_context reads them. Both give the same review.
    services.comment_add(actor=board[0], campaign=reviewed, text="Board only.", board_only=True)
    for user in (chair, board[0]):
        page = selectors.campaign_for(user, reviewed.pk, page=True)
        plain = selectors.campaign_for(user, reviewed.pk)
        assert hasattr(page, "review_rows") == (connection.vendor == "postgresql")
        with_page = selectors.review_context(page, user, "en")
        separately = selectors.review_context(plain, user, "en")
        for key in ("versions", "assignments", "votes", "decisions", "conditions", "comments"):
            assert [values(row) for row in with_page[key]] == [
                values(row) for row in separately[key]
            ], key
        assert with_page["timeline"] == separately["timeline"]
        assert [a.reviewer.pk for a in with_page["assignments"]] == [
            a.reviewer.pk for a in separately["assignments"]
        ]
        assert any(row["reviewer"] for row in with_page["timeline"])  # named in a payload


@pytest.mark.postgres
def test_prepared_statements_can_be_turned_off(postgres, settings, reviewed, chair):
    # Behind a pooler that moves sessions between server connections: plain statements.
    settings.DB_PREPARED_STATEMENTS = False
    with CaptureQueriesContext(postgres) as queries:
        page = selectors.campaign_for(chair, reviewed.pk, page=True)
    assert page.pk == reviewed.pk and page.review_rows["versions"]
    assert not [q for q in queries.captured_queries if "EXECUTE" in q["sql"]]
    assert len(queries.captured_queries) == 1  # still one round trip
