import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.evidence import MAX_EVIDENCE_BYTES
from assessments.models import EvidenceFile

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(client, campaign, name, content, kind="bias_report"):
    return client.post(
        reverse("evidence_upload", args=[campaign.pk]),
        {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_pdf_is_stored_under_a_server_name_and_downloaded_as_attachment(client, marketer, campaign):
    client.force_login(marketer)
    upload(client, campaign, "../../etc/Bias report.pdf", PDF)
    evidence = EvidenceFile.objects.get()
    assert evidence.original_name == "Bias report.pdf"
    assert evidence.content_type == "application/pdf"
    assert "Bias" not in evidence.file.name and ".." not in evidence.file.name
    response = client.get(reverse("evidence_download", args=[campaign.pk, evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_type_is_judged_by_content_not_name(client, marketer, campaign):
    client.force_login(marketer)
    upload(client, campaign, "report.pdf", b"<html><script>alert(1)</script></html>\x00")
    upload(client, campaign, "tool.pdf", b"MZ\x90\x00\x03\x00\x00\x00")
    assert not EvidenceFile.objects.exists()
    upload(client, campaign, "DPIA", docx_bytes(), kind="dpia")
    assert EvidenceFile.objects.get().content_type.endswith("wordprocessingml.document")


def test_too_large_is_refused_with_a_clear_message(client, marketer, campaign):
    client.force_login(marketer)
    response = upload(client, campaign, "big.pdf", PDF + b"0" * MAX_EVIDENCE_BYTES)
    assert not EvidenceFile.objects.exists()
    page = client.get(response["Location"]).text
    assert "larger than 10 MB" in page


@pytest.mark.parametrize("persona,status", [("outsider", 404), ("reviewer", 200), ("manager", 200)])
def test_download_only_for_people_who_may_see_the_campaign(
    client, personas, marketer, campaign, persona, status
):
    client.force_login(marketer)
    upload(client, campaign, "r.pdf", PDF)
    evidence = EvidenceFile.objects.get()
    client.force_login(personas[persona])
    response = client.get(reverse("evidence_download", args=[campaign.pk, evidence.pk]))
    assert response.status_code == status
    if status == 200:
        b"".join(response.streaming_content)  # lets the client close the file


def test_only_the_team_can_upload_or_remove(client, personas, marketer, campaign):
    client.force_login(personas["reviewer"])
    upload(client, campaign, "r.pdf", PDF)
    assert not EvidenceFile.objects.exists()
    client.force_login(marketer)
    upload(client, campaign, "r.pdf", PDF)
    evidence = EvidenceFile.objects.get()
    client.force_login(personas["outsider"])
    assert (
        client.post(reverse("evidence_delete", args=[campaign.pk, evidence.pk])).status_code == 404
    )
    client.force_login(marketer)
    client.post(reverse("evidence_delete", args=[campaign.pk, evidence.pk]))
    assert not EvidenceFile.objects.exists()
