"""Hotspot pages: the latest run's hotspots with a map and sparklines, run history, on-demand runs.

Every hotspot shown goes through :mod:`fengqiao.hotspots.selectors` (scoped by grid path).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fengqiao.core.errors import PermissionDenied
from fengqiao.hotspots import selectors
from fengqiao.hotspots.forms import HotspotFilterForm
from fengqiao.hotspots.models import Hotspot, HotspotRun
from fengqiao.hotspots.services import hotspot_run_request, may_run
from fengqiao.web.http import acting_user, is_htmx, not_found_as_404

PAGE_LIMIT = 100


def _filters(request: HttpRequest) -> tuple[HotspotFilterForm, dict[str, Any]]:
    form = HotspotFilterForm(request.GET or None, actor=acting_user(request))
    if form.is_bound and form.is_valid():
        return form, {
            "unit": form.cleaned_data["unit"],
            "category_id": form.cleaned_data["category"],
        }
    return form, {"unit": None, "category_id": None}


def _cases_url(hotspot: Hotspot) -> str:
    """The case list narrowed to this grid, category and window (parameters of cases.filters)."""
    query = {
        "unit": hotspot.grid_id,
        "category": hotspot.category.code,
        "created_from": hotspot.window_start.isoformat(),
        "created_to": hotspot.window_end.isoformat(),
    }
    return f"{reverse('cases:list')}?{urlencode(query)}"


def _selected_run(request: HttpRequest) -> HotspotRun | None:
    run_id = request.GET.get("run", "")
    if run_id.isdigit():
        return selectors.run_get(actor=acting_user(request), run_id=int(run_id))
    return selectors.latest_run()


@require_GET
@login_required
@not_found_as_404
def hotspot_list(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    form, filters = _filters(request)
    run = _selected_run(request)
    rows: list[dict[str, Any]] = []
    total = 0
    if run is not None and not form.errors:
        hotspots = selectors.hotspot_list(actor=actor, run=run, **filters)
        total = hotspots.count()
        rows = [{"hotspot": h, "cases_url": _cases_url(h)} for h in hotspots[:PAGE_LIMIT]]
    map_query = request.GET.urlencode()
    context = {
        "form": form,
        "run": run,
        "rows": rows,
        "total": total,
        "page_limit": PAGE_LIMIT,
        "runs": selectors.run_list(),
        "pending": selectors.pending_run(),
        "may_run": may_run(actor),
        "map_url": reverse("hotspots:map") + (f"?{map_query}" if map_query else ""),
    }
    return render(request, "hotspots/list.html", context)


@require_GET
@login_required
@not_found_as_404
def grid_map(request: HttpRequest) -> HttpResponse:
    """GeoJSON of the grids in view, coloured by hotspot score on the page's map."""
    form, filters = _filters(request)
    if form.errors:
        return JsonResponse({"type": "FeatureCollection", "features": []})
    data = selectors.grid_map(actor=acting_user(request), run=_selected_run(request), **filters)
    return JsonResponse(data)


@require_POST
@login_required
def run_start(request: HttpRequest) -> HttpResponse:
    try:
        run = hotspot_run_request(actor=acting_user(request))
    except PermissionDenied:
        return HttpResponse(status=403)
    if is_htmx(request):
        return render(request, "hotspots/_run_status.html", {"pending": run})
    messages.success(request, _("Hotspot detection has been queued."))
    return redirect("hotspots:list")


@require_GET
@login_required
@not_found_as_404
def run_status(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.run_get(actor=acting_user(request), run_id=run_id)
    response = render(request, "hotspots/_run_status.html", {"pending": run})
    if is_htmx(request) and not run.in_progress:
        # The run has just finished: reload the page to show its hotspots.
        response["HX-Refresh"] = "true"
    return response
