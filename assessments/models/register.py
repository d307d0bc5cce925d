"""The board's register of AI tools and vendors, its review of each, and the evidence behind it.

A campaign names the tools it uses (``RegisterTool.campaigns``); a banned tool, or one whose
review has expired, blocks the campaign's submission (``services.submission.submit_blockers``).
"""

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .accounts import User
from .campaigns import Campaign


class ToolKind(models.TextChoices):
    AD_PLATFORM = "ad_platform", _("Ad platform automated campaign product")
    GENERATIVE_TEXT = "generative_text", _("Generative text")
    GENERATIVE_IMAGE = "generative_image", _("Generative image")
    GENERATIVE_VOICE = "generative_voice", _("Generative voice")
    GENERATIVE_VIDEO = "generative_video", _("Generative video")
    SCORING = "scoring", _("Lookalike or scoring service")
    AGENCY = "agency", _("Agency")
    OTHER = "other", _("Other")


class ToolReview(models.TextChoices):
    PENDING = "pending", _("Awaiting the board's review")
    APPROVED = "approved", _("Approved")
    LIMITED = "limited", _("Approved for limited uses")
    BANNED = "banned", _("Banned")


def expiring_condition(*, now=None, days: int = 30) -> models.Q:
    """Approved tools whose review ends within ``days`` (not yet ended)."""
    now = now or timezone.now()
    return models.Q(
        review__in=[ToolReview.APPROVED, ToolReview.LIMITED],
        review_expires_at__gt=now,
        review_expires_at__lte=now + timezone.timedelta(days=days),
    )


class RegisterToolQuerySet(models.QuerySet):
    def expiring(self, *, now=None, days: int = 30):
        return self.filter(expiring_condition(now=now, days=days))

    def dashboard_figures(self, *, now=None, days: int = 30):
        """In one query: every tool used by a campaign or expiring soon, with its campaign
        count and whether it is expiring (``is_expiring``)."""
        expiring = expiring_condition(now=now, days=days)
        return self.annotate(
            campaign_count=models.Count("campaigns"),
            is_expiring=models.ExpressionWrapper(expiring, output_field=models.BooleanField()),
        ).filter(models.Q(campaign_count__gt=0) | expiring)


class RegisterTool(models.Model):
    """One AI tool or vendor the campaigns may use, as the board documented and reviewed it."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ToolKind.choices)
    provider = models.CharField(_("provider"), max_length=200)
    purpose = models.TextField(_("what it does"), max_length=3000)
    data_regions = models.CharField(_("where data goes (regions)"), max_length=500, blank=True)
    sub_processors = models.TextField(_("sub-processors"), max_length=2000, blank=True)
    trains_on_our_data = models.BooleanField(_("the vendor trains on our data"), default=False)
    dpa_signed = models.BooleanField(_("data processing agreement signed"), default=False)
    opt_outs = models.TextField(_("opt-outs in the contract"), max_length=2000, blank=True)
    c2pa_credentials = models.BooleanField(
        _("output carries C2PA content credentials"), default=False
    )
    limitations = models.TextField(
        _("known limitations and bias documentation"), max_length=5000, blank=True
    )
    review = models.CharField(
        _("board review"), max_length=12, choices=ToolReview.choices, default=ToolReview.PENDING
    )
    review_limits = models.TextField(_("limits of use"), max_length=2000, blank=True)
    reviewed_by = models.ForeignKey(
        User,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_expires_at = models.DateTimeField(_("review expires"), null=True, blank=True)
    campaigns = models.ManyToManyField(
        Campaign, verbose_name=_("campaigns"), related_name="tools", blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RegisterToolQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("registered AI tool")
        verbose_name_plural = _("AI tool register")
        indexes = [models.Index(fields=["review", "review_expires_at"], name="tool_review_expiry")]

    def __str__(self) -> str:
        return self.name

    def expired(self, now=None) -> bool:
        """An approval past its end date counts as no approval."""
        now = now or timezone.now()
        return (
            self.review in (ToolReview.APPROVED, ToolReview.LIMITED)
            and self.review_expires_at is not None
            and self.review_expires_at <= now
        )

    def usable(self, now=None) -> bool:
        return self.review in (ToolReview.APPROVED, ToolReview.LIMITED) and not self.expired(now)


def tool_evidence_path(instance, filename: str) -> str:
    # Server-generated name: nothing the uploader chose reaches the file system.
    return f"register/{instance.tool_id}/{secrets.token_hex(16)}"


class ToolEvidence(models.Model):
    tool = models.ForeignKey(
        RegisterTool, verbose_name=_("tool"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=tool_evidence_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(User, verbose_name=_("uploaded by"), on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("register evidence file")
        verbose_name_plural = _("register evidence files")

    def __str__(self) -> str:
        return self.original_name
