"""Ethics training (issue #21): the modules the board requires, and who completed them when.

A module is required for some roles and stays valid a number of months after completion. A
person's status for a module comes from their latest completion: current until it expires,
then expired; missing without one. Every completion is also an audit event.
"""

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ..roles import Role
from .accounts import User


class TrainingModuleQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class TrainingModule(models.Model):
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_ar = models.CharField(_("title (Arabic)"), max_length=200)
    content_en = models.TextField(_("content (English, Markdown)"), blank=True)
    content_ar = models.TextField(_("content (Arabic, Markdown)"), blank=True)
    external_url = models.URLField(_("external course (https link)"), blank=True)
    # Role codes (``Role``); a short list, read whole, so no join table.
    required_roles = models.JSONField(_("required for"), default=list, blank=True)
    validity_months = models.PositiveSmallIntegerField(_("valid for (months)"), default=12)
    # [{"question": {"en", "ar"}, "options": [{"en", "ar"}, ...], "correct": [index, ...]}]
    quiz = models.JSONField(_("quiz"), default=list, blank=True)
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"), default=80)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Retired modules are no longer required.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TrainingModuleQuerySet.as_manager()

    class Meta:
        ordering = ["title_en", "pk"]
        verbose_name = _("training module")
        verbose_name_plural = _("training modules")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """The title in the active language."""
        if translation.get_language() == "ar" and self.title_ar:
            return self.title_ar
        return self.title_en

    @property
    def content(self) -> str:
        if translation.get_language() == "ar" and self.content_ar:
            return self.content_ar
        return self.content_en

    def required_for(self, role: str) -> bool:
        return self.is_active and role in (self.required_roles or [])

    def role_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [str(labels[r]) for r in self.required_roles or [] if r in labels]


class CompletionMethod(models.TextChoices):
    QUIZ = "quiz", _("Quiz passed")
    READ = "read", _("Read and confirmed")
    RECORDED = "recorded", _("Recorded by an administrator")
    IMPORTED = "imported", _("Imported")


class TrainingCompletion(models.Model):
    person = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="trainings"
    )
    module = models.ForeignKey(
        TrainingModule,
        verbose_name=_("module"),
        on_delete=models.PROTECT,
        related_name="completions",
    )
    completed_at = models.DateTimeField(_("completed at"))
    expires_at = models.DateTimeField(_("expires at"))
    method = models.CharField(_("how"), max_length=16, choices=CompletionMethod.choices)
    score = models.PositiveSmallIntegerField(_("score (%)"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        User,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-completed_at", "-pk"]
        verbose_name = _("training completion")
        verbose_name_plural = _("training completions")
        indexes = [
            models.Index(fields=["person", "module", "expires_at"], name="training_person_module"),
            models.Index(fields=["expires_at"], name="training_expires"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} · {self.module_id} · {self.completed_at:%Y-%m-%d}"
