"""The board's internal guidelines: topics, guidelines with immutable versions, the questions
and dimensions each governs, and who acknowledged which version."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .accounts import User
from .campaigns import Campaign


def pick(language: str | None, english: str, arabic: str) -> tuple[str, str]:
    """The text in the reader's language, else the other one, with the language it is in."""
    if (language or "").startswith("ar"):
        return (arabic, "ar") if arabic else (english, "en")
    return (english, "en") if english else (arabic, "ar")


class GuidelineTopic(models.Model):
    name_en = models.CharField(_("topic (English)"), max_length=120)
    name_ar = models.CharField(_("topic (Arabic)"), max_length=120, blank=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("guideline topic")
        verbose_name_plural = _("guideline topics")

    def __str__(self) -> str:
        return self.name_en

    def name(self, language: str | None) -> str:
        return pick(language, self.name_en, self.name_ar)[0]


class GuidelineQuerySet(models.QuerySet):
    def published(self):
        return self.filter(current__isnull=False)

    def linked_to(self, *, codes=(), dimensions=()):
        """Guidelines governing any of these question codes or risk dimensions: the one rule
        behind the wizard, the result page, the submission and the API."""
        codes, dimensions = list(codes), list(dimensions)
        if not codes and not dimensions:
            return self.none()
        links = GuidelineLink.objects.filter(
            Q(kind=LinkKind.QUESTION, code__in=codes)
            | Q(kind=LinkKind.DIMENSION, code__in=dimensions)
        )
        return self.published().filter(pk__in=links.values("guideline_id"))


class Guideline(models.Model):
    """A guideline's stable identity; its text lives in versions, ``current`` the newest."""

    topic = models.ForeignKey(
        GuidelineTopic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="guidelines"
    )
    current = models.OneToOneField(
        "GuidelineVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Folded title and body of the current version in both languages (``guidelines.fold``),
    # so search is case- and accent-insensitive on every database.
    search_text = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GuidelineQuerySet.as_manager()

    class Meta:
        ordering = ["topic__name_en", "pk"]
        verbose_name = _("guideline")
        verbose_name_plural = _("guidelines")

    def __str__(self) -> str:
        return self.current.title_en if self.current_id else f"guideline {self.pk}"


class GuidelineVersion(models.Model):
    """One published text of a guideline; never edited (a change is a new version)."""

    guideline = models.ForeignKey(Guideline, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_ar = models.CharField(_("title (Arabic)"), max_length=200, blank=True)
    body_en = models.TextField(_("text (English)"), max_length=20000, blank=True)
    body_ar = models.TextField(_("text (Arabic)"), max_length=20000, blank=True)
    change_summary = models.CharField(_("what changed"), max_length=500)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("published at"))

    class Meta:
        ordering = ["guideline", "-number"]
        verbose_name = _("guideline version")
        verbose_name_plural = _("guideline versions")
        constraints = [
            models.UniqueConstraint(fields=["guideline", "number"], name="guideline_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title_en or self.title_ar} v{self.number}"

    def title(self, language: str | None) -> tuple[str, str]:
        return pick(language, self.title_en, self.title_ar)

    def body(self, language: str | None) -> tuple[str, str]:
        return pick(language, self.body_en, self.body_ar)


class LinkKind(models.TextChoices):
    QUESTION = "question", _("Question")
    DIMENSION = "dimension", _("Risk dimension")


class GuidelineLink(models.Model):
    """A question code or risk dimension the guideline governs."""

    guideline = models.ForeignKey(Guideline, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=16, choices=LinkKind.choices)
    code = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["guideline", "kind", "code"], name="guideline_link_unique"
            )
        ]
        indexes = [models.Index(fields=["kind", "code"], name="guideline_link_code")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.code}"


class GuidelineAcknowledgement(models.Model):
    """A person read and acknowledged one version (before submitting ``campaign``); the
    audit log holds the matching event."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(
        GuidelineVersion, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField()

    class Meta:
        verbose_name = _("guideline acknowledgement")
        verbose_name_plural = _("guideline acknowledgements")
        constraints = [
            models.UniqueConstraint(fields=["person", "version"], name="guideline_ack_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.version_id}"
