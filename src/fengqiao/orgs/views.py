"""Organisation browser: the unit tree, unit pages and the map's grid lookup (HTML + htmx).

Every read goes through :mod:`fengqiao.orgs.selectors` or :class:`Jurisdiction`, so a unit
outside the user's jurisdiction is a 404 exactly like a unit that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.orgs import selectors
from fengqiao.orgs.models import (
    Department,
    Level,
    OrgUnit,
    Station,
    Stationing,
    StationingMode,
    StationKind,
    subtree_range_kwargs,
)
from fengqiao.web.http import acting_user, is_htmx, not_found_as_404

if TYPE_CHECKING:
    from fengqiao.accounts.models import User

# Long lists on a unit page are cut here; the sub-unit pages show the rest.
LIST_LIMIT = 100
SEARCH_LIMIT = 50


# --- reads used by the pages (all scoped by the acting user's jurisdiction) -----------------


def root_nodes(*, actor: Any) -> QuerySet[OrgUnit]:
    """The top of the user's tree, with the number of children each node has."""
    return (
        Jurisdiction.of(actor).root_units().annotate(child_count=Count("children")).order_by("path")
    )


@dataclass(frozen=True)
class SearchMatch:
    unit: OrgUnit
    # The parent places the match in the tree; None when it lies above the user's units.
    parent: OrgUnit | None


def unit_search(*, actor: Any, q: str) -> tuple[list[SearchMatch], int]:
    """Units whose name contains ``q`` (or whose code starts with it), and how many there are."""
    units = selectors.unit_list(actor=actor, q=q)
    jurisdiction = Jurisdiction.of(actor)
    matches = [
        SearchMatch(
            unit,
            unit.parent if unit.parent and jurisdiction.covers_path(unit.parent.path) else None,
        )
        for unit in units[:SEARCH_LIMIT]
    ]
    return matches, units.count()


def unit_members(*, actor: Any, unit: OrgUnit) -> QuerySet[User]:
    """Users the actor may see who belong to ``unit`` or to a unit below it."""
    return (
        Jurisdiction.of(actor)
        .users()
        .filter(**subtree_range_kwargs("units__path", unit.path))
        .distinct()
        .select_related("department")
        .prefetch_related("units")
        .order_by("username")
    )


def department_stationings(*, actor: Any, department: Department) -> QuerySet[Stationing]:
    """Where ``department`` is stationed, among the centres the actor may see."""
    return (
        Stationing.objects.filter(
            department=department, station__in=Jurisdiction.of(actor).stations()
        )
        .select_related("station", "station__org_unit")
        .order_by("station__org_unit__path", "station__name")
    )


# --- the centre roster ("8 resident + 18 rotating weekly + N on call") ----------------------


def week_bounds(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def is_current(stationing: Stationing, day: date) -> bool:
    """The stationing's date range overlaps the ISO week of ``day``."""
    monday, sunday = week_bounds(day)
    if stationing.starts_on is not None and stationing.starts_on > sunday:
        return False
    return stationing.ends_on is None or stationing.ends_on >= monday


def is_on_duty(stationing: Stationing, day: date) -> bool:
    """Present in the centre in the week of ``day``; rotating ones by ISO week and slot."""
    if not is_current(stationing, day) or stationing.mode == StationingMode.ON_CALL:
        return False
    if stationing.mode == StationingMode.ROTATING:
        week = day.isocalendar().week
        return week % max(stationing.rotation_period_weeks, 1) == stationing.rotation_slot
    return True


@dataclass(frozen=True)
class RotatingEntry:
    stationing: Stationing
    on_duty: bool


@dataclass(frozen=True)
class Roster:
    station: Station
    week_start: date
    week_end: date
    resident: list[Stationing]
    rotating: list[RotatingEntry]
    on_call: list[Stationing]

    @property
    def on_duty(self) -> list[Stationing]:
        return self.resident + [e.stationing for e in self.rotating if e.on_duty]

    @property
    def is_empty(self) -> bool:
        return not (self.resident or self.rotating or self.on_call)


def build_roster(*, actor: Any, station: Station, day: date) -> Roster:
    resident: list[Stationing] = []
    rotating: list[RotatingEntry] = []
    on_call: list[Stationing] = []
    for stationing in selectors.station_roster(actor=actor, station=station):
        if not is_current(stationing, day):
            continue
        if stationing.mode == StationingMode.RESIDENT:
            resident.append(stationing)
        elif stationing.mode == StationingMode.ROTATING:
            rotating.append(RotatingEntry(stationing, is_on_duty(stationing, day)))
        else:
            on_call.append(stationing)
    # This week's rotating departments first; the sort is stable, so names stay in order.
    rotating.sort(key=lambda entry: not entry.on_duty)
    monday, sunday = week_bounds(day)
    return Roster(station, monday, sunday, resident, rotating, on_call)


def centre_rosters(*, actor: Any, stations: list[Station], day: date) -> list[Roster]:
    return [
        build_roster(actor=actor, station=s, day=day)
        for s in stations
        if s.kind == StationKind.CENTRE
    ]


def today() -> date:
    return timezone.localdate()


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
        context["matches"], context["match_count"] = unit_search(actor=actor, q=q)
    else:
        context["nodes"] = root_nodes(actor=actor)
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
    members = unit_members(actor=actor, unit=unit)
    context = {
        "unit": unit,
        "breadcrumbs": selectors.unit_breadcrumbs(actor=actor, unit=unit),
        "children": selectors.unit_children(actor=actor, unit=unit),
        "departments": departments[:LIST_LIMIT],
        "department_count": departments.count(),
        "stations": stations,
        "station_count": station_qs.count(),
        # Rosters of the centres at this unit itself; each sub-unit's page shows its own.
        "rosters": centre_rosters(
            actor=actor,
            stations=list(station_qs.filter(org_unit=unit, kind=StationKind.CENTRE)),
            day=today(),
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
