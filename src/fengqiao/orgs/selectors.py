"""Reads of the organisation model, always through the acting user's jurisdiction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.core.errors import NotFound
from fengqiao.orgs import geometry
from fengqiao.orgs.models import (
    Department,
    Level,
    OrgUnit,
    Station,
    Stationing,
    subtree_range,
    subtree_range_kwargs,
)

if TYPE_CHECKING:
    from fengqiao.accounts.models import User

SEARCH_LIMIT = 50


def unit_list(
    *, actor: Any, level: int | None = None, parent_id: int | None = None, q: str = ""
) -> QuerySet[OrgUnit]:
    units = Jurisdiction.of(actor).units().select_related("parent")
    if level is not None:
        units = units.filter(level=level)
    if parent_id is not None:
        units = units.filter(parent_id=parent_id)
    if q:
        units = units.filter(Q(name__icontains=q) | Q(code__startswith=q))
    return units.order_by("path")


def unit_get(*, actor: Any, unit_id: int) -> OrgUnit:
    unit = Jurisdiction.of(actor).units().select_related("parent").filter(pk=unit_id).first()
    if unit is None:
        raise NotFound("organisation unit not found")
    return unit


def unit_children(*, actor: Any, unit: OrgUnit) -> QuerySet[OrgUnit]:
    return (
        Jurisdiction.of(actor)
        .units()
        .filter(parent=unit)
        .annotate(child_count=Count("children"))
        .order_by("path")
    )


def unit_breadcrumbs(*, actor: Any, unit: OrgUnit) -> list[OrgUnit]:
    """Ancestors the user may open, then the unit; units above the user's roots are left out."""
    jurisdiction = Jurisdiction.of(actor)
    ancestors = OrgUnit.objects.filter(path__in=unit.ancestor_paths()).order_by("path")
    return [a for a in ancestors if jurisdiction.covers_path(a.path)] + [unit]


def unit_grids(*, actor: Any, unit: OrgUnit) -> QuerySet[OrgUnit]:
    return Jurisdiction.of(actor).units().filter(subtree_range(unit.path), level=Level.GRID)


def unit_feature_collection(
    *, actor: Any, unit: OrgUnit, level: int | None = None
) -> dict[str, Any]:
    """GeoJSON of the unit's children (or of all its descendants at ``level``) for the map."""
    units = Jurisdiction.of(actor).units().filter(boundary__isnull=False)
    if level is None:
        units = units.filter(parent=unit)
    else:
        units = units.filter(subtree_range(unit.path), level=level)
    features = [
        {
            "type": "Feature",
            "id": u.pk,
            "geometry": u.boundary,
            "properties": {"id": u.pk, "code": u.code, "name": u.name, "level": u.level},
        }
        for u in units.only("pk", "code", "name", "level", "boundary").order_by("path")
    ]
    if not features and unit.boundary:
        features.append(
            {
                "type": "Feature",
                "id": unit.pk,
                "geometry": unit.boundary,
                "properties": {
                    "id": unit.pk,
                    "code": unit.code,
                    "name": unit.name,
                    "level": unit.level,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def department_list(
    *, actor: Any, unit: OrgUnit | None = None, department_type: str = ""
) -> QuerySet[Department]:
    departments = Jurisdiction.of(actor).departments().select_related("org_unit")
    if unit is not None:
        departments = departments.filter(**subtree_range_kwargs("org_unit__path", unit.path))
    if department_type:
        departments = departments.filter(department_type=department_type)
    return departments


def station_list(*, actor: Any, unit: OrgUnit | None = None, kind: str = "") -> QuerySet[Station]:
    stations = Jurisdiction.of(actor).stations().select_related("org_unit")
    if unit is not None:
        stations = stations.filter(**subtree_range_kwargs("org_unit__path", unit.path))
    if kind:
        stations = stations.filter(kind=kind)
    return stations


def station_roster(*, actor: Any, station: Station) -> QuerySet[Stationing]:
    if not Jurisdiction.of(actor).covers_path(station.org_unit.path):
        raise NotFound("station not found")
    return station.stationings.select_related("department").order_by("mode", "department__name")


def grid_at(*, actor: Any, lng: float, lat: float) -> OrgUnit | None:
    """The grid containing the point, if the actor may see it."""
    grid = geometry.resolve_grid(lng, lat)
    if grid is None or not Jurisdiction.of(actor).covers_path(grid.path):
        return None
    return grid


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
    units = unit_list(actor=actor, q=q)
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
