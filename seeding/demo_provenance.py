"""Demo creatives for the draft that declares a synthetic likeness: one image signed with
content credentials declaring AI generation, one without credentials (so the campaign page
shows the synthetic-media finding)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import services
from assessments.models import Campaign, EvidenceKind

from . import c2pa_signing

CAMPAIGN = "Ramadan offers with dynamic pricing"


def seed_provenance() -> int:
    """Upload the two creatives once; the number of files added."""
    campaign = Campaign.objects.filter(name=CAMPAIGN, status="draft").first()
    if campaign is None or campaign.evidence.exists():
        return 0
    files = [
        ("ramadan-hero-ai.png", c2pa_signing.signed(tool="Demo Image Generator")),
        ("ramadan-banner.jpg", c2pa_signing.image("JPEG")),
    ]
    for name, content in files:
        services.evidence_add(
            actor=campaign.owner,
            campaign=campaign,
            upload=SimpleUploadedFile(name, content, content_type="application/octet-stream"),
            kind=EvidenceKind.OTHER,
        )
    return len(files)
