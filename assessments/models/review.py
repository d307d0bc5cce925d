"""The ethics board's review: routing rules, frozen versions, assignments, comments,
signed votes, decisions and conditions. Rows are written only by the workflow services."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .accounts import User
from .campaigns import IN_REVIEW_STATES, Campaign, CampaignStatus, Questionnaire


class RoutingRule(models.Model):
    """How a risk tier is reviewed. Administrators edit these in the admin."""

    tier = models.CharField(_("tier"), max_length=4, unique=True)
    reviewers_required = models.PositiveSmallIntegerField(_("reviewers required"))
    specialist_required = models.BooleanField(
        _("a privacy/legal specialist must be among them"), default=False
    )
    chair_confirms = models.BooleanField(_("the chair must confirm the outcome"), default=False)
    due_working_days = models.PositiveSmallIntegerField(_("decision due in working days"))
    validity_months = models.PositiveSmallIntegerField(_("approval valid for months"))

    class Meta:
        ordering = ["tier"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return f"Tier {self.tier}"


class CampaignVersion(models.Model):
    """What was submitted, frozen: intake, answers, questionnaire version and score.
    Never changed; a resubmission is a new version. ``fingerprint`` is the SHA-256 of
    the canonical content."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT)
    content = models.JSONField(_("content"))
    fingerprint = models.CharField(_("fingerprint (SHA-256)"), max_length=64)
    tier = models.CharField(_("tier"), max_length=12)
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("submitted at"))

    class Meta:
        ordering = ["campaign", "number"]
        verbose_name = _("campaign version")
        verbose_name_plural = _("campaign versions")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} v{self.number}"


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for acceptance")
    ACCEPTED = "accepted", _("Accepted")
    RECUSED = "recused", _("Recused")
    CANCELLED = "cancelled", _("Cancelled")
    # The reviewer lost the reviewer role, was deactivated or joined the campaign's team.
    WITHDRAWN = "withdrawn", _("Withdrawn (no longer eligible)")


ACTIVE_ASSIGNMENT_STATES = ("pending", "accepted")


class AssignmentQuerySet(models.QuerySet):
    def active(self):
        """Assignments that hold a seat on their version's panel: pending or accepted."""
        return self.filter(status__in=ACTIVE_ASSIGNMENT_STATES)

    def open(self):
        """Assignments still waiting for their reviewer: active, on the campaign's current
        version, in an open review, without the reviewer's vote on that version. (The
        dashboard's facts apply the same rule to loaded rows: ``open_reviewer_ids``.)
        Starts from the few campaigns in review (indexed), not from every assignment."""
        newer_version = CampaignVersion.objects.filter(
            campaign=models.OuterRef("campaign"), number__gt=models.OuterRef("version__number")
        )
        voted = Vote.objects.filter(
            version=models.OuterRef("version"), reviewer=models.OuterRef("reviewer")
        )
        in_review = Campaign.objects.filter(status__in=IN_REVIEW_STATES)
        return self.active().filter(
            ~models.Exists(newer_version),
            ~models.Exists(voted),
            campaign_id__in=in_review.values("pk"),
        )


def open_reviewer_ids(
    *, campaign_status: str, current_version_id, assignments: list[dict], votes: list[dict]
) -> list[int]:
    """``AssignmentQuerySet.open`` on one campaign's loaded rows (``assignments``:
    version_id, reviewer_id, status; ``votes``: version_id, reviewer_id): the reviewers it
    waits for, sorted."""
    if campaign_status not in IN_REVIEW_STATES or current_version_id is None:
        return []
    voted = {v["reviewer_id"] for v in votes if v["version_id"] == current_version_id}
    return sorted(
        {
            a["reviewer_id"]
            for a in assignments
            if a["version_id"] == current_version_id
            and a["status"] in ACTIVE_ASSIGNMENT_STATES
            and a["reviewer_id"] not in voted
        }
    )


class Assignment(models.Model):
    """A reviewer asked to review one version."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assignments")
    version = models.ForeignKey(
        CampaignVersion, on_delete=models.PROTECT, related_name="assignments"
    )
    reviewer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.PENDING
    )
    coi_declaration = models.TextField(_("conflict-of-interest declaration"), blank=True)
    recusal_reason = models.TextField(_("reason for recusal"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["reviewer", "status"], name="assignment_reviewer_status"),
            models.Index(
                fields=["-responded_at", "id"],
                condition=models.Q(status="recused"),
                name="assignment_recused",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "reviewer"],
                condition=models.Q(status__in=["pending", "accepted"]),
                name="assignment_active_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.version}"


class VoteDecision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    APPROVE_WITH_CONDITIONS = "approve_with_conditions", _("Approve with conditions")
    REQUEST_CHANGES = "request_changes", _("Request changes")
    REJECT = "reject", _("Reject")


class ReviewReason(models.TextChoices):
    """What a rejection or a change request is about (the dashboard counts them)."""

    PRIVACY = "privacy", _("Privacy & data protection")
    FAIRNESS = "fairness", _("Fairness & bias")
    TRANSPARENCY = "transparency", _("Transparency")
    OVERSIGHT = "oversight", _("Human oversight & accountability")
    AUTHENTICITY = "authenticity", _("Content authenticity")
    MANIPULATION = "manipulation", _("Consumer protection & manipulation")
    CHANNEL = "channel", _("Channel integrity")
    LEGAL = "legal", _("Legal or contractual")
    OTHER = "other", _("Other")


class SignedMeaning:
    """The meaning of a signature as the signer read it (their language), and whether that
    is other than the canonical English text kept beside it."""

    @property
    def meaning_as_signed(self) -> str:
        return self.meaning_signed or self.meaning

    @property
    def meaning_translated(self) -> bool:
        return bool(self.meaning_signed) and self.meaning_signed != self.meaning


class Vote(SignedMeaning, models.Model):
    """A reviewer's signed vote on one version (electronic signature: the reviewer
    re-entered their password; the record keeps the printed name, the UTC time, the
    meaning and the fingerprint of the version signed)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="votes")
    version = models.ForeignKey(CampaignVersion, on_delete=models.PROTECT, related_name="votes")
    reviewer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="votes")
    decision = models.CharField(_("vote"), max_length=32, choices=VoteDecision.choices)
    rationale = models.TextField(_("rationale"))
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    # With "approve with conditions": also require a monitoring report every N days (a
    # condition of its own once the approval is decided, see ``Condition.report_every_days``).
    report_every_days = models.PositiveSmallIntegerField(
        _("a monitoring report every N days"), null=True, blank=True
    )
    # What a "reject" or "request changes" vote is about: questionnaire dimension codes.
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    signer_name = models.CharField(_("signed by"), max_length=200)
    signed_at = models.DateTimeField(_("signed at (UTC)"))
    # ``meaning`` is the canonical English text (VOTE_MEANINGS); ``meaning_signed`` the same
    # meaning as the signer read and signed it, in ``meaning_language`` (blank on signatures
    # made before both were kept: those signed the English text).
    meaning = models.CharField(_("meaning of the signature"), max_length=300)
    meaning_signed = models.CharField(max_length=300, blank=True, default="", db_default="")
    meaning_language = models.CharField(max_length=8, blank=True, default="", db_default="")
    fingerprint = models.CharField(_("version fingerprint"), max_length=64)

    class Meta:
        ordering = ["signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "reviewer"], name="vote_once_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.signer_name}: {self.get_decision_display()}"

    @property
    def reporting_condition(self) -> str:
        """The reporting cadence the vote asks for, as a condition in the active language."""
        return reporting_condition_text(self.report_every_days) if self.report_every_days else ""


class DecisionKind(models.TextChoices):
    RULE = "rule", _("By the voting rule")
    CONFIRMED = "confirmed", _("Confirmed by the chair")
    OVERRULED = "overruled", _("Overruled by the chair")


class DecisionQuerySet(models.QuerySet):
    def effective(self):
        """Decisions that count: the last of their version, and not a rule decision on the
        current version still waiting for the chair's confirmation (a proposal). (The
        dashboard's facts apply the same rule to loaded rows: ``effective_decisions``.)"""
        later = Decision.objects.filter(
            models.Q(created_at__gt=models.OuterRef("created_at"))
            | models.Q(created_at=models.OuterRef("created_at"), id__gt=models.OuterRef("id")),
            version=models.OuterRef("version"),
        )
        newer_version = CampaignVersion.objects.filter(
            campaign=models.OuterRef("campaign"), number__gt=models.OuterRef("version__number")
        )
        return self.filter(~models.Exists(later)).exclude(
            models.Q(kind=DecisionKind.RULE)
            & models.Q(campaign__status=CampaignStatus.AWAITING_CONFIRMATION)
            & ~models.Exists(newer_version)
        )


def effective_decisions(
    *, campaign_status: str, current_version_id, decisions: list[dict]
) -> list[dict]:
    """``DecisionQuerySet.effective`` on one campaign's loaded rows (id, version_id, kind,
    created_at), in the order they were made."""
    last: dict[int, dict] = {}
    for decision in sorted(decisions, key=lambda d: (d["created_at"], d["id"])):
        last[decision["version_id"]] = decision
    counted = [
        decision
        for version_id, decision in last.items()
        if not (
            campaign_status == CampaignStatus.AWAITING_CONFIRMATION
            and version_id == current_version_id
            and decision["kind"] == DecisionKind.RULE
        )
    ]
    return sorted(counted, key=lambda d: (d["created_at"], d["id"]))


class Decision(SignedMeaning, models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="decisions")
    version = models.ForeignKey(CampaignVersion, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(_("outcome"), max_length=32)
    kind = models.CharField(_("how"), max_length=16, choices=DecisionKind.choices)
    rationale = models.TextField(_("rationale"), blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True)
    signer_name = models.CharField(max_length=200, blank=True)
    meaning = models.CharField(max_length=300, blank=True)  # canonical English (CHAIR_MEANINGS)
    meaning_signed = models.CharField(max_length=300, blank=True, default="", db_default="")
    meaning_language = models.CharField(max_length=8, blank=True, default="", db_default="")
    fingerprint = models.CharField(max_length=64)
    # For "rejected" and "changes requested": the reasons the concurring votes gave.
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    created_at = models.DateTimeField()

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["campaign", "outcome"], name="decision_campaign_outcome"),
            models.Index(fields=["created_at"], name="decision_created"),
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.outcome}"

    def get_outcome_display(self) -> str:
        return str(dict(CampaignStatus.choices).get(self.outcome, self.outcome))


class ConditionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    FULFILLED = "fulfilled", _("Fulfilled, waiting for verification")
    VERIFIED = "verified", _("Verified")


# A condition may ask for monitoring reports at most this often, and at least this often.
REPORT_EVERY_MIN_DAYS = 7
REPORT_EVERY_MAX_DAYS = 90


class Condition(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="conditions")
    version = models.ForeignKey(
        CampaignVersion, on_delete=models.PROTECT, related_name="conditions"
    )
    # The decision that set it: only those of the campaign's effective decision count in the
    # monitoring plan (blank on conditions set before this was kept).
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="conditions"
    )
    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, null=True, blank=True)
    text = models.TextField(_("condition"))
    # A monitoring report every N days: added to the plan of the tier's rule (the tighter
    # cadence wins, ``monitoring.plan_of``). ``text`` then states it in English.
    report_every_days = models.PositiveSmallIntegerField(
        _("a monitoring report every N days"), null=True, blank=True
    )
    status = models.CharField(
        max_length=16, choices=ConditionStatus.choices, default=ConditionStatus.OPEN
    )
    fulfilment_note = models.TextField(_("how it was fulfilled"), blank=True)
    fulfilled_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    # Fulfilled while its campaign holds an approval with conditions: on the board's
    # "to verify" list. Derived, kept by the services (condition_verification.sync) so the
    # list is one index range instead of a join that skips every fulfilled condition of
    # campaigns that have since expired, been withdrawn or gone back to review.
    awaiting_verification = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(
                fields=["fulfilled_at", "id"],
                condition=models.Q(awaiting_verification=True),
                name="condition_awaiting",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(report_every_days__isnull=True)
                | models.Q(
                    report_every_days__gte=REPORT_EVERY_MIN_DAYS,
                    report_every_days__lte=REPORT_EVERY_MAX_DAYS,
                ),
                name="condition_report_every_days_range",
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def label(self) -> str:
        """The condition as the reader sees it: a reporting cadence in their language."""
        if self.report_every_days:
            return reporting_condition_text(self.report_every_days)
        return self.text


def reporting_condition_text(days: int) -> str:
    """What a condition that sets a reporting cadence says (in the active language)."""
    return ngettext(
        "Send a monitoring report every %(days)s day.",
        "Send a monitoring report every %(days)s days.",
        days,
    ) % {"days": days}


class CommentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CommentQuerySet":
        """The comments ``user`` may read: board-only ones for the board (reviewers and the
        chair) only. The one rule of board-only comments."""
        from ..permissions import is_board

        return self if is_board(user) else self.filter(board_only=False)


class Comment(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="comments")
    version = models.ForeignKey(
        CampaignVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="comments"
    )
    section = models.CharField(_("section"), max_length=100, blank=True)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="comments")
    text = models.TextField(_("comment"), max_length=5000)
    board_only = models.BooleanField(_("visible to the board only"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:60]
