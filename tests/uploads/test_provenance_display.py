"""The content credentials on the evidence row of the campaign page, in the report (HTML and
PDF) and the API; the synthetic-media finding the board sees when the intake declares
generated media."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from assessments import provenance, services
from assessments.models import Campaign
from tests.reports.pdf import pdf_text

from . import c2pa_files

pytestmark = pytest.mark.django_db

NO_IMAGE = "no creative image or video has been uploaded"


@pytest.fixture(autouse=True)
def _fresh_c2pa_settings():
    provenance._context.cache_clear()
    yield
    provenance._context.cache_clear()


def add(marketer, campaign, name, content):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return services.evidence_add(actor=marketer, campaign=campaign, upload=upload, kind="other")


def synthetic(campaign) -> Campaign:
    Campaign.objects.filter(pk=campaign.pk).update(ai_techniques=["generated_media"])
    campaign.refresh_from_db()
    return campaign


def evidence_section(html: str) -> str:
    return html.split('id="evidence"', 1)[1].split("</section>", 1)[0]


def test_the_evidence_row_shows_the_reading(client, marketer, campaign, media):
    add(marketer, campaign, "ai-creative.png", c2pa_files.signed(tool="Imagen <Tool>"))
    add(marketer, campaign, "photo.jpg", c2pa_files.image("JPEG"))
    add(marketer, campaign, "dpia.pdf", b"%PDF-1.7\n%%EOF\n")
    client.force_login(marketer)

    section = evidence_section(client.get(reverse("campaign_detail", args=[campaign.pk])).text)

    assert 'data-provenance="valid" data-ai="generated"' in section
    assert "Credentials valid, signer not on the trust list" in section
    assert "Declares AI-generated content" in section
    assert "Imagen &lt;Tool&gt; 1.0" in section  # from the file: escaped
    assert 'data-provenance="absent"' in section
    assert section.count("data-provenance=") == 2  # the PDF is not read
    assert "synthetic-media-findings" not in section  # the intake declares no generated media


def test_arabic_page_translates_the_reading(client, marketer, campaign, media):
    add(marketer, campaign, "ai-creative.png", c2pa_files.tampered(c2pa_files.signed()))
    client.force_login(marketer)
    client.cookies["django_language"] = "ar"

    with translation.override("ar"):
        expected = str(provenance.ProvenanceStatus.INVALID.label)
    section = evidence_section(client.get(reverse("campaign_detail", args=[campaign.pk])).text)

    assert expected != "Credentials invalid (file changed after signing)"
    assert expected in section


def test_synthetic_media_without_any_image_is_a_finding(
    client, complete_campaign, marketer, chair, media
):
    campaign = synthetic(complete_campaign)
    services.campaign_submit(actor=marketer, campaign=campaign)
    client.force_login(chair)

    section = evidence_section(client.get(reverse("campaign_detail", args=[campaign.pk])).text)

    assert 'data-testid="synthetic-media-findings"' in section
    assert NO_IMAGE in section


def test_the_board_sees_which_creatives_lack_credentials_or_an_ai_disclosure(
    client, complete_campaign, marketer, chair, media
):
    campaign = synthetic(complete_campaign)
    add(marketer, campaign, "disclosed.png", c2pa_files.signed())
    add(marketer, campaign, "undisclosed.png", c2pa_files.signed(source="digitalCapture"))
    add(marketer, campaign, "stripped.jpg", c2pa_files.image("JPEG"))
    add(marketer, campaign, "edited.png", c2pa_files.tampered(c2pa_files.signed()))
    services.campaign_submit(actor=marketer, campaign=campaign)
    client.force_login(chair)

    html = client.get(reverse("campaign_detail", args=[campaign.pk])).text
    findings = html.split('data-testid="synthetic-media-findings"', 1)[1].split("</div>", 1)[0]

    assert "undisclosed.png: content credentials present but no AI-generated" in findings
    assert "stripped.jpg: no valid content credentials (No content credentials)" in findings
    assert "edited.png: no valid content credentials (Credentials invalid" in findings
    assert "<li>disclosed.png:" not in findings
    assert NO_IMAGE not in findings


def test_a_fully_disclosed_synthetic_campaign_has_no_finding(client, marketer, campaign, media):
    campaign = synthetic(campaign)
    add(marketer, campaign, "disclosed.png", c2pa_files.signed())
    client.force_login(marketer)

    html = client.get(reverse("campaign_detail", args=[campaign.pk])).text

    assert "synthetic-media-findings" not in html


def test_report_and_pdf_show_the_reading_and_the_findings(
    client, marketer, campaign, media, pdf_renderer
):
    campaign = synthetic(campaign)
    add(marketer, campaign, "creative.png", c2pa_files.signed(tool="GenTool"))
    add(marketer, campaign, "plain.png", c2pa_files.image())
    client.force_login(marketer)

    html = client.get(reverse("campaign_report", args=[campaign.pk])).text
    body = html.split('data-testid="report-evidence"', 1)[1].split("</section>", 1)[0]
    assert "Declares AI-generated content" in body and "GenTool 1.0" in body
    assert "plain.png: no valid content credentials" in body

    pdf = client.get(reverse("campaign_report_pdf", args=[campaign.pk]))
    text = " ".join(pdf_text(pdf.content).split())
    assert "GenTool 1.0" in text
    assert "Declares AI-generated content" in text
    assert "plain.png: no valid content credentials" in text


def test_the_api_exposes_the_reading_on_evidence(client, marketer, campaign, media):
    campaign = synthetic(campaign)
    evidence = add(marketer, campaign, "creative.png", c2pa_files.signed(source="digitalCapture"))
    client.force_login(marketer)

    data = client.get(reverse("api_campaign", args=[campaign.pk])).json()

    assert data["evidence"] == [
        {
            "id": evidence.pk,
            "kind": "other",
            "original_name": "creative.png",
            "content_type": "image/png",
            "size": evidence.size,
            "sha256": evidence.sha256,
            "uploaded_at": data["evidence"][0]["uploaded_at"],
            "provenance_status": "valid",
            "provenance_generator": "TestGen 1.0",
            "provenance_signer": "Ethics Review tests",
            "provenance_source_type": "digitalCapture",
            "provenance_ai": "not_ai",
        }
    ]
    assert len(data["synthetic_media_findings"]) == 1
    assert "creative.png" in data["synthetic_media_findings"][0]
