"""The pages' query counts do not depend on how much data there is, and are pinned per
page, per campaign shape and per database.

The campaign pages are measured on campaigns built through the services in a known shape
(a draft; one in review; one decided with conditions; one with feedback; one with every
list the page shows), once among 10 seeded campaigns and again, built the same way, among
200. The seed only adds volume: no measured page depends on what it happened to produce.
"""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from assessments import fragments, listing, paging, services
from assessments.models import Assignment, Campaign, Team, User
from assessments.roles import Role
from seeding import bulk as bulk_seed
from tests.conftest import INTAKE_POST, LOW_RISK_ANSWERS, set_rule
from tests.factories import PASSWORD, UserFactory
from tests.questionnaire.sample import sample

pytestmark = pytest.mark.django_db

# Pinned: a change that adds a query to one of these pages must say so here.
PAGES = {
    "postgresql": {
        # The floor's four and the team filter's options; the figures and the sections are
        # in cached fragments.
        "dashboard": 5,
        "dashboard_filtered": 5,  # the team filter is checked against the options' one read
        # When the fragments are stale: + the questionnaire, + the summary statement,
        # + the active training modules (none here, so the section stops there),
        # + the AI tool register's figures, + the incidents' figures.
        "dashboard_stale": 10,
        "dashboard_filtered_stale": 10,
        # The floor's four, the team filter's options and the page of rows; the count is
        # kept like the rows' fragment (+1 when the fragments are stale).
        "list": 6,
        "list_filtered": 6,  # the team filter is checked against the options' one read
        "list_next_page": 6,
        "list_stale": 7,
        "export_csv": 5,
        "review_queue": 4,  # cached fragment; when stale, every list in one statement (+1)
        "my_campaigns": 6,
    },
}
PAGES["sqlite"] = PAGES["postgresql"]

# The campaign page, as a manager sees it, by the campaign's shape: the floor's four and
# the campaign (with its newest version, the reader's part in the review and its last
# audit event, in one query); which lists have rows and the review's fragments are cached
# under that event (the page is read once before it is measured), as are the conditions
# (what clearance counts). + the feedback, + the evidence. The same on every database.
CAMPAIGN_PAGE = {
    "draft": 5,
    "in_review": 5,
    "decided_with_conditions": 5,
    "with_feedback": 6,
    "every_list": 7,
}
CAMPAIGN_PAGE = {"postgresql": CAMPAIGN_PAGE, "sqlite": CAMPAIGN_PAGE}

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def queries(client, url) -> int:
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, (url, response.status_code)
    return len(executed)


class Shapes:
    """Builds campaigns of each measured shape through the services, on the small sample
    questionnaire (its own slug, so the seed's default questionnaire is untouched)."""

    def __init__(self):
        loaded, _ = services.questionnaire_load(
            data={**sample(), "slug": "query-count-shapes"}, source="tests"
        )
        self.questionnaire = loaded
        self.team = Team.objects.create(name="Shape Team", slug="shape-team")
        self.marketer = UserFactory(roles=["marketer"], teams=[self.team])
        self.chair = UserFactory(roles=["chair", "reviewer"])
        self.reviewers = [UserFactory(roles=["reviewer"]) for _ in range(2)]
        set_rule("I", reviewers_required=1)
        self.built = 0

    def draft(self) -> Campaign:
        self.built += 1
        intake = {
            **INTAKE_POST,
            "name": f"Shape {self.built}",
            "reaches_minors": False,
            "reaches_vulnerable": False,
            "flight_start": date(2026, 7, 1),
            "flight_end": date(2026, 9, 1),
        }
        campaign = services.campaign_create(
            actor=self.marketer, team=self.team, intake=intake, questionnaire=self.questionnaire
        )
        services.assessment_save_answers(
            actor=self.marketer, campaign=campaign, answers=LOW_RISK_ANSWERS
        )
        return campaign

    def in_review(self) -> Campaign:
        campaign = self.draft()
        services.campaign_submit(actor=self.marketer, campaign=campaign)
        services.review_assign(actor=self.chair, campaign=campaign, reviewers=self.reviewers[:1])
        return campaign

    def _vote(self, campaign, decision, **extra) -> Campaign:
        reviewer = self.reviewers[0]
        pending = Assignment.objects.filter(campaign=campaign, reviewer=reviewer, status="pending")
        for assignment in pending:  # a resubmitted version keeps the accepted assignment
            services.assignment_accept(actor=reviewer, assignment=assignment, declaration="None")
        services.vote_cast(
            actor=reviewer,
            campaign=campaign,
            decision=decision,
            rationale="Because.",
            password=PASSWORD,
            **extra,
        )
        return Campaign.objects.get(pk=campaign.pk)

    def decided_with_conditions(self) -> Campaign:
        return self._vote(
            self.in_review(), "approve_with_conditions", conditions=["Label every post."]
        )

    def with_feedback(self) -> Campaign:
        campaign = self._vote(self.in_review(), "approve")
        services.feedback_add(
            actor=self.marketer,
            campaign=campaign,
            category="privacy",
            severity="concern",
            text="Please check the retention period.",
        )
        return campaign

    def every_list(self) -> Campaign:
        """Two versions, comments (one board-only), evidence, a condition fulfilled,
        feedback: every list the campaign page shows has rows."""
        campaign = self.draft()
        services.evidence_add(
            actor=self.marketer,
            campaign=campaign,
            upload=SimpleUploadedFile("bias.pdf", PDF, content_type="application/pdf"),
            kind="bias_report",
        )
        services.campaign_submit(actor=self.marketer, campaign=campaign)
        services.review_assign(actor=self.chair, campaign=campaign, reviewers=self.reviewers[:1])
        services.comment_add(
            actor=self.chair, campaign=campaign, text="Between us.", board_only=True
        )
        campaign = self._vote(campaign, "request_changes", reasons=["fairness"])
        services.comment_add(actor=self.marketer, campaign=campaign, text="Fixed the audience.")
        services.campaign_submit(actor=self.marketer, campaign=campaign)
        campaign = self._vote(campaign, "approve_with_conditions", conditions=["Label posts."])
        condition = campaign.conditions.get()
        services.condition_fulfil(actor=self.marketer, condition=condition, note="Labelled.")
        services.feedback_add(
            actor=self.marketer,
            campaign=campaign,
            category="privacy",
            severity="serious",
            text="Consumers asked how they were chosen.",
        )
        return Campaign.objects.get(pk=campaign.pk)


def measure_pages(client) -> dict:
    manager = User.objects.filter(roles__role=Role.MANAGER).order_by("pk").first()
    chair = User.objects.filter(roles__role=Role.CHAIR).order_by("pk").first()
    marketer = User.objects.filter(roles__role=Role.MARKETER).order_by("pk").first()
    team = Team.objects.order_by("pk").first()
    listing_url = reverse("campaign_list")
    first_page = Campaign.objects.order_by("-updated_at", "-id")[:1].get()
    cursor = paging._cursor_of(first_page, listing.SORTS["updated"][0])
    pages = {
        "dashboard": (manager, reverse("dashboard")),
        "dashboard_filtered": (
            manager,
            reverse("dashboard") + f"?team={team.pk}&channel=social&tier=II&from=2025-01",
        ),
        "list": (manager, listing_url),
        "list_filtered": (manager, listing_url + f"?state=approved&team={team.pk}&q=a"),
        "list_next_page": (manager, listing_url + f"?after={cursor}"),
        "export_csv": (manager, reverse("campaign_export") + f"?team={team.pk}"),
        "review_queue": (chair, reverse("review_queue")),
        "my_campaigns": (marketer, reverse("my_campaigns")),
    }
    counts = {name: measured(client, user, url) for name, (user, url) in pages.items()}
    for name in ("dashboard", "dashboard_filtered", "list"):
        counts[f"{name}_stale"] = measured(client, *pages[name], stale=True)
    return counts


def measured(client, user, url, *, stale=False) -> int:
    client.force_login(user)
    client.get(url)  # warm the per-process definition and score caches
    if stale:
        fragments.bump()  # as any service's change does
    return queries(client, url)


def measure_campaign_pages(client, shapes: Shapes, viewer) -> dict:
    built = {
        "draft": shapes.draft(),
        "in_review": shapes.in_review(),
        "decided_with_conditions": shapes.decided_with_conditions(),
        "with_feedback": shapes.with_feedback(),
        "every_list": shapes.every_list(),
    }
    return {
        shape: measured(client, viewer, reverse("campaign_detail", args=[campaign.pk]))
        for shape, campaign in built.items()
    }


def test_query_counts_are_independent_of_the_data_size(client, reference_time):
    bulk_seed.seed(10, seed=3)
    shapes = Shapes()
    viewer = UserFactory(roles=["manager"], teams=[shapes.team])
    small_pages = measure_pages(client)
    small_campaigns = measure_campaign_pages(client, shapes, viewer)

    bulk_seed.seed(190, seed=4)
    assert Campaign.objects.exclude(team=shapes.team).count() == 200
    large_pages = measure_pages(client)
    large_campaigns = measure_campaign_pages(client, shapes, viewer)

    assert large_pages == small_pages
    assert large_campaigns == small_campaigns
    assert small_pages == PAGES[connection.vendor]
    assert small_campaigns == CAMPAIGN_PAGE[connection.vendor]
