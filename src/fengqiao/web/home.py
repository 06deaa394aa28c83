"""What the home page shows each role, built from reads scoped to the user's jurisdiction.

Every role gets its units and a count of what lies in its scope; :data:`ROLE_PANELS` adds the
panels that matter for the role's daily work. Each panel has one builder and one template
(``web/home/_<panel>.html``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.accounts.models import Role, User
from fengqiao.orgs import selectors
from fengqiao.orgs.models import DepartmentType, Level, OrgUnit, StationKind
from fengqiao.orgs.roster import centre_rosters, is_on_duty
from fengqiao.orgs.selectors import department_stationings

PANEL_LIST_LIMIT = 20

ROLE_PANELS: dict[str, tuple[str, ...]] = {
    Role.CLERK: ("centre_roster", "stations"),
    Role.MEDIATOR: ("my_department", "centre_roster", "stations"),
    Role.LIAISON: ("my_department", "departments"),
    Role.GRID_WORKER: ("grids",),
    Role.LEADER: ("sub_units", "departments", "stations"),
    Role.AUDITOR: ("sub_units", "breakdown"),
    Role.ANALYST: ("breakdown", "sub_units"),
    Role.ADMIN: ("admin_links", "sub_units"),
}

ROLE_GUIDANCE: dict[str, str | Promise] = {
    Role.CLERK: _(
        "Walk-ins and calls are received at your centre's front desk. Below are the departments "
        "on duty there this week and the service points in your area."
    ),
    Role.MEDIATOR: _(
        "Your mediation organisation, where it is stationed, who is on duty at your centre this "
        "week and the service points where parties can be received."
    ),
    Role.LIAISON: _(
        "Your department, the centres it is stationed in and whether it is on duty there this "
        "week, and the departments you handle cases with."
    ),
    Role.GRID_WORKER: _(
        "Your grid: its boundary, code and population. Open it to check which grid a location "
        "belongs to."
    ),
    Role.LEADER: _(
        "The units under your responsibility with their grids, departments and service points."
    ),
    Role.AUDITOR: _(
        "The scope your quality checks cover: units by level, departments and mediation "
        "organisations by type."
    ),
    Role.ANALYST: _(
        "The scope your figures cover: units by level, departments by type and service points "
        "by kind."
    ),
    Role.ADMIN: _(
        "Administration of the organisation tree, departments, stations and user accounts in "
        "your jurisdiction."
    ),
}


@dataclass(frozen=True)
class LabelCount:
    label: str | Promise
    count: int


@dataclass(frozen=True)
class SubUnitRow:
    unit: OrgUnit
    child_count: int
    grid_count: int
    department_count: int
    station_count: int


@dataclass(frozen=True)
class GridArea:
    """A map on the grid worker's home: their grid itself, or all grids of their unit."""

    unit: OrgUnit
    grids: list[OrgUnit]
    map_level: int | None


def _prefix_counts(paths: Iterable[str], length: int) -> Counter[str]:
    return Counter(path[:length] for path in paths if len(path) >= length)


def _level_counts(actor: User) -> list[LabelCount]:
    rows = (
        selectors.unit_list(actor=actor).order_by("level").values("level").annotate(n=Count("pk"))
    )
    return [LabelCount(Level(row["level"]).label, row["n"]) for row in rows]


def _units(actor: User) -> list[OrgUnit]:
    return list(Jurisdiction.of(actor).root_units().select_related("parent").order_by("path"))


def panel_centre_roster(request: HttpRequest, actor: User, units: list[OrgUnit]) -> dict[str, Any]:
    centres = selectors.station_list(actor=actor, kind=StationKind.CENTRE).filter(
        org_unit__in=units
    )
    return {
        "rosters": centre_rosters(actor=actor, stations=list(centres), day=timezone.localdate())
    }


def panel_stations(request: HttpRequest, actor: User, units: list[OrgUnit]) -> dict[str, Any]:
    stations = selectors.station_list(actor=actor)
    return {
        "stations": list(stations[:PANEL_LIST_LIMIT]),
        "station_total": stations.count(),
    }


def panel_my_department(request: HttpRequest, actor: User, units: list[OrgUnit]) -> dict[str, Any]:
    department = actor.department
    if department is None:
        return {"department": None, "department_stationings": []}
    day = timezone.localdate()
    stationings = [
        (s, is_on_duty(s, day)) for s in department_stationings(actor=actor, department=department)
    ]
    return {"department": department, "department_stationings": stationings}


def panel_departments(request: HttpRequest, actor: User, units: list[OrgUnit]) -> dict[str, Any]:
    departments = selectors.department_list(actor=actor)
    return {
        "departments": list(departments[:PANEL_LIST_LIMIT]),
        "department_total": departments.count(),
    }


def panel_sub_units(request: HttpRequest, actor: User, units: list[OrgUnit]) -> dict[str, Any]:
    children = [c for unit in units for c in selectors.unit_children(actor=actor, unit=unit)]
    if not children:
        return {"sub_units": []}
    grid_paths = list(
        selectors.unit_list(actor=actor, level=Level.GRID).values_list("path", flat=True)
    )
    department_paths = list(
        selectors.department_list(actor=actor).values_list("org_unit__path", flat=True)
    )
    station_paths = list(
        selectors.station_list(actor=actor).values_list("org_unit__path", flat=True)
    )
    counts: dict[int, tuple[Counter[str], Counter[str], Counter[str]]] = {}
    for length in {len(c.path) for c in children}:
        counts[length] = (
            _prefix_counts(grid_paths, length),
            _prefix_counts(department_paths, length),
            _prefix_counts(station_paths, length),
        )
    rows = []
    for child in children:
        grids, departments, stations = counts[len(child.path)]
        rows.append(
            SubUnitRow(
                unit=child,
                child_count=child.child_count,  # type: ignore[attr-defined]
                grid_count=grids[child.path],
                department_count=departments[child.path],
                station_count=stations[child.path],
            )
        )
    return {"sub_units": rows}


def panel_breakdown(request: HttpRequest, actor: User, units: list[OrgUnit]) -> dict[str, Any]:
    by_type = (
        selectors.department_list(actor=actor)
        .order_by()
        .values("department_type")
        .annotate(n=Count("pk"))
        .order_by("-n", "department_type")
    )
    by_kind = (
        selectors.station_list(actor=actor)
        .order_by()
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by("-n", "kind")
    )
    return {
        "departments_by_type": [
            LabelCount(DepartmentType(r["department_type"]).label, r["n"]) for r in by_type
        ],
        "stations_by_kind": [LabelCount(StationKind(r["kind"]).label, r["n"]) for r in by_kind],
    }


def panel_grids(request: HttpRequest, actor: User, units: list[OrgUnit]) -> dict[str, Any]:
    areas = []
    for unit in units:
        if unit.level == Level.GRID:
            areas.append(GridArea(unit=unit, grids=[unit], map_level=None))
        else:
            grids = list(
                selectors.unit_grids(actor=actor, unit=unit).order_by("path")[:PANEL_LIST_LIMIT]
            )
            areas.append(GridArea(unit=unit, grids=grids, map_level=Level.GRID))
    return {"grid_areas": areas}


def panel_admin_links(request: HttpRequest, actor: User, units: list[OrgUnit]) -> dict[str, Any]:
    return {"admin_apps": admin.site.get_app_list(request)}


PanelBuilder = Callable[[HttpRequest, User, list[OrgUnit]], dict[str, Any]]

PANEL_BUILDERS: dict[str, PanelBuilder] = {
    "centre_roster": panel_centre_roster,
    "stations": panel_stations,
    "my_department": panel_my_department,
    "departments": panel_departments,
    "sub_units": panel_sub_units,
    "breakdown": panel_breakdown,
    "grids": panel_grids,
    "admin_links": panel_admin_links,
}


def home_context(request: HttpRequest, actor: User) -> dict[str, Any]:
    units = _units(actor)
    jurisdiction = Jurisdiction.of(actor)
    panels = ROLE_PANELS.get(actor.role, ())
    context: dict[str, Any] = {
        "units": units,
        "guidance": ROLE_GUIDANCE.get(actor.role, ""),
        "panels": panels,
        "level_counts": _level_counts(actor),
        "department_count": selectors.department_list(actor=actor).count(),
        "station_count": selectors.station_list(actor=actor).count(),
        "user_count": jurisdiction.users().count(),
    }
    for panel in panels:
        context.update(PANEL_BUILDERS[panel](request, actor, units))
    return context
