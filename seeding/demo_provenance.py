"""Demo creatives for the draft that declares a synthetic likeness: one image and one short
video signed with content credentials declaring AI generation, and one image without
credentials (so the campaign page shows the synthetic-media finding)."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import services
from assessments.models import Campaign, EvidenceKind

from . import c2pa_signing

CAMPAIGN = "Ramadan offers with dynamic pricing"
# Two seconds of 160×90 H.264 in MP4 (2.6 KB), encoded once with PyAV; kept as a file so that
# seeding needs no video encoder, only c2pa-python to sign it.
VIDEO = Path(__file__).resolve().parent / "media" / "ramadan-spot.mp4"


def seed_provenance() -> int:
    """Upload the creatives once; the number of files added."""
    campaign = Campaign.objects.filter(name=CAMPAIGN, status="draft").first()
    if campaign is None or campaign.evidence.exists():
        return 0
    files = [
        ("ramadan-hero-ai.png", c2pa_signing.signed(tool="Demo Image Generator")),
        ("ramadan-banner.jpg", c2pa_signing.image("JPEG")),
        (
            "ramadan-spot-ai.mp4",
            c2pa_signing.sign(VIDEO.read_bytes(), "video/mp4", tool="Demo Video Generator"),
        ),
    ]
    for name, content in files:
        services.evidence_add(
            actor=campaign.owner,
            campaign=campaign,
            upload=SimpleUploadedFile(name, content, content_type="application/octet-stream"),
            kind=EvidenceKind.OTHER,
        )
    return len(files)
