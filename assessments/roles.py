"""The roles a person can hold. A person may hold several."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MARKETER = "marketer", _("Marketer")
    REVIEWER = "reviewer", _("Reviewer")
    CHAIR = "chair", _("Board chair")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Administrator")
