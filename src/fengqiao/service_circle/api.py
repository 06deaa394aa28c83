"""JSON API of the 15-minute service circle (mounted under /api/v1/): nearest stations, coverage
with gaps and suggested sites, the coverage map, and station opening hours — all scoped."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router
from ninja.params.functions import Query

from fengqiao.core.errors import NotFound
from fengqiao.orgs import selectors as org_selectors
from fengqiao.orgs.models import Level, OrgUnit
from fengqiao.service_circle.config import circle_config
from fengqiao.service_circle.hours import is_open_at, parse_schedule
from fengqiao.service_circle.models import CoverageCell
from fengqiao.service_circle.nearest import NearestStation, nearest_stations
from fengqiao.service_circle.report import CoverageReport, coverage_report
from fengqiao.service_circle.schemas import CoverageOut, HoursIn, HoursOut, NearestOut
from fengqiao.service_circle.selectors import coverage_features
from fengqiao.service_circle.services import station_set_hours

router = Router(tags=["service circle"])


def nearest_out(item: NearestStation, mode: str) -> dict[str, Any]:
    s = item.station
    return {
        "id": s.pk,
        "name": s.name,
        "kind": s.kind,
        "kind_label": str(s.get_kind_display()),
        "address": s.address,
        "phone": s.phone,
        "unit_id": s.org_unit_id,
        "unit_name": s.org_unit.name,
        "lat": s.lat,
        "lng": s.lng,
        "distance_km": round(item.distance_km, 3),
        "road_km": round(item.road_km, 3),
        "minutes": round(item.minutes, 1),
        "mode": mode,
        "within_circle": item.within_circle,
        "open_now": item.open_now,
        "hours_today": item.hours_today,
        "opening_hours": s.opening_hours,
    }


@router.get("/service/nearest", response=list[NearestOut])
def nearest(
    request: HttpRequest,
    lat: float,
    lng: float,
    mode: str = "",
    kind: str = "",
    open_now: bool = False,
    limit: int = 0,
) -> Any:
    """Stations you may see, nearest first, with distance and travel time by ``mode``."""
    mode = mode or circle_config().default_mode
    found = nearest_stations(
        actor=request.user, lat=lat, lng=lng, mode=mode, kind=kind, open_now=open_now, limit=limit
    )
    return [nearest_out(item, mode) for item in found]


def cell_out(cell: CoverageCell) -> dict[str, Any]:
    return {
        "unit_id": cell.unit_id,
        "unit_code": cell.unit.code,
        "unit_name": cell.unit.name,
        "level": cell.level,
        "status": cell.status,
        "share": cell.share,
        "samples": cell.samples,
        "covered_samples": cell.covered_samples,
        "centre_minutes": cell.centre_minutes,
        "population": cell.population,
        "covered_population": cell.covered_population,
        "uncovered_population": cell.uncovered_population,
        "lat": cell.lat,
        "lng": cell.lng,
    }


def report_out(report: CoverageReport) -> dict[str, Any]:
    run = report.run
    summary = report.summary
    return {
        "run": None
        if run is None
        else {
            "id": run.pk,
            "mode": run.mode,
            "minutes": run.minutes,
            "kind": run.kind,
            "status": run.status,
            "current": report.current,
            "computed_at": run.computed_at,
        },
        "pending": report.pending,
        "summary": None
        if summary is None
        else {**summary.__dict__, "population_share": summary.population_share},
        "cells": [cell_out(c) for c in report.cells],
        "gaps": [cell_out(c) for c in report.gaps],
        "suggestions": [
            {
                "rank": s.rank,
                "lat": s.lat,
                "lng": s.lng,
                "unit_id": s.cell.unit_id,
                "unit_name": s.cell.unit.name,
                "gain": s.gain,
                "by_population": s.by_population,
                "reaches": [c.unit.name for c in s.reaches],
            }
            for s in report.suggestions
        ],
    }


def _within(request: HttpRequest, unit_id: int | None) -> OrgUnit | None:
    return None if unit_id is None else org_selectors.unit_get(actor=request.user, unit_id=unit_id)


@router.get("/service/coverage", response=CoverageOut)
def coverage(
    request: HttpRequest,
    mode: str = "",
    minutes: int = 0,
    kind: str = "",
    level: int = Query(Level.GRID, ge=Level.VILLAGE, le=Level.GRID),
    unit_id: int | None = None,
) -> Any:
    """Coverage of your grids (or villages) within ``minutes`` of a station by ``mode``.

    When stations or units changed since the stored result, a recomputation is queued
    (``pending``) and the previous result is returned meanwhile (``run.current`` false).
    """
    config = circle_config()
    report = coverage_report(
        actor=request.user,
        mode=mode or config.default_mode,
        minutes=minutes or config.coverage_minutes,
        kind=kind,
        level=level,
        within=_within(request, unit_id),
    )
    return report_out(report)


@router.get("/service/coverage/geojson", response=dict[str, Any])
def coverage_geojson(
    request: HttpRequest,
    mode: str = "",
    minutes: int = 0,
    kind: str = "",
    level: int = Query(Level.GRID, ge=Level.VILLAGE, le=Level.GRID),
    unit_id: int | None = None,
) -> Any:
    """Your grids (or villages) as GeoJSON, each with its coverage status and share."""
    config = circle_config()
    report = coverage_report(
        actor=request.user,
        mode=mode or config.default_mode,
        minutes=minutes or config.coverage_minutes,
        kind=kind,
        level=level,
        within=_within(request, unit_id),
    )
    return coverage_features(report.cells)


def hours_out(station: Any) -> dict[str, Any]:
    return {
        "station_id": station.pk,
        "opening_hours": station.opening_hours,
        "opening_schedule": station.opening_schedule,
        "open_now": is_open_at(parse_schedule(station.opening_schedule), timezone.now()),
        "updated_at": station.updated_at,
    }


@router.get("/service/stations/{station_id}/hours", response=HoursOut)
def station_hours(request: HttpRequest, station_id: int) -> Any:
    station = org_selectors.station_list(actor=request.user).filter(pk=station_id).first()
    if station is None:
        raise NotFound("station not found")
    return hours_out(station)


@router.put("/service/stations/{station_id}/hours", response=HoursOut)
def station_hours_set(request: HttpRequest, station_id: int, payload: HoursIn) -> Any:
    """Replace the weekly hours; send the ``updated_at`` you read (409 if changed since)."""
    station = station_set_hours(
        actor=request.user,
        station_id=station_id,
        schedule=payload.opening_schedule,
        opening_hours=payload.opening_hours,
        updated_at=payload.updated_at,
    )
    return hours_out(station)
