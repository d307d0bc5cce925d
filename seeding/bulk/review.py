"""The review part of a generated campaign: assignments, votes, outcomes, conditions,
the transparency notice, feedback and what happens after an approval."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from assessments import workflow
from assessments.models import (
    Assignment,
    AssignmentStatus,
    Campaign,
    Condition,
    ConditionStatus,
    Decision,
    DecisionKind,
    EventKind,
    Feedback,
    FeedbackSeverity,
    FeedbackSource,
    ReviewReason,
    Team,
    TransparencyNotice,
    TriageStatus,
    Vote,
    new_public_id,
)
from assessments.models import CampaignStatus as S
from assessments.models import VoteDecision as V
from assessments.services.feedback import _notice_text, ip_hash
from assessments.services.review import CHAIR_MEANINGS, VOTE_MEANINGS, decision_reasons

from .plans import _C, _AssignmentPlan, _ReviewPlan, _Version, _VoteStub
from .sink import _dumps
from .vocabulary import (
    COI_DECLARATIONS,
    CONDITIONS,
    DAY,
    EPSILON,
    FEEDBACK_CATEGORIES,
    FEEDBACK_SEVERITIES,
    FEEDBACK_TEXTS,
    HOUR,
    MINUTE,
    NAME_MARK,
    RATIONALES,
    RECUSAL_REASONS,
    TEAM_MARK,
    TRIAGE_NOTES,
    TRIAGE_OUTCOMES,
)


class _Review:
    """The review steps of ``generator._Generator`` (a mixin: it uses the generator's
    state and helpers)."""

    def _review(
        self,
        c: _C,
        version: _Version,
        plan: _ReviewPlan,
        cutoff: datetime | None = None,
        keep_open: bool = False,
        left_pending: str = AssignmentStatus.PENDING,
    ) -> datetime | None:
        """Carry out ``plan`` up to ``cutoff`` (default: now). ``keep_open`` leaves the last
        vote out when all would be in (the review is still running). Assignments still
        pending at the end get ``left_pending``. Returns the time the outcome was applied
        (the rule's decision, or the chair's confirmation), or None."""
        rng = self.rng
        s = version.created_at
        limit = cutoff or self.now
        voters = [a for a in plan.assignments if a.recuse_at is None]
        all_in = voters and all(a.vote_at is not None and s + a.vote_at < limit for a in voters)
        if keep_open and all_in:
            max(voters, key=lambda a: a.vote_at).vote_at = None
        for a in plan.assignments:
            created = s + a.created
            if created >= limit:
                continue
            assignment_id = self.sink.new_id(Assignment)
            status, responded, coi, recusal = left_pending, None, "", ""
            payload = {"version": version.number, "reviewer": a.reviewer.id}
            if a.kind == "carried":
                payload["carried_over"] = True
            elif a.kind == "replacement":
                payload["replaces"] = a.replaces
            self.event(created, c, EventKind.ASSIGNED, a.assigned_by, payload)
            if a.kind == "carried":
                status, responded = AssignmentStatus.ACCEPTED, created
                coi = f"Carried over from version {version.number - 1}."
            elif a.recuse_at is not None and s + a.recuse_at < limit:
                status, responded = AssignmentStatus.RECUSED, s + a.recuse_at
                recusal = rng.choice(RECUSAL_REASONS)
                self.event(
                    responded,
                    c,
                    EventKind.RECUSED,
                    a.reviewer,
                    {"version": version.number, "assignment": assignment_id},
                )
            elif a.accept_at is not None and s + a.accept_at < limit:
                status, responded = AssignmentStatus.ACCEPTED, s + a.accept_at
                coi = rng.choice(COI_DECLARATIONS)
                self.event(
                    responded,
                    c,
                    EventKind.ACCEPTED,
                    a.reviewer,
                    {"version": version.number, "assignment": assignment_id},
                )
            self.sink.add(
                Assignment,
                (
                    assignment_id,
                    c.id,
                    version.id,
                    a.reviewer.id,
                    a.assigned_by.id if a.assigned_by else None,
                    status,
                    coi,
                    recusal,
                    created,
                    responded,
                ),
            )
            voted = a.vote_at is not None and s + a.vote_at < limit
            if status == AssignmentStatus.ACCEPTED and voted:
                self._vote(c, version, a, s + a.vote_at)
        if plan.staffed_at is not None and s + plan.staffed_at < limit:
            c.status = S.IN_REVIEW
            c.touch(s + plan.staffed_at)
        if not voters or len(version.votes) < len(voters):
            return None
        decided = s + plan.decide_at
        outcome = workflow.outcome_of(v.decision for v in version.votes)
        reasons = _dumps(decision_reasons(outcome, version.votes))
        version.decision_id = self.sink.new_id(Decision)
        self.sink.add(
            Decision,
            (
                version.decision_id,
                c.id,
                version.id,
                outcome,
                DecisionKind.RULE,
                "",
                None,
                "",
                "",
                version.fingerprint,
                reasons,
                decided,
                "",
                "",
            ),
        )
        if not plan.rule.chair_confirms:
            self._apply_outcome(c, version, outcome, decided)
            self.event(
                decided + EPSILON,
                c,
                EventKind.DECIDED,
                None,
                {"version": version.number, "outcome": outcome},
            )
            return decided
        c.status = S.AWAITING_CONFIRMATION
        c.touch(decided)
        self.event(
            decided + EPSILON,
            c,
            EventKind.DECIDED,
            None,
            {"version": version.number, "proposed": outcome, "awaits_chair": True},
        )
        if plan.confirm_at is None or s + plan.confirm_at >= limit:
            return None
        confirmed = s + plan.confirm_at
        chair = rng.choice(self.people.chairs or [voters[0].reviewer])
        version.decision_id = self.sink.new_id(Decision)
        self.sink.add(
            Decision,
            (
                version.decision_id,
                c.id,
                version.id,
                outcome,
                DecisionKind.CONFIRMED,
                "",
                chair.id,
                chair.name,
                CHAIR_MEANINGS[DecisionKind.CONFIRMED],
                version.fingerprint,
                reasons,
                confirmed,
                "",  # the generated signatures carry the English meaning only, as signatures
                "",  # made before the signer's own text was kept
            ),
        )
        self._apply_outcome(c, version, outcome, confirmed)
        self.event(
            confirmed + EPSILON,
            c,
            EventKind.CONFIRMED,
            chair,
            {"version": version.number, "outcome": outcome},
        )
        return confirmed

    def _vote(self, c: _C, version: _Version, a: _AssignmentPlan, signed: datetime) -> None:
        """vote_cast: a signed vote (reasons with a rejection or change request)."""
        rng = self.rng
        decision = a.vote
        conditions: list[str] = []
        reasons: list[str] = []
        if decision == V.APPROVE_WITH_CONDITIONS:
            conditions = rng.sample(CONDITIONS, rng.choice((1, 1, 2)))
        elif decision in (V.REJECT, V.REQUEST_CHANGES):
            first = version.entry.top if rng.random() < 0.65 else rng.choice(self.reasons)
            chosen = {first if first in self.reasons else ReviewReason.OTHER.value}
            if rng.random() < 0.35:
                chosen.add(rng.choice(self.reasons))
            reasons = sorted(chosen)
        vote = _VoteStub(self.sink.new_id(Vote), a.reviewer, decision, reasons, conditions)
        version.votes.append(vote)
        self.sink.add(
            Vote,
            (
                vote.id,
                c.id,
                version.id,
                a.reviewer.id,
                decision,
                rng.choice(RATIONALES[decision]),
                _dumps(conditions),
                _dumps(reasons),
                a.reviewer.name,
                signed,
                VOTE_MEANINGS[decision],
                version.fingerprint,
                "",
                "",
                None,  # the generated votes ask for no reporting cadence
            ),
        )
        self.event(
            signed,
            c,
            EventKind.VOTED,
            a.reviewer,
            {
                "version": version.number,
                "vote": decision,
                "fingerprint": version.fingerprint,
                "conditions": len(conditions),
            },
        )

    def _apply_outcome(self, c: _C, version: _Version, outcome: str, moment: datetime) -> None:
        """_apply_outcome: decided, the approval's validity starts, the state changes."""
        c.decided_at = moment
        if outcome in workflow.APPROVED_STATES:
            months = self.rules[version.tier].validity_months
            c.approval_expires_at = workflow.add_months(moment, months)
        c.status = outcome
        c.touch(moment)

    # --- after an approval
    def _conditions(self, c: _C, version: _Version, until: datetime) -> None:
        """The conditions of the votes; the team fulfils them, a reviewer verifies."""
        rng = self.rng
        for vote in version.votes:
            for text in vote.conditions:
                condition_id = self.sink.new_id(Condition)
                status, note = ConditionStatus.OPEN, ""
                fulfilled_at = verified_at = fulfilled_by = verified_by = None
                moment = c.decided_at + self.skewed(2 * DAY, 40 * DAY)
                if moment < until and rng.random() < 0.85:
                    status, fulfilled_at, fulfilled_by = ConditionStatus.FULFILLED, moment, c.owner
                    note = "Done: see the campaign's launch checklist."
                    self.event(
                        moment,
                        c,
                        EventKind.CONDITION_FULFILLED,
                        c.owner,
                        {"condition": condition_id},
                    )
                    moment += self.skewed(2 * HOUR, 12 * DAY)
                    if moment < until and rng.random() < 0.85:
                        verified_by = rng.choice([v.reviewer for v in version.votes])
                        status, verified_at = ConditionStatus.VERIFIED, moment
                        self.event(
                            moment,
                            c,
                            EventKind.CONDITION_VERIFIED,
                            verified_by,
                            {"condition": condition_id},
                        )
                self.sink.add(
                    Condition,
                    (
                        condition_id,
                        c.id,
                        version.id,
                        vote.id,
                        text,
                        status,
                        note,
                        fulfilled_by.id if fulfilled_by else None,
                        fulfilled_at,
                        verified_by.id if verified_by else None,
                        verified_at,
                        False,  # condition_verification.sync() sets it once all are written
                        version.decision_id,
                        None,
                    ),
                )

    def _notice(self, c: _C, until: datetime) -> None:
        """notice_prepare (the generated draft), the team's contact address, and, usually,
        notice_publish."""
        prepared = c.decided_at + self.skewed(HOUR, 6 * DAY)
        if prepared >= until:
            return
        published = prepared + self.skewed(10 * MINUTE, 3 * DAY)
        if published >= until or self.rng.random() < 0.1:
            published = None
        texts = self.notice_texts.get(id(c.profile))
        if texts is None:  # the texts depend on the intake; name and team are put in below
            stand_in = Campaign(team=Team(name=TEAM_MARK), name=NAME_MARK, **c.profile.intake)
            texts = (*_notice_text(stand_in, "en"), *_notice_text(stand_in, "ar"))
            self.notice_texts[id(c.profile)] = texts
        title_en, body_en, title_ar, body_ar = (
            t.replace(NAME_MARK, c.name).replace(TEAM_MARK, c.team.name) for t in texts
        )
        self.sink.add(
            TransparencyNotice,
            (
                self.sink.new_id(TransparencyNotice),
                c.id,
                new_public_id(),  # a secret, unguessable link (not from the seeded generator)
                title_en,
                title_ar,
                body_en,
                body_ar,
                f"ai-questions@{c.team.slug}.example.com",  # the team's, as notice_update asks
                published,
                published or prepared,
            ),
        )
        c.notice_at = published

    def _feedback(
        self, c: _C, since: datetime, until: datetime, count: int, serious_at: datetime | None
    ) -> datetime | None:
        """``count`` pieces of feedback between ``since`` and ``until`` (and a serious one at
        ``serious_at``), triaged after a while; returns when the campaign was flagged for
        re-review (serious feedback, or too many concerns within 30 days)."""
        rng = self.rng
        moments = []
        if until > since:
            moments = [(since + (until - since) * rng.random(), None) for _ in range(count)]
        if serious_at is not None:
            moments.append((serious_at, FeedbackSeverity.SERIOUS))
        moments.sort(key=lambda item: item[0])
        colleagues = (
            self.people.marketers[c.team.pk]
            + self.people.managers[c.team.pk]
            + self.people.reviewers
        )
        flagged = None
        concerns: list[datetime] = []
        for moment, forced in moments:
            consumer = (
                forced is None
                and c.notice_at is not None
                and moment > c.notice_at
                and rng.random() < 0.5
            )
            category = rng.choices(FEEDBACK_CATEGORIES, (4, 2, 3, 2, 2, 1))[0]
            if consumer:  # through the public notice: always a concern, no account
                source, severity, author = FeedbackSource.CONSUMER, FeedbackSeverity.CONCERN, None
            else:
                source, author = FeedbackSource.INTERNAL, rng.choice(colleagues)
                severity = forced or rng.choices(FEEDBACK_SEVERITIES, (50, 40, 10))[0]
            feedback_id = self.sink.new_id(Feedback)
            status, note, triaged_by, triaged_at = TriageStatus.NEW, "", None, None
            answered = moment + self.skewed(HOUR, 10 * DAY)
            if answered < self.now and rng.random() < 0.85:
                status = rng.choices(TRIAGE_OUTCOMES, (45, 35, 20))[0]
                note, triaged_by, triaged_at = (
                    TRIAGE_NOTES[status],
                    rng.choice(self.people.reviewers),
                    answered,
                )
            self.sink.add(
                Feedback,
                (
                    feedback_id,
                    c.id,
                    source,
                    category,
                    severity,
                    rng.choice(FEEDBACK_TEXTS[category]),
                    author.id if author else None,
                    "",
                    False,
                    ip_hash(f"203.0.113.{feedback_id % 250}") if consumer else "",
                    "",
                    "",
                    "",
                    status,
                    note,
                    triaged_by.id if triaged_by else None,
                    triaged_at,
                    moment,
                ),
            )
            self.event(
                moment,
                c,
                EventKind.FEEDBACK_RECEIVED,
                author,
                {
                    "feedback": feedback_id,
                    "source": source,
                    "category": category,
                    "severity": severity,
                },
            )
            if triaged_by is not None:
                self.event(
                    triaged_at,
                    c,
                    EventKind.FEEDBACK_TRIAGED,
                    triaged_by,
                    {"feedback": feedback_id, "status": status},
                )
            if severity != FeedbackSeverity.INFO:
                concerns.append(moment)
            recent = sum(1 for m in concerns if m >= moment - 30 * DAY)
            if flagged is None and (
                severity == FeedbackSeverity.SERIOUS or recent > settings.FEEDBACK_REREVIEW_CONCERNS
            ):
                flagged = moment
        return flagged

    def _after_approval(self, c: _C, version: _Version, send_back: timedelta | None) -> None:
        """Conditions, notice, feedback and expiry after the approval at ``c.decided_at``;
        with ``send_back``, serious feedback that long after it and the chair sending the
        campaign back to review a few days later."""
        rng = self.rng
        expires = c.approval_expires_at
        serious_at = sent_back = None
        if send_back is not None:
            serious_at = c.decided_at + send_back
            sent_back = serious_at + self.between(DAY, 14 * DAY)
        ends = min(expires, sent_back or self.now, self.now)
        if c.status == S.APPROVED_WITH_CONDITIONS:
            self._conditions(c, version, ends)
        if rng.random() < 0.15:
            self._notice(c, min(expires, sent_back or self.now, self.now))
        count = rng.choice((1, 1, 1, 2, 2, 3, 5)) if rng.random() < 0.15 else 0
        flagged = None
        if count or serious_at:
            until = serious_at or min(self.now, expires + 60 * DAY)
            flagged = self._feedback(c, c.decided_at + HOUR, until, count, serious_at)
        if expires <= (sent_back or self.now):  # approvals_expire, which runs periodically
            ran = expires + self.between(timedelta(0), 50 * MINUTE)
            if ran >= (sent_back or self.now):
                ran = expires + ((sent_back or self.now) - expires) / 2
            c.status = S.EXPIRED
            c.touch(ran)
            self.event(ran, c, EventKind.EXPIRED, None, {"expired_at": expires.isoformat()})
        if sent_back is None:
            c.rereview_flagged_at = flagged
            return
        # campaign_send_back: the flag is cleared and the team revises.
        self.event(
            sent_back,
            c,
            EventKind.REREVIEW_REQUESTED,
            rng.choice(self.people.chairs or [version.votes[0].reviewer]),
            {"from": c.status},
        )
        c.status = S.REREVIEW_REQUESTED
        c.touch(sent_back)
