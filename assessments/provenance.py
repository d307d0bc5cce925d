"""Content credentials (C2PA) of uploaded images and MP4 / QuickTime video: whether a manifest
is present, whether its signature holds, the tool that produced it and whether it declares
AI-generated or AI-edited content (the IPTC digital source type). Reading never raises: a file
the library cannot parse is recorded as unreadable."""

import logging
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .cleaning import printable

logger = logging.getLogger(__name__)

# Content types whose credentials are read (the uploads evidence.check_upload accepts).
READABLE = frozenset({"image/png", "image/jpeg", "video/mp4", "video/quicktime"})

_IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
# IPTC digital source types that declare content made, or changed, by an algorithm.
GENERATED_SOURCES = frozenset({"trainedAlgorithmicMedia", "algorithmicMedia", "compositeSynthetic"})
EDITED_SOURCES = frozenset({"compositeWithTrainedAlgorithmicMedia", "algorithmicallyEnhanced"})


class ProvenanceStatus(models.TextChoices):
    NOT_READ = "", _("Not read (not an image or video)")
    ABSENT = "absent", _("No content credentials")
    TRUSTED = "trusted", _("Credentials valid, signer trusted")
    VALID = "valid", _("Credentials valid, signer not on the trust list")
    INVALID = "invalid", _("Credentials invalid (file changed after signing)")
    UNREADABLE = "unreadable", _("Credentials could not be read")


class AiDisclosure(models.TextChoices):
    NONE_DECLARED = "", _("No AI declaration")
    GENERATED = "generated", _("Declares AI-generated content")
    EDITED = "edited", _("Declares AI-edited content")
    NOT_AI = "not_ai", _("Declares a non-AI source")


@dataclass(frozen=True)
class Reading:
    status: str = ProvenanceStatus.NOT_READ
    generator: str = ""
    signer: str = ""
    source_type: str = ""
    ai: str = AiDisclosure.NONE_DECLARED

    def as_fields(self) -> dict:
        """The evidence row's fields for this reading."""
        # Texts come from the file: no NUL (PostgreSQL refuses it), no bidi override.
        return {
            "provenance_status": self.status,
            "provenance_generator": printable(self.generator).strip()[:200],
            "provenance_signer": printable(self.signer).strip()[:200],
            "provenance_source_type": printable(self.source_type).strip()[:100],
            "provenance_ai": self.ai,
        }


@cache
def _context():
    """The library's settings: never fetch over the network (remote manifests, OCSP) for an
    uploaded file; trust the anchors in settings.C2PA_TRUST_ANCHORS (PEM) when given."""
    import c2pa

    config = {"verify": {"verify_trust": True, "remote_manifest_fetch": False, "ocsp_fetch": False}}
    if settings.C2PA_TRUST_ANCHORS:
        config["trust"] = {"trust_anchors": settings.C2PA_TRUST_ANCHORS}
    return c2pa.Context.from_dict(config)


def read(upload, content_type: str) -> Reading:
    """The content credentials of ``upload`` (an image or video already checked by
    check_upload). The library reads the upload's own stream, seeking to the boxes or chunks
    it needs: a 100 MB video spooled to disk is not copied into memory."""
    if content_type not in READABLE:
        return Reading()
    import c2pa

    upload.seek(0)
    try:
        with c2pa.Reader(content_type, upload, None, _context()) as reader:
            state = reader.get_validation_state()
            manifest = reader.get_active_manifest() or {}
    except c2pa.C2paError.ManifestNotFound:
        return Reading(status=ProvenanceStatus.ABSENT)
    except Exception as exc:  # hostile or damaged files: the library's errors vary
        logger.info("content credentials unreadable: %s", str(exc)[:200])
        return Reading(status=ProvenanceStatus.UNREADABLE)
    finally:
        upload.seek(0)
    return _reading(state, manifest)


def _reading(state: str | None, manifest: dict) -> Reading:
    status = {
        "Trusted": ProvenanceStatus.TRUSTED,
        "Valid": ProvenanceStatus.VALID,
    }.get(state or "", ProvenanceStatus.INVALID)
    source = _source_type(manifest)
    if source in GENERATED_SOURCES:
        ai = AiDisclosure.GENERATED
    elif source in EDITED_SOURCES:
        ai = AiDisclosure.EDITED
    elif source:
        ai = AiDisclosure.NOT_AI
    else:
        ai = AiDisclosure.NONE_DECLARED
    signature = manifest.get("signature_info") or {}
    return Reading(
        status=status,
        generator=_generator(manifest),
        signer=str(signature.get("issuer") or signature.get("common_name") or ""),
        source_type=source,
        ai=ai,
    )


def _generator(manifest: dict) -> str:
    infos = manifest.get("claim_generator_info") or []
    if infos and isinstance(infos[0], dict):
        name, version = str(infos[0].get("name") or ""), str(infos[0].get("version") or "")
        return f"{name} {version}".strip()
    return str(manifest.get("claim_generator") or "")


def _source_type(manifest: dict) -> str:
    """The most telling digital source type the manifest's actions declare (AI-generated
    over AI-edited over any other), as the IPTC code without its address."""
    found = set()
    for assertion in manifest.get("assertions") or []:
        if not str(assertion.get("label", "")).startswith("c2pa.actions"):
            continue
        for action in (assertion.get("data") or {}).get("actions") or []:
            source = str(action.get("digitalSourceType") or "")
            if source:
                found.add(source.removeprefix(_IPTC))
    for group in (GENERATED_SOURCES, EDITED_SOURCES):
        if found & group:
            return sorted(found & group)[0]
    return sorted(found)[0] if found else ""


# Intake AI techniques (assessments.intake.AI_TECHNIQUES) that put synthetic media in a campaign.
SYNTHETIC_MEDIA = frozenset({"generated_media", "synthetic_likeness"})


def uses_synthetic_media(campaign) -> bool:
    return bool(SYNTHETIC_MEDIA & set(campaign.ai_techniques or ()))


def synthetic_media_findings(campaign, evidence) -> list[str]:
    """For a campaign whose intake declares generated images, video, voice or likeness: each
    uploaded image or video without valid content credentials or without an AI disclosure, or
    the absence of any to check. Empty for other campaigns."""
    from django.utils.translation import gettext as _

    if not uses_synthetic_media(campaign):
        return []
    media = [file for file in evidence if file.provenance_read]
    if not media:
        return [
            _(
                "The intake declares generated or synthetic media, but no creative image or "
                "video has been uploaded to check its content credentials."
            )
        ]
    findings = []
    for file in media:
        if not file.has_credentials:
            findings.append(
                _("%(name)s: no valid content credentials (%(status)s).")
                % {"name": file.original_name, "status": file.get_provenance_status_display()}
            )
        elif not file.discloses_ai:
            findings.append(
                _(
                    "%(name)s: content credentials present but no AI-generated or AI-edited "
                    "disclosure."
                )
                % {"name": file.original_name}
            )
    return findings
