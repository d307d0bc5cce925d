"""Schemathesis against the live schema, in process (WSGI): generated requests for every
operation, with the default checks (no server error, status codes, content types,
headers and bodies as documented)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from assessments import services
from ethicsreview.wsgi import application
from tests.conftest import LOW_RISK_ANSWERS

pytestmark = pytest.mark.django_db

EXAMPLES = 25
# Requests whose validity JSON Schema cannot express: an intake's flight must not end before
# it starts; an answer must fit its question (codes and types are data, not schema); a draft
# can be submitted only when complete; a list filtered on a team id names a team the caller
# may see (ids are data); a list cursor must be one the API made (a made-up one is refused,
# not read). For these a schema-valid request may get a 400 (with its reason);
# every other check still runs on them.
DOMAIN_RULES = {"POST /api/v1/campaigns/", "PATCH /api/v1/campaigns/{id}/answers/"}
DOMAIN_RULES.add("GET /api/v1/campaigns/")
DOMAIN_RULES.add("POST /api/v1/campaigns/{id}/submit/")
# A monitoring report is for an approved campaign, its segments named once each with positive
# outcomes at most the people reached; an incident's text must hold a letter, not only marks
# or spaces; a corrective action names an owner (a user id, data) and a due date.
DOMAIN_RULES.add("POST /api/v1/campaigns/{id}/monitoring/")
DOMAIN_RULES.add("POST /api/v1/campaigns/{id}/incidents/")
DOMAIN_RULES.add("POST /api/v1/incidents/{id}/entries/")


@pytest.fixture
def keep_connection():
    """The real WSGI handler closes the database connection after each request (as a
    server would); inside the test's transaction that would end it. Django's test client
    switches this off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_api_matches_its_schema(questionnaire, marketer, complete_campaign, keep_connection):
    _token, raw = services.api_token_create(user=marketer, name="schemathesis")
    bearer = {"Authorization": f"Bearer {raw}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    tested = []
    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case):
            if "pk" in (case.path_parameters or {}) and case.path_parameters["pk"] % 2:
                # Half the generated ids name a real campaign: operations run on real data.
                case.path_parameters["pk"] = complete_campaign.pk
            excluded = [positive_data_acceptance] if label in DOMAIN_RULES else []
            case.call_and_validate(headers=bearer, excluded_checks=excluded)
            # Keep the draft's answers complete for the next examples (until it is submitted).
            complete_campaign.refresh_from_db()
            complete_campaign.assessment.refresh_from_db()
            editable = complete_campaign.status == "draft"
            if editable and complete_campaign.assessment.answers != LOW_RISK_ANSWERS:
                services.assessment_save_answers(
                    actor=marketer, campaign=complete_campaign, answers=LOW_RISK_ANSWERS
                )

        check()
        tested.append(label)
    assert "GET /api/v1/campaigns/{id}/clearance/" in tested
