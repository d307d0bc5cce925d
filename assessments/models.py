import secrets

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .roles import Role


class Team(models.Model):
    """A brand or business unit that marketers and managers belong to."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        user = self._create_user(email, password, **extra_fields)
        UserRole.objects.get_or_create(user=user, role=Role.ADMIN)
        return user


def normalize_email(email: str) -> str:
    """E-mail is the login: compare and store it in one canonical (lower-case) form."""
    return (email or "").strip().lower()


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. The e-mail address is the login."""

    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    display_name = models.CharField(_("display name"), max_length=150)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Interface language; empty means the browser's choice."),
    )
    teams = models.ManyToManyField(
        Team, verbose_name=_("teams"), related_name="members", blank=True
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Deactivated people cannot sign in and lose access at once."),
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        ordering = ["display_name", "email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    @cached_property
    def role_set(self) -> frozenset[str]:
        return frozenset(self.roles.values_list("role", flat=True))

    def has_role(self, role: str) -> bool:
        return role in self.role_set

    @cached_property
    def team_ids(self) -> frozenset[int]:
        return frozenset(self.teams.values_list("pk", flat=True))


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="userrole_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


def new_invitation_nonce() -> str:
    return secrets.token_urlsafe(32)


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """An invitation by e-mail to join with given roles and teams.

    The link carries a token signed with SECRET_KEY over (id, nonce): the database alone
    does not hold a usable link, and the e-mail task can rebuild the link from the id.
    """

    email = models.EmailField(_("e-mail address"))
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    roles = models.JSONField(_("roles"), default=list)
    teams = models.ManyToManyField(Team, verbose_name=_("teams"), blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    invited_by = models.ForeignKey(
        User,
        verbose_name=_("invited by"),
        on_delete=models.PROTECT,
        related_name="invitations_sent",
    )
    nonce = models.CharField(max_length=64, unique=True, default=new_invitation_nonce)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_user = models.OneToOneField(
        User,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitation",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return self.email

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.is_expired:
            return "expired"
        return "pending"

    def get_status_display(self) -> str:
        return {
            "accepted": _("Accepted"),
            "revoked": _("Revoked"),
            "expired": _("Expired"),
            "pending": _("Pending"),
        }[self.status]

    def role_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [str(labels.get(r, r)) for r in self.roles]


# --- questionnaires and campaigns --------------------------------------------------------


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


def _list_default() -> list:
    return []


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
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        indexes = [models.Index(fields=["team", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(flight_end__gte=models.F("flight_start")),
                name="campaign_flight_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

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

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name
