"""MP4 and QuickTime videos as campaign evidence or creative: recognised from their `ftyp` box
and box structure, limited by EVIDENCE_MAX_VIDEO_MB, scanned, and read for content credentials
(C2PA) like images. The videos are encoded and signed in the test (see c2pa_files)."""

import hashlib
import struct

import hypothesis
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.urls import reverse
from hypothesis import strategies as st

from assessments import evidence, provenance, services
from assessments.errors import ServiceError
from assessments.models import Campaign, EvidenceFile
from assessments.provenance import AiDisclosure, ProvenanceStatus

from . import c2pa_files
from .conftest import EICAR

pytestmark = pytest.mark.django_db

NOT_ACCEPTED = "This type of file is not accepted."
NAMED_AS_VIDEO = "This file is named as a video but is not an MP4 or MOV video."
DAMAGED = "This video file is incomplete or damaged; export it again and upload it."


@pytest.fixture(autouse=True)
def _fresh_c2pa_settings():
    provenance._context.cache_clear()
    yield
    provenance._context.cache_clear()


def upload(marketer, campaign, name, content, kind="other") -> EvidenceFile:
    return services.evidence_add(
        actor=marketer,
        campaign=campaign,
        upload=SimpleUploadedFile(name, content, content_type="video/mp4"),
        kind=kind,
    )


def box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    return box(b"ftyp", major + b"\x00\x00\x02\x00" + b"".join(compatible))


def padded(data: bytes, total: int) -> bytes:
    """``data`` followed by a `free` box (ignored by players and by C2PA) up to ``total``."""
    return data + box(b"free", b"\x00" * (total - len(data) - 8))


@pytest.mark.parametrize(("container", "mime"), [("mp4", "video/mp4"), ("mov", "video/quicktime")])
def test_a_signed_ai_generated_video_is_read_as_valid_credentials_declaring_ai(
    marketer, campaign, media, container, mime
):
    data = c2pa_files.signed_video(container, tool="Veo Tool")

    stored = upload(marketer, campaign, f"spot.{container}", data)

    assert stored.content_type == mime
    assert stored.provenance_status == ProvenanceStatus.VALID  # signer not on a trust list
    assert stored.provenance_generator == "Veo Tool 1.0"
    assert stored.provenance_signer == "Ethics Review tests"
    assert stored.provenance_source_type == "trainedAlgorithmicMedia"
    assert stored.provenance_ai == AiDisclosure.GENERATED
    assert stored.has_credentials and stored.discloses_ai
    with stored.file.open("rb") as kept:  # reading the credentials left the file whole
        assert hashlib.sha256(kept.read()).hexdigest() == stored.sha256
    assert stored.sha256 == hashlib.sha256(data).hexdigest()


def test_a_signed_video_is_trusted_when_its_authority_is_a_configured_anchor(
    settings, marketer, campaign, media
):
    settings.C2PA_TRUST_ANCHORS = c2pa_files.authority().ca_pem.decode()

    stored = upload(marketer, campaign, "spot.mp4", c2pa_files.signed_video())

    assert stored.provenance_status == ProvenanceStatus.TRUSTED


@pytest.mark.parametrize("container", ["mp4", "mov"])
def test_an_unsigned_video_has_no_credentials(marketer, campaign, media, container):
    stored = upload(marketer, campaign, f"spot.{container}", c2pa_files.video(container))

    assert stored.provenance_status == ProvenanceStatus.ABSENT
    assert stored.provenance_ai == AiDisclosure.NONE_DECLARED
    assert not stored.has_credentials


@pytest.mark.parametrize("container", ["mp4", "mov"])
def test_a_video_changed_after_signing_is_invalid(marketer, campaign, media, container):
    data = c2pa_files.tampered_video(c2pa_files.signed_video(container))

    stored = upload(marketer, campaign, f"spot.{container}", data)

    assert stored.provenance_status == ProvenanceStatus.INVALID
    assert not stored.has_credentials


def test_the_declared_source_of_a_video_says_edited(marketer, campaign, media):
    data = c2pa_files.signed_video(source="compositeWithTrainedAlgorithmicMedia")

    stored = upload(marketer, campaign, "spot.mp4", data)

    assert stored.provenance_ai == AiDisclosure.EDITED


@pytest.mark.parametrize(
    "content",
    [
        b"<!doctype html><html><script>alert(1)</script></html>",
        b"PK\x03\x04" + b"\x00" * 60,  # a ZIP archive's start
        bytes(range(256)) * 8,  # binary garbage
        ftyp(b"heic", b"mif1", b"heic") + box(b"meta", b"\x00" * 8),  # a HEIF still image
        ftyp(b"M4A ", b"M4A ", b"mp42", b"isom") + box(b"moov") + box(b"mdat"),  # audio
        ftyp(b"abcd", b"wxyz") + box(b"moov") + box(b"mdat"),  # unknown brands
        struct.pack(">I4s", 4096, b"ftyp") + b"isom",  # a brand list longer than the file
        struct.pack(">I4s", 0, b"ftyp") + b"isom" * 4,  # a zero-length `ftyp` box
    ],
    ids=["html", "zip", "garbage", "heic", "m4a", "unknown-brand", "ftyp-overlong", "ftyp-zero"],
)
def test_a_file_named_mp4_that_is_not_a_video_is_refused(marketer, campaign, media, content):
    with pytest.raises(ServiceError) as refused:
        upload(marketer, campaign, "spot.mp4", content)

    assert refused.value.message == NAMED_AS_VIDEO
    assert not EvidenceFile.objects.exists()


@pytest.mark.parametrize("name", ["spot", "spot.bin"])
def test_without_a_video_name_unknown_content_is_refused_naming_the_accepted_types(
    marketer, campaign, media, name
):
    with pytest.raises(ServiceError) as refused:
        upload(marketer, campaign, name, ftyp(b"abcd", b"wxyz") + box(b"moov"))

    assert refused.value.message.startswith(NOT_ACCEPTED)
    assert refused.value.message.endswith("or an MP4 or MOV video.")


@pytest.mark.parametrize(
    "content",
    [
        ftyp(b"isom", b"isom", b"mp41"),  # the header and nothing after
        ftyp(b"qt  ", b"qt  "),
        ftyp(b"isom", b"isom") + box(b"mdat", b"\x00" * 32),  # no `moov`
        ftyp(b"isom", b"isom") + box(b"moov") + b"<html>" * 10,  # not a box after the movie
        ftyp(b"isom", b"isom") + box(b"moov") + box(b"\x00\x01\x02\x03"),  # binary box type
        ftyp(b"isom", b"isom") + struct.pack(">I4s", 10**9, b"moov"),  # box past the end
        ftyp(b"isom", b"isom") + struct.pack(">I4sQ", 1, b"moov", 4),  # 64-bit size too small
        ftyp(b"isom", b"isom") + struct.pack(">I4s", 3, b"moov"),  # size below its header
    ],
    ids=[
        "mp4-ftyp-only",
        "mov-ftyp-only",
        "no-moov",
        "trailing-html",
        "binary-type",
        "overrun",
        "large",
        "tiny",
    ],
)
def test_a_damaged_or_empty_movie_is_refused_with_a_clear_error(marketer, campaign, media, content):
    with pytest.raises(ServiceError) as refused:
        upload(marketer, campaign, "spot.mp4", content)

    assert refused.value.message == DAMAGED
    assert not EvidenceFile.objects.exists()


def test_boxes_an_encoder_adds_are_skipped_like_players_do(marketer, campaign, media):
    data = c2pa_files.video() + box(b"XTRA", b"vendor data")

    stored = upload(marketer, campaign, "spot.mp4", data)

    assert stored.content_type == "video/mp4"
    assert stored.provenance_status == ProvenanceStatus.ABSENT


def test_a_video_cut_short_is_refused(marketer, campaign, media):
    data = c2pa_files.signed_video()

    with pytest.raises(ServiceError, match="incomplete or damaged"):
        upload(marketer, campaign, "spot.mp4", data[: len(data) - 100])


def test_a_video_larger_than_documents_may_be_but_within_the_video_limit_is_accepted(
    marketer, campaign, media
):
    data = padded(c2pa_files.signed_video(), evidence.MAX_EVIDENCE_BYTES + 1)

    stored = upload(marketer, campaign, "long.mp4", data)

    assert stored.size == evidence.MAX_EVIDENCE_BYTES + 1
    assert stored.provenance_status == ProvenanceStatus.VALID  # `free` is outside the hash


def test_a_video_over_the_configured_limit_is_refused_with_the_limit(
    settings, marketer, campaign, media
):
    settings.EVIDENCE_MAX_VIDEO_MB = 1

    with pytest.raises(ServiceError, match=r"^The file is larger than 1 MB\.$"):
        upload(marketer, campaign, "long.mp4", padded(c2pa_files.video(), 1024 * 1024 + 1))

    assert upload(marketer, campaign, "short.mp4", padded(c2pa_files.video(), 1024 * 1024))


def test_a_document_keeps_its_own_limit_when_videos_may_be_larger(marketer, campaign, media):
    pdf = b"%PDF-1.7\n" + b"0" * evidence.MAX_EVIDENCE_BYTES

    with pytest.raises(ServiceError, match=r"^The file is larger than 10 MB\.$"):
        upload(marketer, campaign, "big.pdf", pdf)


def test_videos_are_accepted_only_where_evidence_may_be_video():
    video = SimpleUploadedFile("spot.mp4", c2pa_files.video(), content_type="video/mp4")

    with pytest.raises(ServiceError) as refused:
        evidence.check_upload(video)  # feedback attachments, tool register documents

    assert refused.value.message.startswith(NOT_ACCEPTED)
    assert "video" not in refused.value.message
    assert evidence.check_upload(video, video=True) == "video/mp4"


def test_an_infected_video_is_refused_by_the_scanner(settings, clamd, marketer, campaign, media):
    settings.CLAMAV_ADDRESS = clamd.address
    data = c2pa_files.signed_video() + box(b"free", EICAR)

    with pytest.raises(ServiceError, match="refused by the virus scanner"):
        upload(marketer, campaign, "spot.mp4", data)

    assert clamd.streams[0].data == data  # the whole file was streamed to the scanner
    assert not EvidenceFile.objects.exists()


def test_a_video_spooled_to_disk_is_read_from_its_own_stream(
    monkeypatch, marketer, campaign, media
):
    """Large uploads arrive as temporary files: the library reads that file, not a copy."""
    import c2pa

    data = c2pa_files.signed_video()
    spooled = TemporaryUploadedFile("spot.mp4", "video/mp4", len(data), None)
    spooled.write(data)
    spooled.seek(0)
    streams = []
    real_reader = c2pa.Reader

    def recording_reader(mime, stream, *args):
        streams.append(stream)
        return real_reader(mime, stream, *args)

    monkeypatch.setattr(c2pa, "Reader", recording_reader)

    stored = services.evidence_add(actor=marketer, campaign=campaign, upload=spooled, kind="other")

    assert streams == [spooled]
    assert stored.provenance_status == ProvenanceStatus.VALID
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    spooled.close()


def test_synthetic_media_whose_only_creative_is_an_unsigned_video_is_a_finding(
    client, marketer, chair, complete_campaign, media
):
    Campaign.objects.filter(pk=complete_campaign.pk).update(ai_techniques=["generated_media"])
    complete_campaign.refresh_from_db()
    upload(marketer, complete_campaign, "spot.mp4", c2pa_files.video())
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    client.force_login(chair)

    html = client.get(reverse("campaign_detail", args=[complete_campaign.pk])).text
    findings = html.split('data-testid="synthetic-media-findings"', 1)[1].split("</div>", 1)[0]

    assert "spot.mp4: no valid content credentials (No content credentials)" in findings
    assert "no creative image or video has been uploaded" not in findings


def test_a_signed_ai_video_on_a_synthetic_campaign_is_no_finding(client, marketer, campaign, media):
    Campaign.objects.filter(pk=campaign.pk).update(ai_techniques=["generated_media"])
    campaign.refresh_from_db()
    upload(marketer, campaign, "spot.mov", c2pa_files.signed_video("mov"))
    client.force_login(marketer)

    html = client.get(reverse("campaign_detail", args=[campaign.pk])).text

    assert "synthetic-media-findings" not in html
    assert 'data-provenance="valid" data-ai="generated"' in html


def test_a_video_is_downloaded_as_an_attachment_never_played_inline(
    client, marketer, campaign, media
):
    data = c2pa_files.video()
    stored = upload(marketer, campaign, "spot.mp4", data)
    client.force_login(marketer)

    response = client.get(reverse("evidence_download", args=[campaign.pk, stored.pk]))

    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Disposition"] == 'attachment; filename="spot.mp4"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == data


def test_a_damaged_video_posted_to_the_page_gets_the_error_not_a_server_error(
    client, marketer, campaign, media
):
    client.force_login(marketer)

    response = client.post(
        reverse("evidence_upload", args=[campaign.pk]),
        {"kind": "other", "file": SimpleUploadedFile("spot.mp4", ftyp(b"isom", b"isom"))},
        follow=True,
    )

    assert response.status_code == 200
    assert DAMAGED in response.text
    assert not EvidenceFile.objects.exists()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_upload_help_names_the_video_types_and_limit_in_both_languages(
    settings, client, marketer, campaign, language
):
    settings.EVIDENCE_MAX_VIDEO_MB = 50
    client.force_login(marketer)
    client.cookies["django_language"] = language

    html = client.get(reverse("campaign_detail", args=[campaign.pk])).text
    help_text = html.split('id="file-help">', 1)[1].split("</div>", 1)[0]

    assert "MP4" in help_text and "MOV" in help_text
    assert "50" in help_text and "10" in help_text
    if language == "ar":
        assert "MP4 or MOV video" not in help_text
        assert "فيديو" in help_text


def test_a_signed_video_uploaded_through_the_page_and_spooled_to_disk_is_read(
    client, marketer, campaign, media
):
    """Over FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) Django writes the upload to a temporary
    file: the whole path (multipart, checks, scan, reading, storing) works on it."""
    data = padded(c2pa_files.signed_video(), 3 * 1024 * 1024)
    client.force_login(marketer)

    response = client.post(
        reverse("evidence_upload", args=[campaign.pk]),
        {"kind": "other", "file": SimpleUploadedFile("spot.mp4", data)},
        follow=True,
    )

    assert "Evidence file added." in response.text
    stored = EvidenceFile.objects.get()
    assert (stored.content_type, stored.size) == ("video/mp4", len(data))
    assert stored.provenance_status == ProvenanceStatus.VALID


@hypothesis.settings(max_examples=150, deadline=None)
@hypothesis.given(
    brand=st.sampled_from([b"isom", b"mp42", b"qt  "]),
    rest=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=2**32 - 1),
            st.sampled_from([b"moov", b"mdat", b"free", b"wide", b"uuid", b"abcd"]),
            st.binary(max_size=24),
        ),
        max_size=6,
    ),
)
def test_any_box_sequence_after_an_ftyp_is_accepted_or_refused_never_an_error(brand, rest):
    content = ftyp(brand, brand) + b"".join(
        struct.pack(">I4s", size, kind) + payload for size, kind, payload in rest
    )
    try:
        assert evidence.check_upload(SimpleUploadedFile("spot.mp4", content), video=True) in (
            evidence.VIDEO
        )
    except ServiceError as refused:
        assert refused.message in (DAMAGED, NAMED_AS_VIDEO)


def test_the_report_shows_the_video_reading(client, marketer, campaign, media):
    upload(marketer, campaign, "spot.mov", c2pa_files.signed_video("mov", tool="Veo Tool"))
    client.force_login(marketer)

    html = client.get(reverse("campaign_report", args=[campaign.pk])).text
    body = html.split('data-testid="report-evidence"', 1)[1].split("</section>", 1)[0]

    assert "spot.mov" in body
    assert 'data-provenance="valid" data-ai="generated"' in body
    assert "Veo Tool 1.0" in body
