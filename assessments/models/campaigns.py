import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..provenance import AiDisclosure, ProvenanceStatus
from ..roles import Role
from .accounts import Team, User


class Questionnaire(models.Model):
    """One version of a questionnaire definition, loaded from a file in the repository.
    Never edited: a changed file becomes a new version."""

    slug = models.SlugField(_("slug"), max_length=100)
    version = models.PositiveIntegerField(_("version"))
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_ar = models.CharField(_("title (Arabic)"), max_length=200)
    definition = models.JSONField(_("definition"))
    checksum = models.CharField(_("SHA-256 of the definition"), max_length=64)
    source = models.CharField(_("source file"), max_length=200)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    class Meta:
        ordering = ["slug", "-version"]
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        constraints = [
            models.UniqueConstraint(
                fields=["slug", "version"], name="questionnaire_version_unique"
            ),
            models.UniqueConstraint(
                fields=["slug", "checksum"], name="questionnaire_content_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slug} v{self.version}"

    def title(self, language: str | None = None) -> str:
        return (
            self.title_ar if (language or "").startswith("ar") and self.title_ar else self.title_en
        )


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("Awaiting the chair's confirmation")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", _("Approved with conditions")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Approval expired")
    REREVIEW_REQUESTED = "rereview_requested", _("Re-review requested")


# The states of an open review and of a valid approval (workflow.OPEN_REVIEW_STATES and
# APPROVED_STATES, which import this module), for the partial indexes below.
IN_REVIEW_STATES = sorted(
    [CampaignStatus.SUBMITTED, CampaignStatus.IN_REVIEW, CampaignStatus.AWAITING_CONFIRMATION]
)
APPROVED_STATES = sorted([CampaignStatus.APPROVED, CampaignStatus.APPROVED_WITH_CONDITIONS])


def _list_default() -> list:
    return []


# Roles that read every campaign (the board and managers); marketers read their teams'.
READ_ALL_ROLES = frozenset({Role.REVIEWER, Role.CHAIR, Role.MANAGER, Role.ADMIN})


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CampaignQuerySet":
        """The campaigns ``user`` may open (everything else answers 404): all of them for
        the board, managers and administrators, their teams' for marketers, none for anyone
        signed out, deactivated or without a role. The one rule of campaign visibility."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if not READ_ALL_ROLES.isdisjoint(user.role_set):
            return self.all()
        if Role.MARKETER in user.role_set:
            return self.filter(team_id__in=user.team_ids)
        return self.none()

    def with_viewer(self, user) -> "CampaignQuerySet":
        """Each campaign with what ``permissions.available_actions`` needs to know about
        ``user``, read in the same query: the user's open assignment on its newest version
        (``Assignment.objects.open``: pending, or accepted and waiting for their vote),
        and, for the board, whether they submitted any version (a party to the campaign).
        Only the board holds assignments (losing the role withdraws them) and judges, so
        for anyone else the assignment facts are constants and whether they are a party
        is not asked."""
        from .review import Assignment, AssignmentStatus, CampaignVersion

        board = {}
        if getattr(user, "role_set", frozenset()).isdisjoint({Role.REVIEWER, Role.CHAIR}):
            pending_id = models.Value(None, output_field=models.BigIntegerField())
            to_vote = models.Value(False)
        else:
            mine = Assignment.objects.open().filter(
                campaign_id=models.OuterRef("pk"), reviewer_id=user.pk
            )
            pending_id = models.Subquery(
                mine.filter(status=AssignmentStatus.PENDING).values("pk")[:1]
            )
            to_vote = models.Exists(mine.filter(status=AssignmentStatus.ACCEPTED))
            board["viewer_submitted"] = models.Exists(
                CampaignVersion.objects.filter(
                    campaign_id=models.OuterRef("pk"), submitted_by_id=user.pk
                )
            )
        return self.annotate(
            viewer_pk=models.Value(user.pk, output_field=models.BigIntegerField()),
            viewer_pending_id=pending_id,
            viewer_to_vote=to_vote,
            **board,
        )


class Campaign(models.Model):
    """A proposed AI marketing campaign, described by its team for the ethics board."""

    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="campaigns"
    )
    owner = models.ForeignKey(
        User, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="campaigns_owned"
    )
    name = models.CharField(_("name"), max_length=200)
    objective = models.CharField(_("objective"), max_length=300)
    description = models.TextField(_("description"), max_length=5000)
    channels = models.JSONField(_("channels"), default=_list_default)
    markets = models.JSONField(_("markets"), default=_list_default)
    audiences = models.TextField(_("audiences"), max_length=2000)
    reaches_minors = models.BooleanField(_("can reach minors"), default=False)
    reaches_vulnerable = models.BooleanField(_("can reach vulnerable groups"), default=False)
    ai_techniques = models.JSONField(_("AI techniques"), default=_list_default)
    data_sources = models.JSONField(_("data sources"), default=_list_default)
    data_categories = models.JSONField(_("data categories"), default=_list_default)
    flight_start = models.DateField(_("flight start"))
    flight_end = models.DateField(_("flight end"))
    status = models.CharField(
        _("status"), max_length=32, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    tier = models.CharField(_("tier"), max_length=12, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    review_due_at = models.DateTimeField(_("decision due"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    approval_expires_at = models.DateTimeField(_("approval expires"), null=True, blank=True)
    rereview_flagged_at = models.DateTimeField(
        _("flagged for re-review by feedback"), null=True, blank=True
    )
    # The newest submitted version and its number, set by the submission service.
    latest_version = models.ForeignKey(
        "CampaignVersion",
        verbose_name=_("latest version"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    latest_version_number = models.PositiveIntegerField(
        _("latest version number"), null=True, blank=True, editable=False
    )
    # The seq of the campaign's newest audit event, set by ``audit.record``: the version
    # of everything the campaign page caches (every change to a campaign records one).
    last_event_seq = models.PositiveBigIntegerField(
        _("last audit event"), null=True, blank=True, editable=False
    )
    # The open severe incident that suspends the clearance (services.incidents keeps it).
    clearance_suspended_by = models.ForeignKey(
        "Incident", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # What ``?q=`` searches: name, team, owner and description, normalised
    # (``assessments.search``); rewritten by the services that change a part, and
    # trigram-indexed on PostgreSQL (migration 0024).
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        # One index per filter and sort the campaign list and the dashboard offer; each
        # sort ends with the id so keyset pagination can seek to its cursor. The JSON list
        # filters (channels, markets) use GIN indexes on PostgreSQL (migration 0007).
        indexes = [
            # A team's campaigns in a state, newest change first: the list's filtered
            # pages walk it in order and stop at the page's end.
            # (PostgreSQL: with the channels and markets, so a filtered count is answered
            # from the index alone; other databases ignore INCLUDE.)
            models.Index(
                fields=["team", "status", "updated_at", "id"],
                include=["channels", "markets"],
                name="campaign_team_status_updated",
            ),
            models.Index(fields=["updated_at", "id"], name="campaign_updated"),
            models.Index(fields=["created_at", "id"], name="campaign_created"),
            models.Index(fields=["name", "id"], name="campaign_name"),
            models.Index(fields=["review_due_at", "id"], name="campaign_due"),
            models.Index(fields=["first_submitted_at", "id"], name="campaign_first_submitted"),
            models.Index(fields=["approval_expires_at"], name="campaign_expires"),
            # The dashboard's overdue reviews and approvals expiring soon: index-only
            # counts, with or without its filters (team, tier, channel, market).
            models.Index(
                fields=["review_due_at", "team", "tier", "channels", "markets"],
                condition=models.Q(status__in=IN_REVIEW_STATES),
                name="campaign_overdue_scope",
            ),
            models.Index(
                fields=["approval_expires_at", "team", "tier", "channels", "markets"],
                condition=models.Q(status__in=APPROVED_STATES),
                name="campaign_expiring_scope",
            ),
            models.Index(fields=["status", "updated_at", "id"], name="campaign_status_updated"),
            models.Index(fields=["status", "review_due_at", "id"], name="campaign_status_due"),
            models.Index(fields=["tier", "updated_at", "id"], name="campaign_tier_updated"),
            models.Index(
                fields=["-rereview_flagged_at", "id"],
                condition=models.Q(rereview_flagged_at__isnull=False),
                name="campaign_flagged",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(flight_end__gte=models.F("flight_start")),
                name="campaign_flight_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def awaiting_decision(self) -> bool:
        """Under review: the decision is still due (its due date means nothing after it)."""
        return self.status in IN_REVIEW_STATES

    def intake(self) -> dict:
        """The intake fields questionnaire conditions can test."""
        return {
            "channels": list(self.channels),
            "markets": list(self.markets),
            "ai_techniques": list(self.ai_techniques),
            "data_sources": list(self.data_sources),
            "data_categories": list(self.data_categories),
            "reaches_minors": self.reaches_minors,
            "reaches_vulnerable": self.reaches_vulnerable,
        }

    def intake_export(self) -> dict:
        """Every intake field, as plain JSON (for export and import)."""
        return {
            "name": self.name,
            "team": self.team.slug,
            "owner": self.owner.email,
            "objective": self.objective,
            "description": self.description,
            "audiences": self.audiences,
            "flight_start": self.flight_start.isoformat(),
            "flight_end": self.flight_end.isoformat(),
            **self.intake(),
        }


# Columns a list of campaigns never shows: lists load campaigns without them (the JSON lists
# alone cost five decodes per row).
CAMPAIGN_DETAIL_FIELDS = (
    "objective",
    "description",
    "audiences",
    "channels",
    "markets",
    "ai_techniques",
    "data_sources",
    "data_categories",
    "search_text",
)


class Assessment(models.Model):
    """The campaign's answers to one questionnaire version (kept even when hidden)."""

    campaign = models.OneToOneField(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="assessment"
    )
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("questionnaire"), on_delete=models.PROTECT
    )
    answers = models.JSONField(_("answers"), default=dict)
    last_section = models.CharField(_("last section"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return f"{self.campaign} ({self.questionnaire})"


class EvidenceKind(models.TextChoices):
    BIAS_REPORT = "bias_report", _("Bias test report")
    DPIA = "dpia", _("Data protection impact assessment (DPIA)")
    VENDOR = "vendor", _("Vendor document")
    OTHER = "other", _("Other evidence")


def evidence_path(instance, filename: str) -> str:
    # Server-generated name: nothing the uploader chose reaches the file system.
    return f"evidence/{instance.campaign_id}/{secrets.token_hex(16)}"


class EvidenceFile(models.Model):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EvidenceKind.choices)
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(User, verbose_name=_("uploaded by"), on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # The content credentials (C2PA) read at upload; see assessments/provenance.py.
    provenance_status = models.CharField(
        _("content credentials"),
        max_length=12,
        choices=ProvenanceStatus.choices,
        default=ProvenanceStatus.NOT_READ,
        blank=True,
    )
    provenance_generator = models.CharField(_("producing tool"), max_length=200, blank=True)
    provenance_signer = models.CharField(_("signed by"), max_length=200, blank=True)
    provenance_source_type = models.CharField(_("digital source type"), max_length=100, blank=True)
    provenance_ai = models.CharField(
        _("AI disclosure"),
        max_length=12,
        choices=AiDisclosure.choices,
        default=AiDisclosure.NONE_DECLARED,
        blank=True,
    )

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name

    @property
    def provenance_read(self) -> bool:
        return self.provenance_status != ProvenanceStatus.NOT_READ

    @property
    def has_credentials(self) -> bool:
        """Signed content credentials whose signature holds (trusted or not)."""
        return self.provenance_status in (ProvenanceStatus.TRUSTED, ProvenanceStatus.VALID)

    @property
    def discloses_ai(self) -> bool:
        return self.provenance_ai in (AiDisclosure.GENERATED, AiDisclosure.EDITED)
