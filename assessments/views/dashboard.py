"""Home, the manager's dashboard, the campaign list and its CSV, and the review queue."""

from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject

from .. import (
    csv_export,
    dashboard_charts,
    dashboard_figures,
    fragments,
    incidents,
    listing,
    paging,
    registry,
    selectors,
    training,
)
from ..listing import CampaignFilterForm
from ..permissions import Action
from .shared import requires


@login_required
def home(request):
    return render(
        request,
        "assessments/home.html",
        {"attention": selectors.home_attention(request.user)},
    )


@requires(Action.VIEW_DASHBOARD)
def dashboard(request):
    form = dashboard_figures.DashboardFilterForm(request.GET or None)
    filters = form.filters()
    now = timezone.now()
    language = translation.get_language()
    frame = dashboard_figures.frame_of(filters, now.date())

    def figures():
        questionnaire = selectors.current_questionnaire()
        return dashboard_figures.dashboard_data(
            filters,
            definition=selectors.definition_of(questionnaire) if questionnaire else None,
            language=language,
            now=now,
        )

    # The figures, charts and sections are read only when their cached fragment is stale.
    data = SimpleLazyObject(figures)
    options = form.options("team", "tier", "channel", "market")
    rtl = translation.get_language_bidi()
    return render(
        request,
        "assessments/dashboard.html",
        {
            "form": form,
            "options": options,
            "frame": frame,
            "data": data,
            "svgs": SimpleLazyObject(lambda: dashboard_charts.charts_for(data, rtl=rtl)),
            "today": now.date().isoformat(),
            "fragments_version": fragments.version(),
            "fragment_timeout": fragments.TIMEOUT,
            "training": SimpleLazyObject(training.dashboard_section),
            "register": SimpleLazyObject(registry.dashboard_register),
            "incidents": SimpleLazyObject(incidents.figures),
        },
    )


LIST_SELECTS = ("state", "tier", "team", "channel", "market", "on", "sort")


def _list_filters(request):
    form = CampaignFilterForm(request.GET or None)
    filters = form.filters()
    campaigns = listing.apply_filters(selectors.visible_campaigns(request.user), filters)
    return form, filters, campaigns


@requires(Action.VIEW_CAMPAIGNS)
def campaign_list(request):
    """Every campaign the user may see, filtered (the dashboard links here), sorted and
    paged by cursor."""
    form, filters, campaigns = _list_filters(request)
    sort = filters.get("sort", "")
    try:
        page = paging.page_of(
            campaigns,
            sort=sort,
            after=request.GET.get("after", ""),
            before=request.GET.get("before", ""),
            values=paging.LIST_VALUES,
            cap=paging.count_cap(filters),
            count_key=listing.count_key(request.user, filters),
        )
    except paging.InvalidCursor as exc:
        form.add_error(None, exc.message)  # and the first page, with a 400
        page = paging.page_of(
            campaigns,
            sort=sort,
            values=paging.LIST_VALUES,
            cap=paging.count_cap(filters),
            count_key=listing.count_key(request.user, filters),
        )
    query = request.GET.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    return render(
        request,
        "assessments/campaign_list.html",
        {
            "form": form,
            "options": form.options(*LIST_SELECTS),
            "page": page,
            "rows_key": listing.rows_key(listing.labelled(page.rows)),
            "fragments_version": fragments.version(),
            "fragment_timeout": fragments.TIMEOUT,
            "query": query.urlencode(),
            "filtered": bool(filters),
        },
        status=400 if form.errors else 200,
    )


@requires(Action.VIEW_CAMPAIGNS)
def campaign_export(request):
    """The filtered list as CSV, streamed from the database in chunks."""
    form, filters, campaigns = _list_filters(request)
    if form.errors:
        return redirect(f"{reverse('campaign_list')}?{request.GET.urlencode()}")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(
        csv_export.csv_rows(campaigns, sort=filters.get("sort", "")),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="campaigns-{stamp}.csv"'
    return response


@requires(Action.VIEW_REVIEW_QUEUE)
def review_queue(request):
    # Read only when the page's fragment is not cached.
    work = SimpleLazyObject(lambda: selectors.review_queue_for(request.user))
    return render(
        request,
        "assessments/review_queue.html",
        {
            "queue": work,
            # Which lists the user sees depends on their roles (the chair's, the board's).
            "viewer": f"{request.user.pk}:{','.join(sorted(request.user.role_set))}",
            "fragments_version": fragments.version(),
            "fragment_timeout": fragments.TIMEOUT,
        },
    )
