"""Content credentials (C2PA) are read at upload and stored on the evidence row, from images
signed in the test with a test certificate authority, unsigned and tampered ones."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import provenance, services
from assessments.models import AuditEvent, EventKind
from assessments.provenance import AiDisclosure, ProvenanceStatus

from . import c2pa_files

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_c2pa_settings():
    provenance._context.cache_clear()
    yield
    provenance._context.cache_clear()


def upload(marketer, campaign, name, content, kind="other"):
    return services.evidence_add(
        actor=marketer,
        campaign=campaign,
        upload=SimpleUploadedFile(name, content, content_type="application/octet-stream"),
        kind=kind,
    )


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_signed_ai_generated_image_is_read_as_valid_credentials_declaring_ai(
    marketer, campaign, media, fmt
):
    evidence = upload(marketer, campaign, "creative", c2pa_files.signed(fmt, tool="Imagen Tool"))

    assert evidence.provenance_status == ProvenanceStatus.VALID  # signer not on a trust list
    assert evidence.provenance_generator == "Imagen Tool 1.0"
    assert evidence.provenance_signer == "Ethics Review tests"
    assert evidence.provenance_source_type == "trainedAlgorithmicMedia"
    assert evidence.provenance_ai == AiDisclosure.GENERATED
    assert evidence.has_credentials and evidence.discloses_ai
    event = AuditEvent.objects.filter(kind=EventKind.EVIDENCE_ADDED).latest("pk")
    assert event.payload["provenance"] == "valid"


def test_the_signer_is_trusted_when_its_authority_is_a_configured_anchor(
    settings, marketer, campaign, media
):
    settings.C2PA_TRUST_ANCHORS = c2pa_files.authority().ca_pem.decode()

    evidence = upload(marketer, campaign, "creative.png", c2pa_files.signed())

    assert evidence.provenance_status == ProvenanceStatus.TRUSTED


@pytest.mark.parametrize(
    ("source", "ai"),
    [
        ("compositeWithTrainedAlgorithmicMedia", AiDisclosure.EDITED),
        ("algorithmicMedia", AiDisclosure.GENERATED),
        ("digitalCapture", AiDisclosure.NOT_AI),
    ],
)
def test_the_declared_digital_source_type_says_generated_edited_or_not(
    marketer, campaign, media, source, ai
):
    evidence = upload(marketer, campaign, "creative.png", c2pa_files.signed(source=source))

    assert evidence.provenance_status == ProvenanceStatus.VALID
    assert evidence.provenance_ai == ai
    assert evidence.provenance_source_type == source


def test_a_manifest_without_actions_declares_nothing_and_ai_wins_over_other_sources():
    assert provenance._reading("Valid", {"assertions": []}).ai == AiDisclosure.NONE_DECLARED
    actions = [
        {"digitalSourceType": c2pa_files.IPTC + "digitalCapture"},
        {"digitalSourceType": c2pa_files.IPTC + "compositeWithTrainedAlgorithmicMedia"},
    ]
    manifest = {"assertions": [{"label": "c2pa.actions.v2", "data": {"actions": actions}}]}
    reading = provenance._reading(None, manifest)
    assert reading.ai == AiDisclosure.EDITED
    assert reading.status == ProvenanceStatus.INVALID  # no validation state: not trusted


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_an_image_changed_after_signing_is_invalid(marketer, campaign, media, fmt):
    evidence = upload(marketer, campaign, "creative", c2pa_files.tampered(c2pa_files.signed(fmt)))

    assert evidence.provenance_status == ProvenanceStatus.INVALID
    assert not evidence.has_credentials


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_an_unsigned_image_has_no_credentials(marketer, campaign, media, fmt):
    evidence = upload(marketer, campaign, "photo", c2pa_files.image(fmt))

    assert evidence.provenance_status == ProvenanceStatus.ABSENT
    assert evidence.provenance_ai == AiDisclosure.NONE_DECLARED
    assert not evidence.has_credentials and not evidence.discloses_ai


def test_documents_are_not_read(marketer, campaign, media):
    evidence = upload(marketer, campaign, "dpia.pdf", b"%PDF-1.7\n%%EOF\n", kind="dpia")

    assert evidence.provenance_status == ProvenanceStatus.NOT_READ
    assert not evidence.provenance_read


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n",  # the signature alone
        b"\xff\xd8\xff" + b"\x00" * 100,  # a JPEG start and nothing valid after
        b"\xff\xd8\xff" + b"\xff" * 5000,
        b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + b"\xff" * 200,
    ],
    ids=["png-signature", "jpeg-zeros", "jpeg-ff", "png-broken-header"],
)
def test_hostile_images_are_stored_as_unreadable_never_an_error(marketer, campaign, media, content):
    evidence = upload(marketer, campaign, "x", content)

    assert evidence.provenance_status == ProvenanceStatus.UNREADABLE


def test_a_signed_image_cut_in_half_is_unreadable_or_invalid(marketer, campaign, media):
    data = c2pa_files.signed()

    evidence = upload(marketer, campaign, "cut.png", data[: len(data) // 2])

    assert evidence.provenance_status in (ProvenanceStatus.UNREADABLE, ProvenanceStatus.INVALID)


def test_a_library_failure_is_caught(monkeypatch, marketer, campaign, media):
    import c2pa

    def explode(*args, **kwargs):
        raise RuntimeError("native crash")

    monkeypatch.setattr(c2pa, "Reader", explode)

    evidence = upload(marketer, campaign, "creative.png", c2pa_files.signed())

    assert evidence.provenance_status == ProvenanceStatus.UNREADABLE
    assert evidence.file.size > 0  # the file is kept


def test_hostile_texts_in_the_manifest_are_stored_cleaned(marketer, campaign, media):
    tool = "Gen\x00\u202etool" + "x" * 500

    evidence = upload(marketer, campaign, "creative.png", c2pa_files.signed(tool=tool))

    assert evidence.provenance_status == ProvenanceStatus.VALID
    assert evidence.provenance_generator == ("Gentool" + "x" * 500)[:200]
    evidence.refresh_from_db()
    assert "\x00" not in evidence.provenance_generator
