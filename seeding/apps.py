from django.apps import AppConfig


class SeedingConfig(AppConfig):
    """Only management commands: no models, no URLs in production."""

    name = "seeding"
    verbose_name = "Demo and benchmark seeding"
