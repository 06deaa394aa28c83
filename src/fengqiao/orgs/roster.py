"""The centre roster ("8 resident + 18 rotating weekly + N on call") for a given week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fengqiao.orgs import selectors
from fengqiao.orgs.models import Station, Stationing, StationingMode, StationKind


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
