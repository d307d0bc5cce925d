"""The campaign report: one campaign's intake, answers, score, review and history, as a
printable page and as a PDF drawn by WeasyPrint from the same template partial.

Reading only: a report records nothing in the audit log.
"""

from functools import cache

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import provenance, selectors, services
from .models import Campaign, User
from .views.campaign_page import _intake_labels

try:
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher
except OSError as error:  # Pango is missing: requirements/system-packages.sh installs it
    PDF_UNAVAILABLE = str(error)
else:
    PDF_UNAVAILABLE = ""

PDF_STYLESHEETS = ("css/report-pdf.css",)
SAFE_METHODS = ("GET", "HEAD")


def report_context(campaign: Campaign, user: User, language: str) -> dict:
    """Everything the report shows, with texts in ``language``, in a fixed number of
    queries: the same reads as the campaign page (selectors), without its forms."""
    definition = selectors.definition_of(campaign.assessment.questionnaire)
    answers = campaign.assessment.answers
    result = selectors.campaign_result(campaign)
    everything = len(definition.questions)  # a report explains in full, not the top few
    evidence = list(campaign.evidence.select_related("uploaded_by"))
    with translation.override(language):
        intake_labels = _intake_labels(campaign)
        synthetic_findings = provenance.synthetic_media_findings(campaign, evidence)
    return {
        "campaign": campaign,
        "language": language,
        "bidi": translation.get_language_info(language)["bidi"],
        "intake_labels": intake_labels,
        "evidence": evidence,
        "synthetic_findings": synthetic_findings,
        "sections": selectors.assessment_sections(definition, campaign.intake(), answers, language),
        **selectors.result_view(
            result, definition, answers, language, drivers=everything, suggestions=everything
        ),
        "review": selectors.review_context(campaign, user, language),
        "incidents": list(campaign.incidents.select_related("opened_by", "closed_by")),
        "monitoring": selectors.monitoring_summary(campaign),
        "prepared_for": user,
        "generated_at": timezone.now(),
    }


# --- rendering the PDF ---------------------------------------------------------------------


@cache
def _stylesheet_text(name: str) -> str:
    """A stylesheet from the static files, read once per process."""
    path = finders.find(name)
    if path is None:
        raise FileNotFoundError(f"static file {name} not found")
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def offline_url_fetcher() -> URLFetcher:
    """Nothing is fetched while drawing a report: no network, no local files. Only data:
    URIs resolve (the report has none today); anything else is refused and left out."""
    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


def report_pdf(context: dict) -> bytes:
    """The report as a tagged PDF. Fonts come from the system (fontconfig): Noto Naskh
    Arabic and Noto Sans, with DejaVu Sans as the fallback (see report-pdf.css)."""
    fetcher = offline_url_fetcher()
    html = render_to_string("assessments/report_pdf.html", context)
    stylesheets = [CSS(string=_stylesheet_text(n), url_fetcher=fetcher) for n in PDF_STYLESHEETS]
    return HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf(
        stylesheets=stylesheets, pdf_tags=True
    )


# --- views -----------------------------------------------------------------------------------
# The scoped getter comes first: another team's marketer gets 404 whatever the method.


@login_required
def campaign_report(request, pk: int):
    campaign = selectors.campaign_for(request.user, pk, page=True)
    if request.method not in SAFE_METHODS:
        return HttpResponseNotAllowed(SAFE_METHODS)
    context = report_context(campaign, request.user, translation.get_language())
    return render(request, "assessments/report.html", context)


@login_required
def campaign_report_pdf(request, pk: int):
    campaign = selectors.campaign_for(request.user, pk, page=True)
    if request.method not in SAFE_METHODS:
        return HttpResponseNotAllowed(SAFE_METHODS)
    if PDF_UNAVAILABLE:
        message = _("PDF reports are not available on this server: a system library is missing.")
        return HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    context = report_context(campaign, request.user, translation.get_language())
    response = HttpResponse(report_pdf(context), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}-report.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def campaign_assessment_json(request, pk: int):
    """The assessment as ``export_assessment`` writes it (questionnaire, version, intake,
    answers), for ``import_assessment`` and ``score_assessment`` elsewhere."""
    campaign = selectors.campaign_for(request.user, pk)
    if request.method not in SAFE_METHODS:
        return HttpResponseNotAllowed(SAFE_METHODS)
    response = JsonResponse(
        services.assessment_export(campaign=campaign),
        json_dumps_params={"indent": 2, "ensure_ascii": False},
    )
    response["Content-Disposition"] = (
        f'attachment; filename="campaign-{campaign.pk}-assessment.json"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
