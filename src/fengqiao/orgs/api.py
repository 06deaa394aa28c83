from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.params.functions import Query

from fengqiao.core.errors import NotFound
from fengqiao.orgs import selectors
from fengqiao.orgs.schemas import (
    DepartmentOut,
    GridResolutionOut,
    OrgUnitOut,
    StationingOut,
    StationOut,
)

router = Router(tags=["organisation"])


@router.get("/org-units", response=list[OrgUnitOut])
def list_units(
    request: HttpRequest,
    level: int | None = None,
    parent_id: int | None = None,
    q: str = "",
    limit: int = Query(500, ge=1, le=5000),
    offset: int = Query(0, ge=0),
) -> Any:
    units = selectors.unit_list(actor=request.user, level=level, parent_id=parent_id, q=q)
    return units[offset : offset + limit]


@router.get("/org-units/resolve", response=GridResolutionOut)
def resolve_point(
    request: HttpRequest,
    lng: float = Query(..., ge=-180, le=180),
    lat: float = Query(..., ge=-90, le=90),
) -> Any:
    """The grid containing a WGS 84 point; ``grid`` is null when no grid in your scope has it."""
    return {"lng": lng, "lat": lat, "grid": selectors.grid_at(actor=request.user, lng=lng, lat=lat)}


@router.get("/org-units/{unit_id}", response=OrgUnitOut)
def get_unit(request: HttpRequest, unit_id: int) -> Any:
    return selectors.unit_get(actor=request.user, unit_id=unit_id)


@router.get("/org-units/{unit_id}/children", response=list[OrgUnitOut])
def unit_children(request: HttpRequest, unit_id: int) -> Any:
    unit = selectors.unit_get(actor=request.user, unit_id=unit_id)
    return selectors.unit_children(actor=request.user, unit=unit)


@router.get("/org-units/{unit_id}/geojson")
def unit_geojson(
    request: HttpRequest, unit_id: int, level: int | None = Query(None, ge=1, le=5)
) -> Any:
    """GeoJSON FeatureCollection of the unit's children, or of its descendants at ``level``."""
    unit = selectors.unit_get(actor=request.user, unit_id=unit_id)
    return selectors.unit_feature_collection(actor=request.user, unit=unit, level=level)


@router.get("/departments", response=list[DepartmentOut])
def list_departments(
    request: HttpRequest, unit_id: int | None = None, department_type: str = ""
) -> Any:
    unit = selectors.unit_get(actor=request.user, unit_id=unit_id) if unit_id else None
    return selectors.department_list(actor=request.user, unit=unit, department_type=department_type)


@router.get("/stations", response=list[StationOut])
def list_stations(request: HttpRequest, unit_id: int | None = None, kind: str = "") -> Any:
    unit = selectors.unit_get(actor=request.user, unit_id=unit_id) if unit_id else None
    return selectors.station_list(actor=request.user, unit=unit, kind=kind)


@router.get("/stations/{station_id}/roster", response=list[StationingOut])
def station_roster(request: HttpRequest, station_id: int) -> Any:
    station = selectors.station_list(actor=request.user).filter(pk=station_id).first()
    if station is None:
        raise NotFound("station not found")
    return selectors.station_roster(actor=request.user, station=station)
