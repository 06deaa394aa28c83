"""Every active station as NumPy arrays, cached per process and rebuilt when stations or their
units change (a cheap version query, as ``orgs.geometry`` does for grids): a city has thousands of
stations and each nearest-station question is one vectorised pass over them."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Count, Max
from numpy.typing import NDArray

from fengqiao.orgs.models import Level, OrgUnit, Station
from fengqiao.service_circle.hours import Schedule, ScheduleInvalid, parse_schedule


@dataclass(frozen=True)
class StationTable:
    token: tuple[Any, ...]
    ids: NDArray[np.int64]
    lats: NDArray[np.float64]
    lngs: NDArray[np.float64]
    kinds: NDArray[np.str_]
    paths: NDArray[np.str_]
    schedules: tuple[Schedule | None, ...]

    def __len__(self) -> int:
        return len(self.ids)

    def in_paths(self, roots: tuple[str, ...] | None) -> NDArray[np.bool_]:
        """Mask of stations whose unit lies under one of ``roots`` (``None``: no restriction)."""
        if roots is None:
            return np.ones(len(self), dtype=bool)
        mask = np.zeros(len(self), dtype=bool)
        for root in roots:
            mask |= np.char.startswith(self.paths, root)
        return mask


_lock = threading.Lock()
_table: StationTable | None = None


def version_token() -> tuple[Any, ...]:
    """Changes whenever a station, or the unit it belongs to (path, activity), changes: one
    query over the stations joined to their units."""
    row = Station.objects.aggregate(
        n=Count("id"), last=Max("updated_at"), unit_last=Max("org_unit__updated_at")
    )
    return (row["n"], _iso(row["last"]), _iso(row["unit_last"]))


def layer_token() -> tuple[Any, ...]:
    """Changes whenever a village or grid changes (boundary, population, activity, path)."""
    row = OrgUnit.objects.filter(level__gte=Level.VILLAGE).aggregate(
        n=Count("id"), last=Max("updated_at")
    )
    return (row["n"], _iso(row["last"]))


def _iso(moment: Any) -> str:
    return moment.isoformat() if moment else ""


def version_digest(*parts: Any) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _build(token: tuple[Any, ...]) -> StationTable:
    rows = list(
        Station.objects.filter(is_active=True, org_unit__is_active=True)
        .order_by("id")
        .values_list("id", "lat", "lng", "kind", "org_unit__path", "opening_schedule")
    )
    schedules: list[Schedule | None] = []
    for row in rows:
        try:
            schedules.append(parse_schedule(row[5]))
        except ScheduleInvalid:
            schedules.append(None)  # validated on save; a bad legacy row is "hours unknown"
    return StationTable(
        token=token,
        ids=np.asarray([r[0] for r in rows], dtype=np.int64),
        lats=np.asarray([r[1] for r in rows], dtype=np.float64),
        lngs=np.asarray([r[2] for r in rows], dtype=np.float64),
        kinds=np.asarray([r[3] for r in rows], dtype=np.str_),
        paths=np.asarray([r[4] for r in rows], dtype=np.str_),
        schedules=tuple(schedules),
    )


def station_table(token: tuple[Any, ...] | None = None) -> StationTable:
    global _table
    token = token if token is not None else version_token()
    current = _table
    if current is not None and current.token == token:
        return current
    with _lock:
        if _table is None or _table.token != token:
            _table = _build(token)
        return _table
