"""Nearest stations to a point, with distance and travel time, among the stations the actor sees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from django.utils import timezone

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.core.errors import ValidationFailed
from fengqiao.orgs.models import Station, StationKind
from fengqiao.service_circle.config import circle_config
from fengqiao.service_circle.geo import haversine_km
from fengqiao.service_circle.hours import day_text, is_open_at
from fengqiao.service_circle.stations import station_table

MAX_LIMIT = 50


@dataclass(frozen=True)
class NearestStation:
    station: Station
    distance_km: float  # straight line (great circle)
    road_km: float  # times the detour factor
    minutes: float
    open_now: bool | None
    hours_today: str

    @property
    def within_circle(self) -> bool:
        return self.minutes <= circle_config().coverage_minutes


def validate_query(*, lat: float, lng: float, mode: str, kind: str, limit: int) -> None:
    errors: list[dict[str, str]] = []
    if not -90 <= lat <= 90:
        errors.append({"field": "lat", "message": "must be between -90 and 90"})
    if not -180 <= lng <= 180:
        errors.append({"field": "lng", "message": "must be between -180 and 180"})
    if mode not in circle_config().speeds_kmh:
        modes = ", ".join(circle_config().speeds_kmh)
        errors.append({"field": "mode", "message": f"must be one of {modes}"})
    if kind and kind not in StationKind.values:
        errors.append({"field": "kind", "message": "unknown station kind"})
    if not 1 <= limit <= MAX_LIMIT:
        errors.append({"field": "limit", "message": f"must be between 1 and {MAX_LIMIT}"})
    if errors:
        first = errors[0]
        raise ValidationFailed(first["message"], field=first["field"], errors=errors)


def nearest_stations(
    *,
    actor: Any,
    lat: float,
    lng: float,
    mode: str = "",
    kind: str = "",
    open_now: bool = False,
    limit: int = 0,
    now: datetime | None = None,
) -> list[NearestStation]:
    """The ``limit`` nearest active stations the actor may see, nearest first.

    ``open_now`` keeps only stations known to be open at ``now`` (hours unknown are left out).
    """
    config = circle_config()
    mode = mode or config.default_mode
    limit = limit or config.nearest_limit
    validate_query(lat=lat, lng=lng, mode=mode, kind=kind, limit=limit)
    now = now or timezone.now()
    table = station_table()
    jurisdiction = Jurisdiction.of(actor)
    if not jurisdiction.unrestricted and not jurisdiction.paths:
        return []
    mask = table.in_paths(None if jurisdiction.unrestricted else jurisdiction.paths)
    if kind:
        mask &= table.kinds == kind
    candidates = np.flatnonzero(mask)
    distances = haversine_km(lat, lng, table.lats[candidates], table.lngs[candidates])
    order = candidates[np.argsort(distances, kind="stable")]
    distance_of = dict(zip(candidates.tolist(), distances.tolist(), strict=True))
    picked: list[tuple[int, float, bool | None]] = []
    for i in order.tolist():
        state = is_open_at(table.schedules[i], now)
        if open_now and state is not True:
            continue
        picked.append((i, distance_of[i], state))
        if len(picked) == limit:
            break
    ids = [int(table.ids[i]) for i, _, _ in picked]
    # The unit's boundary can be a large polygon; the answer needs only its name.
    stations = Station.objects.select_related("org_unit").defer("org_unit__boundary").in_bulk(ids)
    weekday = timezone.localtime(now).weekday()
    result = []
    for i, km, state in picked:
        station = stations.get(int(table.ids[i]))
        if station is None:
            continue  # deleted since the table was built
        result.append(
            NearestStation(
                station=station,
                distance_km=km,
                road_km=km * config.detour_factor,
                minutes=float(config.minutes(km, mode)),
                open_now=state,
                hours_today=day_text(table.schedules[i], weekday),
            )
        )
    return result
