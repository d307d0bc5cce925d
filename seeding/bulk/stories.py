"""The stories a generated campaign follows: each plans its campaign, yields once the
campaign is placed in time, then runs it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from assessments import dashboard_counts, search
from assessments.models import (
    Assessment,
    Assignment,
    AssignmentStatus,
    Campaign,
    Decision,
    EventKind,
    Feedback,
    Vote,
)
from assessments.models import CampaignStatus as S

from .plans import _C
from .sink import _ASSIGNMENT_FIELDS, _DECISION_FIELDS, _FEEDBACK_FIELDS, _VOTE_FIELDS
from .vocabulary import DAY, HISTORY_MONTHS, HOUR, MINUTE


class _Stories:
    """The stories of ``generator._Generator`` (a mixin: it uses the generator's state
    and helpers)."""

    def _story_approved(self, c: _C, outcome: str = S.APPROVED, story: str = "approved"):
        plan = self._plan(c, *self._versions(self.rng.random() < 0.15, story, outcome))
        self._place(c, plan.entries[0], span=plan.lead + plan.reviews[-1].end)
        yield
        version, _decided = self._run(c, plan)
        self._after_approval(c, version, None)

    def _story_conditions(self, c: _C):
        yield from self._story_approved(c, S.APPROVED_WITH_CONDITIONS, "conditions")

    def _story_rejected(self, c: _C):
        plan = self._plan(c, *self._versions(self.rng.random() < 0.15, "rejected", S.REJECTED))
        self._place(c, plan.entries[0], span=plan.lead + plan.reviews[-1].end)
        yield
        self._run(c, plan)

    def _story_rereview(self, c: _C):
        outcome = self.rng.choice([S.APPROVED, S.APPROVED, S.APPROVED_WITH_CONDITIONS])
        plan = self._plan(c, *self._versions(False, "rereview", outcome))
        after = self.skewed(5 * DAY, 200 * DAY)
        span = plan.lead + plan.reviews[-1].end + after + 15 * DAY
        self._place(c, plan.entries[0], span=span)
        yield
        version, _decided = self._run(c, plan)
        self._after_approval(c, version, after)

    def _story_changes_requested(self, c: _C):
        rng = self.rng
        entries, outcomes = self._versions(rng.random() < 0.12, "changes_requested", "")
        plan = self._plan(c, entries, [S.CHANGES_REQUESTED] * len(entries))
        decided = self.now - self.skewed(2 * HOUR, 300 * DAY)
        self._place(c, entries[0], created=decided - plan.lead - plan.reviews[-1].end)
        yield
        version, decided = self._run(c, plan)
        if rng.random() < 0.4:  # the team has started revising
            moment = decided + self.skewed(HOUR, 20 * DAY)
            revised = self.pool.revision_of(version.entry)
            if moment < self.now and revised is not version.entry:
                codes = self.pool.changed_codes(version.entry, revised)
                self._save(c, moment, codes, c.last_section)
                c.entry = revised

    def _story_in_review(self, c: _C):
        rng = self.rng
        outcome = rng.choice([S.APPROVED, S.APPROVED_WITH_CONDITIONS, S.CHANGES_REQUESTED])
        plan = self._plan(c, *self._versions(rng.random() < 0.1, "in_review", outcome))
        review = plan.reviews[-1]
        submitted = self.now - review.staffed_at - self.between(HOUR, 45 * DAY)
        self._place(c, plan.entries[0], created=submitted - plan.lead)
        yield
        self._run(c, plan, cutoff=self.now, keep_open=True)

    def _story_awaiting(self, c: _C):
        """Every vote is in; a tier that needs the chair's confirmation waits for it."""
        if not self.confirm_tiers:
            yield from self._story_in_review(c)
            return
        rng = self.rng
        entry = self.pool.for_tier(rng.choice(self.confirm_tiers))
        outcome = rng.choice([S.APPROVED, S.APPROVED_WITH_CONDITIONS, S.REJECTED])
        plan = self._plan(c, [entry], [outcome])
        review = plan.reviews[-1]
        review.confirm_at = None
        submitted = self.now - review.decide_at - self.between(HOUR, 12 * DAY)
        self._place(c, entry, created=submitted - plan.lead)
        yield
        self._run(c, plan, cutoff=self.now)

    def _story_submitted(self, c: _C):
        """Waiting for the chair to staff the review: nobody assigned yet, or the panel is
        still short."""
        rng = self.rng
        entry = self.pool.for_tier(self.tier_for("submitted"))
        plan = self._plan(c, [entry], [None])
        rule = self.rules[entry.tier]
        short = rule.reviewers_required if rng.random() < 0.6 else 1
        plan.reviews[0] = self._plan_review(entry.tier, [], None, c.owner, short_by=short)
        submitted = self.now - self.skewed(10 * MINUTE, 12 * DAY)
        self._place(c, entry, created=submitted - plan.lead)
        yield
        self._run(c, plan, cutoff=self.now)

    def _story_draft(self, c: _C):
        rng = self.rng
        kind = rng.random()
        if kind < 0.3 and self.pool.prohibited:
            entry = rng.choice(self.pool.prohibited)  # cannot be submitted as designed
        elif kind < 0.6 and self.pool.started:
            entry = rng.choice(self.pool.started)  # not finished
        else:
            entry = self.pool.for_tier(self.tier_for("draft"))
        if rng.random() < 0.25:  # being written
            age = self.skewed(HOUR, 45 * DAY)
        else:  # abandoned
            age = self.between(45 * DAY, 30 * HISTORY_MONTHS * DAY)
        self._place(c, entry, created=self.now - age)
        yield
        self._draft(c, self._plan_draft(entry), until=self.now)

    def _story_withdrawn(self, c: _C):
        """Withdrawn by the team: while drafting, during the review, or after changes were
        requested."""
        rng = self.rng
        phase = rng.choices(["draft", "review", "changes"], (40, 35, 25))[0]
        if phase == "draft":
            entry = self.pool.for_tier(self.tier_for("withdrawn"))
            if rng.random() < 0.3 and self.pool.prohibited:
                entry = rng.choice(self.pool.prohibited)
            draft = self._plan_draft(entry)
            span = (draft[-1][0] if draft else timedelta(0)) + self.skewed(HOUR, 60 * DAY)
            self._place(c, entry, span=span)
            yield
            self._draft(c, draft)
        else:
            outcome = S.CHANGES_REQUESTED if phase == "changes" else S.APPROVED
            plan = self._plan(c, *self._versions(False, "withdrawn", outcome))
            review = plan.reviews[-1]
            if phase == "review":
                start = review.staffed_at or timedelta(0)
                span = plan.lead + start + (review.decide_at - start) * rng.uniform(0.1, 0.9)
            else:
                span = plan.lead + review.end + self.skewed(HOUR, 60 * DAY)
            self._place(c, plan.entries[0], span=span)
            yield
            if phase == "review":
                cutoff = c.created_at + span
                self._run(c, plan, cutoff, True, AssignmentStatus.CANCELLED)
            else:
                self._run(c, plan)
        withdrawn = c.created_at + span
        c.status = S.WITHDRAWN
        c.touch(withdrawn)
        self.event(withdrawn, c, EventKind.WITHDRAWN, c.owner, {})

    # --- the campaign's own rows
    def _decode(self, text: str):
        value = self.decoded.get(text)
        if value is None:
            value = self.decoded[text] = json.loads(text)
        return value

    def _facts(self, c: _C) -> dict:
        """``dashboard_counts.facts_of`` the campaign just generated, from the rows written for it:
        what ``dashboard_counts.rebuild()`` would read back (a test holds them equal)."""
        tapped = self.sink.tapped
        version_created = {v.id: v.created_at for v in c.versions}
        decisions = []
        for pk, version_id, kind, outcome, reasons, created_at in map(
            _DECISION_FIELDS, tapped[Decision]
        ):
            decisions.append(
                {
                    "id": pk,
                    "version_id": version_id,
                    "kind": str(kind),
                    "outcome": str(outcome),
                    "reasons": self._decode(reasons),
                    "created_at": created_at,
                    "version_created_at": version_created[version_id],
                }
            )
        assigned: dict[tuple, datetime] = {}  # (version, reviewer) -> first assignment
        assignments = []
        for version_id, reviewer_id, status, created_at in map(
            _ASSIGNMENT_FIELDS, tapped[Assignment]
        ):
            first = assigned.get((version_id, reviewer_id))
            if first is None or created_at < first:
                assigned[(version_id, reviewer_id)] = created_at
            assignments.append(
                {"version_id": version_id, "reviewer_id": reviewer_id, "status": str(status)}
            )
        votes = [
            {
                "version_id": version_id,
                "reviewer_id": reviewer_id,
                "signed_at": signed_at,
                "assigned_at": assigned.get((version_id, reviewer_id)),
            }
            for version_id, reviewer_id, signed_at in map(_VOTE_FIELDS, tapped[Vote])
        ]
        feedback = [
            {"category": str(category), "created_at": created_at}
            for category, created_at in map(_FEEDBACK_FIELDS, tapped[Feedback])
        ]
        for rows in tapped.values():
            rows.clear()
        latest = c.versions[-1] if c.versions else None
        intake = c.profile.intake
        return dashboard_counts.facts_of(
            {
                "id": c.id,
                "team_id": c.team.pk,
                "tier": c.tier,
                "channels": intake["channels"],
                "markets": intake["markets"],
                "status": str(c.status),
                "created_at": c.created_at,
                "first_submitted_at": c.first_submitted_at,
                "review_due_at": c.review_due_at,
            },
            latest_score=self._decode(latest.entry.score_json) if latest else None,
            current_version_id=latest.id if latest else None,
            decisions=decisions,
            feedback=feedback,
            votes=votes,
            assignments=assignments,
        )

    def _write_campaign(self, c: _C) -> None:
        profile = c.profile
        intake = profile.intake
        self.sink.add(
            Campaign,
            (
                c.id,
                c.team.pk,
                c.owner.id,
                c.name,
                c.objective,
                c.description,
                profile.json["channels"],
                profile.json["markets"],
                c.audiences,
                intake["reaches_minors"],
                intake["reaches_vulnerable"],
                profile.json["ai_techniques"],
                profile.json["data_sources"],
                profile.json["data_categories"],
                c.flight_start,
                c.flight_end,
                c.status,
                c.tier,
                c.submitted_at,
                c.first_submitted_at,
                c.review_due_at,
                c.decided_at,
                c.approval_expires_at,
                c.rereview_flagged_at,
                c.created_at,
                c.updated_at,
                search.document(
                    name=c.name,
                    description=c.description,
                    team_name=c.team.name,
                    owner_name=c.owner.name,
                    owner_email=c.owner.email,
                ),
                None,  # clearance_suspended_by: the bulk seed opens no incident
                c.versions[-1].id if c.versions else None,
                c.versions[-1].number if c.versions else None,
                None,  # last_event_seq: set once the chain is written (load.seed)
            ),
        )
        self.sink.add(
            Assessment,
            (
                self.sink.new_id(Assessment),
                c.id,
                self.questionnaire.pk,
                c.entry.answers_json,
                c.last_section,
                c.created_at,
                c.answers_at,
            ),
        )
