"""Organisation browser: the unit tree, unit pages and the map's grid lookup (HTML + htmx).

Every read goes through :mod:`fengqiao.orgs.selectors` or :class:`Jurisdiction`, so a unit
outside the user's jurisdiction is a 404 exactly like a unit that does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from fengqiao.orgs import roster, selectors
from fengqiao.orgs.models import (
    Level,
    StationKind,
)
from fengqiao.web.http import acting_user, is_htmx, not_found_as_404

if TYPE_CHECKING:
    pass

# Long lists on a unit page are cut here; the sub-unit pages show the rest.
LIST_LIMIT = 100
SEARCH_LIMIT = 50


class GridLookupForm(forms.Form):
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)
    lng = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)


# --- views --------------------------------------------------------------------------------


@require_GET
@login_required
def tree(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    q = request.GET.get("q", "").strip()[:100]
    context: dict[str, Any] = {"q": q}
    if q:
        context["matches"], context["match_count"] = selectors.unit_search(actor=actor, q=q)
    else:
        context["nodes"] = selectors.root_nodes(actor=actor)
    return render(request, "orgs/tree.html", context)


@require_GET
@login_required
@not_found_as_404
def children(request: HttpRequest, unit_id: int) -> HttpResponse:
    actor = acting_user(request)
    unit = selectors.unit_get(actor=actor, unit_id=unit_id)
    nodes = selectors.unit_children(actor=actor, unit=unit)
    return render(request, "orgs/_nodes.html", {"nodes": nodes})


@require_GET
@login_required
@not_found_as_404
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    actor = acting_user(request)
    unit = selectors.unit_get(actor=actor, unit_id=unit_id)
    station_qs = selectors.station_list(actor=actor, unit=unit)
    stations = list(station_qs[:LIST_LIMIT])
    departments = selectors.department_list(actor=actor, unit=unit)
    members = selectors.unit_members(actor=actor, unit=unit)
    context = {
        "unit": unit,
        "breadcrumbs": selectors.unit_breadcrumbs(actor=actor, unit=unit),
        "children": selectors.unit_children(actor=actor, unit=unit),
        "departments": departments[:LIST_LIMIT],
        "department_count": departments.count(),
        "stations": stations,
        "station_count": station_qs.count(),
        # Rosters of the centres at this unit itself; each sub-unit's page shows its own.
        "rosters": roster.centre_rosters(
            actor=actor,
            stations=list(station_qs.filter(org_unit=unit, kind=StationKind.CENTRE)),
            day=timezone.localdate(),
        ),
        "members": members[:LIST_LIMIT],
        "member_count": members.count(),
        "list_limit": LIST_LIMIT,
        "show_grid_toggle": unit.level < Level.VILLAGE,
        "is_grid": unit.level == Level.GRID,
        "grid_level": Level.GRID,
    }
    return render(request, "orgs/unit.html", context)


@require_GET
@login_required
@not_found_as_404
def find_grid(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Which of the unit's grids holds a point (the map's "find grid" tool)."""
    actor = acting_user(request)
    unit = selectors.unit_get(actor=actor, unit_id=unit_id)
    form = GridLookupForm(request.GET)
    context: dict[str, Any] = {"unit": unit, "form": form, "grid": None}
    if form.is_valid():
        grid = selectors.grid_at(
            actor=actor, lng=form.cleaned_data["lng"], lat=form.cleaned_data["lat"]
        )
        if grid is not None and grid.path.startswith(unit.path):
            context["grid"] = grid
            context["grid_breadcrumbs"] = selectors.unit_breadcrumbs(actor=actor, unit=grid)
    template = "orgs/_grid_result.html" if is_htmx(request) else "orgs/find_grid.html"
    return render(request, template, context)
