"""Generating campaigns: each follows one story (``vocabulary.STORIES``) through the
workflow, and every row and audit event is written as the services would write it.
The review steps are in ``review.py``, the stories in ``stories.py``."""

from __future__ import annotations

import bisect
import hashlib
import json
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from assessments import workflow
from assessments.models import (
    Assignment,
    AssignmentStatus,
    Campaign,
    CampaignVersion,
    Decision,
    EventKind,
    Feedback,
    ReviewReason,
    Vote,
)
from assessments.models import CampaignStatus as S
from assessments.models import VoteDecision as V
from assessments.services.panel import rule_for
from assessments.services.submission import fingerprint_of

from .chain import _Chain
from .people import _People, _Person
from .plans import _C, _AssignmentPlan, _Plan, _ReviewPlan, _Version
from .pool import _Entry, _Pool
from .review import _Review
from .sink import _dumps, _Sink
from .stories import _Stories
from .vocabulary import (
    AUDIENCES,
    DAY,
    DEFAULT_TIER_WEIGHTS,
    EPSILON,
    GROWTH,
    HISTORY_MONTHS,
    HOUR,
    MECHANICS,
    MINUTE,
    OBJECTIVES,
    PRODUCTS,
    THEMES,
    TIER_WEIGHTS,
    TIERS,
)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Generator(_Stories, _Review):
    """Plans every campaign's story, then runs them in order of creation (so ids follow
    time, as they would have), writing rows to the sink and collecting audit events."""

    def __init__(self, *, rng, now, sink: _Sink, people: _People, pool: _Pool, chain: _Chain):
        self.rng = rng
        self.chain = chain
        self.now = now
        self.start = workflow.add_months(now, -HISTORY_MONTHS)
        self.sink = sink
        self.people = people
        self.pool = pool
        self.questionnaire = pool.questionnaire
        self.rules = {tier: rule_for(tier) for tier in TIERS}
        self.confirm_tiers = [t for t in TIERS if self.rules[t].chair_confirms]
        self.team_weights = [rng.uniform(0.6, 1.6) for _ in people.teams]
        self.notice_texts: dict[int, tuple[str, str, str, str]] = {}
        self.statuses: Counter = Counter()
        self.tiers: Counter = Counter()
        self.reasons = list(ReviewReason.values)
        self.content_prefix = json.dumps(self.questionnaire.slug, ensure_ascii=False)
        self.content_checked = False
        # Each campaign's dashboard facts, from the rows written for it (see _facts).
        self.facts: dict[int, dict] = {}
        self.decoded: dict[str, object] = {}  # JSON text -> value (scores, reasons)
        sink.tap(Decision, Assignment, Vote, Feedback)

    # --- driving
    def run(self, deck: list[str], log: Callable[[str], None]) -> None:
        rng = self.rng
        planned = []
        for index, story in enumerate(deck):
            team = rng.choices(self.people.teams, self.team_weights)[0]
            c = _C(team, rng.choice(self.people.marketers[team.pk]))
            steps = getattr(self, f"_story_{story}")(c)
            next(steps)  # plans the story (see _place)
            planned.append([c.created_at, index, c, steps])
        self._allocate(planned)
        planned.sort(key=lambda item: (item[0], item[1]))
        log(f"  planned {len(planned):,} campaign histories")
        step = max(1, len(planned) // 5)
        for done in range(len(planned)):
            _created, _index, c, steps = planned[done]
            planned[done] = None  # let the finished plan go
            c.id = self.sink.new_id(Campaign)
            self._describe(c)
            self.event(
                c.created_at,
                c,
                EventKind.CREATED,
                c.owner,
                {"team": c.team.pk, "questionnaire": self.questionnaire.pk},
            )
            for _ in steps:
                pass
            self._write_campaign(c)
            self.facts[c.id] = self._facts(c)
            # Every event before the next campaign's creation is known now.
            if done + 1 < len(planned):
                self.chain.append_until(planned[done + 1][0])
            self.sink.flush_if_full()
            self.statuses[c.status] += 1
            self.tiers[c.tier or ("prohibited" if c.entry.prohibited else "unfinished")] += 1
            if (done + 1) % step == 0 or done + 1 == len(planned):
                log(
                    f"  generated {done + 1:,} campaigns, {self.chain.count:,} events "
                    f"({len(self.chain.heap):,} still to come)"
                )

    def _allocate(self, planned: list[list]) -> None:
        """Creation times for the stories that are not anchored to now, so that the
        campaigns created per month follow a smooth curve (a board that grows by
        ``GROWTH`` over the history): each goes, most constrained first, to a month before
        its latest possible creation, in proportion to what that month still lacks."""
        rng = self.rng
        bounds = []
        moment = self.start
        while moment < self.now:
            following = min(workflow.add_months(moment, 1), self.now)
            bounds.append((moment, following))
            moment = following
        span = (self.now - self.start).total_seconds()
        weights = []
        for first, last in bounds:
            middle = ((first - self.start) + (last - first) / 2).total_seconds() / span
            weights.append((1 + GROWTH * middle) * (last - first).total_seconds())
        total = sum(weights)
        room = [len(planned) * w / total for w in weights]
        starts = [first for first, _last in bounds]

        def month_of(moment: datetime) -> int:
            return max(0, bisect.bisect_right(starts, moment) - 1)

        for item in planned:
            if item[0] is not None:
                room[month_of(item[0])] -= 1
        flexible = sorted((item for item in planned if item[0] is None), key=lambda i: i[2].latest)
        for item in flexible:
            c = item[2]
            last = month_of(c.latest) if c.latest > self.start else -1
            if last < 0:
                created = c.latest
            else:
                # The last month counts only up to the latest creation time.
                first, end = bounds[last]
                share = (c.latest - first) / (end - first)
                options = [max(r, 0.0) for r in room[: last + 1]]
                options[last] *= share
                if sum(options) <= 0:
                    options = list(weights[: last + 1])
                    options[last] *= share
                month = rng.choices(range(last + 1), options)[0]
                first, end = bounds[month]
                created = first + (min(end, c.latest) - first) * rng.random()
                room[month] -= 1
            c.created_at = item[0] = created

    # --- small helpers
    def between(self, low: timedelta, high: timedelta) -> timedelta:
        return low + (high - low) * self.rng.random()

    def skewed(self, low: timedelta, high: timedelta) -> timedelta:
        """Mostly short, sometimes long (as waiting times are)."""
        return low + (high - low) * (self.rng.random() ** 2)

    def _place(
        self,
        c: _C,
        entry: _Entry,
        *,
        created: datetime | None = None,
        span: timedelta | None = None,
    ) -> None:
        """Planning ends here: the story's first assessment, and either its creation time
        (stories anchored to now) or how long the whole story takes (``_allocate`` then
        picks a creation time that leaves it all in the past)."""
        c.entry = entry
        c.created_at = created
        c.latest = None if span is None else self.now - span - HOUR

    def event(self, moment, c: _C, kind: str, actor: _Person | None, payload: dict) -> None:
        self.chain.push(moment, c.id, str(kind), actor.id if actor else None, payload)

    def tier_for(self, story: str) -> str:
        return self.rng.choices(TIERS, TIER_WEIGHTS.get(story, DEFAULT_TIER_WEIGHTS))[0]

    # --- drafting
    def _describe(self, c: _C) -> None:
        """Name, texts and flight of the campaign (the flight starts after its creation)."""
        rng = self.rng
        created = c.created_at
        c.profile = c.entry.profile
        c.answers_at = created
        c.touch(created)
        intake = c.profile.intake
        techniques = intake["ai_techniques"]
        c.flight_start = (created + self.between(14 * DAY, 100 * DAY)).date()
        c.flight_end = c.flight_start + timedelta(days=rng.randint(14, 150))
        product = rng.choice(PRODUCTS.get(c.team.slug, ["product range"]))
        mechanic = MECHANICS.get(techniques[0], "campaign") if techniques else "campaign"
        c.name = f"{rng.choice(THEMES)} {product} {mechanic} {c.flight_start.year}"
        c.objective = rng.choice(OBJECTIVES)
        uses = ", ".join(MECHANICS.get(t, t) for t in techniques) or "planning"
        c.description = (
            f"{c.objective}. AI is used for {uses}; the team reviews what it produces "
            "before launch."
        )
        c.audiences = rng.choice(AUDIENCES)
        # Campaign.intake_export(), as versions freeze it.
        c.export_json = _dumps(
            {
                "name": c.name,
                "team": c.team.slug,
                "owner": c.owner.email,
                "objective": c.objective,
                "description": c.description,
                "audiences": c.audiences,
                "flight_start": c.flight_start.isoformat(),
                "flight_end": c.flight_end.isoformat(),
                **intake,
            }
        )

    def _plan_draft(self, entry: _Entry) -> list[tuple[timedelta, list[str], str]]:
        plan = []
        at = self.skewed(5 * MINUTE, 2 * DAY)
        for codes, section in entry.saves:
            plan.append((at, codes, section))
            at += self.skewed(20 * MINUTE, 10 * DAY)
        return plan

    def _save(self, c: _C, moment: datetime, codes: list[str], section: str) -> None:
        """assessment_save_answers (the event lists the questions whose answers changed)."""
        if codes:
            self.event(moment, c, EventKind.ANSWERS_SAVED, c.owner, {"questions": codes})
        c.answers_at = moment
        c.last_section = section
        c.touch(moment)

    def _draft(self, c: _C, plan, until: datetime | None = None) -> None:
        if plan and self.rng.random() < 0.12:
            moment = c.created_at + plan[0][0] / 2
            if until is None or moment < until:
                field_name = self.rng.choice(["description", "audiences", "flight_end"])
                self.event(moment, c, EventKind.EDITED, c.owner, {"fields": [field_name]})
                c.touch(moment)
        for offset, codes, section in plan:
            moment = c.created_at + offset
            if until is not None and moment >= until:
                break
            self._save(c, moment, codes, section)

    # --- planning reviews
    def _votes_for(self, outcome: str, count: int) -> list[str]:
        """Votes whose outcome under the voting rule is ``outcome``."""
        first, others = {
            S.APPROVED: (V.APPROVE, [V.APPROVE]),
            S.APPROVED_WITH_CONDITIONS: (
                V.APPROVE_WITH_CONDITIONS,
                [V.APPROVE, V.APPROVE, V.APPROVE_WITH_CONDITIONS],
            ),
            S.CHANGES_REQUESTED: (
                V.REQUEST_CHANGES,
                [V.APPROVE, V.APPROVE_WITH_CONDITIONS, V.REQUEST_CHANGES],
            ),
            S.REJECTED: (
                V.REJECT,
                [V.APPROVE_WITH_CONDITIONS, V.REQUEST_CHANGES, V.REJECT, V.REJECT],
            ),
        }[outcome]
        votes = [first] + [self.rng.choice(others) for _ in range(count - 1)]
        self.rng.shuffle(votes)
        return votes

    def _plan_review(
        self,
        tier: str,
        carried: list[_Person],
        outcome: str | None,
        owner: _Person,
        short_by: int = 0,
    ) -> _ReviewPlan:
        """Who reviews and when (``routing rule of the tier``); the voters carried over from
        the last version first, then the chair completes the panel (with a specialist where
        the tier needs one). ``short_by`` leaves the panel that many reviewers short."""
        rng = self.rng
        rule = self.rules[tier]
        board = [r for r in self.people.reviewers if r.id != owner.id]
        plans = [
            _AssignmentPlan(r, "carried", EPSILON * (i + 1), accept_at=EPSILON * (i + 1))
            for i, r in enumerate(carried)
        ]
        required = min(rule.reviewers_required, len(board))
        need = max(0, required - len(carried))
        chosen: list[_Person] = []
        if rule.specialist_required and not any(r.specialist for r in carried):
            specialists = [r for r in board if r.specialist and r not in carried]
            if specialists:
                chosen.append(rng.choice(specialists))
                need = max(need, 1)
        rest = [r for r in board if r not in carried and r not in chosen]
        chosen += rng.sample(rest, max(0, min(len(rest), need - len(chosen))))
        if short_by:
            chosen = chosen[: max(0, len(chosen) - short_by)]
        chair = rng.choice(self.people.chairs or board)
        assign_at = self.skewed(30 * MINUTE, 2 * DAY) + EPSILON * (len(carried) + 1)
        staffed_at = assign_at if chosen else EPSILON * (len(carried) + 1)
        taken = {r.id for r in carried} | {r.id for r in chosen}
        for index, reviewer in enumerate(chosen):
            plan = _AssignmentPlan(reviewer, "chair", assign_at + EPSILON * index, chair)
            plans.append(plan)
            if rng.random() < 0.04:  # recuses; the system assigns a replacement at once
                free = [r for r in board if r.id not in taken]
                alike = [r for r in free if r.specialist == reviewer.specialist]
                if alike or free:
                    replacement = rng.choice(alike or free)
                    taken.add(replacement.id)
                    plan.recuse_at = plan.created + self.skewed(HOUR, 2 * DAY)
                    plans.append(
                        _AssignmentPlan(
                            replacement,
                            "replacement",
                            plan.recuse_at + EPSILON,
                            replaces=reviewer.id,
                        )
                    )
        voters = [p for p in plans if p.recuse_at is None]
        for plan in voters:
            if plan.accept_at is None:
                plan.accept_at = plan.created + self.skewed(30 * MINUTE, 3 * DAY)
            plan.vote_at = plan.accept_at + self.skewed(2 * HOUR, 12 * DAY)
        if outcome is not None and voters:
            for plan, vote in zip(voters, self._votes_for(outcome, len(voters)), strict=True):
                plan.vote = vote
        decide_at = max((p.vote_at for p in voters), default=staffed_at) + EPSILON
        confirm_at = decide_at + self.skewed(2 * HOUR, 4 * DAY) if rule.chair_confirms else None
        if short_by:
            staffed_at = None
            for plan in plans:
                plan.vote_at = None
        return _ReviewPlan(rule, plans, staffed_at, decide_at, confirm_at)

    def _plan(self, c: _C, entries: list[_Entry], outcomes: list[str | None]) -> _Plan:
        draft = self._plan_draft(entries[0])
        first_span = (draft[-1][0] if draft else timedelta(0)) + self.skewed(5 * MINUTE, 3 * DAY)
        reviews, reworks, carried = [], [], []
        for index, (entry, outcome) in enumerate(zip(entries, outcomes, strict=True)):
            if index:
                reworks.append((self.skewed(DAY, 25 * DAY), self.skewed(5 * MINUTE, 2 * HOUR)))
            review = self._plan_review(entry.tier, carried, outcome, c.owner)
            reviews.append(review)
            carried = review.voters
        return _Plan(entries, draft, first_span, reviews, reworks)

    def _versions(self, two: bool, story: str, outcome: str) -> tuple[list, list]:
        """Answer sets and outcomes: one version, or changes requested and a revision."""
        first = self.pool.for_tier(self.tier_for(story))
        if not two:
            return [first], [outcome]
        return [first, self.pool.revision_of(first)], [S.CHANGES_REQUESTED, outcome]

    # --- carrying out
    def _run(
        self,
        c: _C,
        plan: _Plan,
        cutoff: datetime | None = None,
        keep_open: bool = False,
        left_pending: str = AssignmentStatus.PENDING,
    ) -> tuple[_Version, datetime | None]:
        """Draft, submit and review every planned version; the last review only up to
        ``cutoff``. Returns the last version and its decision time (None: undecided)."""
        self._draft(c, plan.draft)
        moment = c.created_at + plan.first_span
        decided = None
        count = len(plan.entries)
        for index, (entry, review) in enumerate(zip(plan.entries, plan.reviews, strict=True)):
            if index:
                rework, resubmit = plan.reworks[index - 1]
                saved = decided + rework
                previous = plan.entries[index - 1]
                self._save(c, saved, self.pool.changed_codes(previous, entry), c.last_section)
                moment = saved + resubmit
            version = self._submit(c, moment, entry)
            last = index == count - 1
            decided = self._review(
                c,
                version,
                review,
                cutoff=cutoff if last else None,
                keep_open=keep_open and last,
                left_pending=left_pending,
            )
            if decided is None and not last:  # cannot happen with a full panel
                decided = version.created_at + review.end
        return version, decided

    def _submit(self, c: _C, moment: datetime, entry: _Entry) -> _Version:
        """campaign_submit: freeze intake, answers and score as the next version."""
        number = len(c.versions) + 1
        # services.submission.version_content, in canonical JSON (sorted keys, compact), assembled
        # from the parts' canonical texts; fingerprint_of is the SHA-256 of exactly this text.
        content = (
            f'{{"answers":{entry.answers_json},"intake":{c.export_json},'
            f'"questionnaire":{self.content_prefix},'
            f'"questionnaire_version":{self.questionnaire.version},'
            f'"score":{entry.score_json}}}'
        )
        if not self.content_checked:
            if fingerprint_of(json.loads(content)) != _sha256(content):
                raise RuntimeError("seeding.bulk builds version content out of canonical form")
            self.content_checked = True
        fingerprint = _sha256(content)
        version = _Version(
            self.sink.new_id(CampaignVersion), number, entry, fingerprint, entry.tier, moment
        )
        self.sink.add(
            CampaignVersion,
            (
                version.id,
                c.id,
                number,
                self.questionnaire.pk,
                content,
                fingerprint,
                entry.tier,
                c.owner.id,
                moment,
            ),
        )
        rule = self.rules[entry.tier]
        c.versions.append(version)
        c.entry = entry
        c.tier = entry.tier
        c.submitted_at = moment
        c.first_submitted_at = c.first_submitted_at or moment
        c.review_due_at = workflow.add_working_days(moment, rule.due_working_days)
        c.status = S.SUBMITTED
        c.touch(moment)
        self.event(
            moment,
            c,
            EventKind.SUBMITTED,
            c.owner,
            {"version": number, "fingerprint": fingerprint, "tier": entry.tier},
        )
        return version
