"""Stakeholder feedback (colleagues and consumers) and public transparency notices."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from .accounts import User
from .campaigns import Campaign


class FeedbackCategory(models.TextChoices):
    PRIVACY = "privacy", _("Privacy")
    BIAS = "bias", _("Bias or fairness")
    TRANSPARENCY = "transparency", _("Transparency")
    ACCURACY = "accuracy", _("Accuracy")
    MANIPULATION = "manipulation", _("Manipulation")
    OTHER = "other", _("Other")


class FeedbackSeverity(models.TextChoices):
    INFO = "info", _("Information")
    CONCERN = "concern", _("Concern")
    SERIOUS = "serious", _("Serious")


class FeedbackSource(models.TextChoices):
    INTERNAL = "internal", _("Colleague")
    CONSUMER = "consumer", _("Consumer (public notice)")


class TriageStatus(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ACTION_TAKEN = "action_taken", _("Action taken")
    DISMISSED = "dismissed", _("Dismissed")


def feedback_path(instance, filename: str) -> str:
    return f"feedback/{instance.campaign_id}/{secrets.token_hex(16)}"


class Feedback(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="feedback")
    source = models.CharField(_("from"), max_length=16, choices=FeedbackSource.choices)
    category = models.CharField(_("category"), max_length=16, choices=FeedbackCategory.choices)
    severity = models.CharField(_("severity"), max_length=16, choices=FeedbackSeverity.choices)
    text = models.TextField(_("feedback"), max_length=4000)
    author = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="feedback_given"
    )
    contact_email = models.EmailField(_("e-mail for a reply"), blank=True)
    contact_consent = models.BooleanField(_("consented to be contacted"), default=False)
    ip_hash = models.CharField(max_length=64, blank=True)
    attachment = models.FileField(upload_to=feedback_path, blank=True, max_length=200)
    attachment_name = models.CharField(max_length=255, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        _("triage"), max_length=16, choices=TriageStatus.choices, default=TriageStatus.NEW
    )
    triage_note = models.TextField(_("triage note"), blank=True)
    triaged_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        indexes = [
            models.Index(fields=["campaign", "created_at"]),
            models.Index(fields=["created_at"], name="feedback_created"),
            models.Index(
                fields=["campaign"],
                condition=models.Q(severity="serious", status="new"),
                name="feedback_open_serious",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


def new_public_id() -> str:
    return secrets.token_urlsafe(16)


class TransparencyNotice(models.Model):
    """The plain-language public page about an approved campaign's use of AI."""

    campaign = models.OneToOneField(Campaign, on_delete=models.PROTECT, related_name="notice")
    public_id = models.CharField(max_length=40, unique=True, default=new_public_id)
    # The public title and the team's contact: a draft may lack them, publishing needs
    # them (services.notice_missing).
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_ar = models.CharField(_("title (Arabic)"), max_length=200, blank=True)
    body_en = models.TextField(_("notice (English)"), max_length=10000)
    body_ar = models.TextField(_("notice (Arabic)"), max_length=10000)
    contact = models.CharField(
        _("contact for questions and objections"), max_length=200, blank=True
    )
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("transparency notice")
        verbose_name_plural = _("transparency notices")

    def __str__(self) -> str:
        return self.title_en

    @property
    def is_published(self) -> bool:
        return self.published_at is not None
