"""Input and output schemas of the service-circle API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema


class NearestOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    address: str
    phone: str
    unit_id: int
    unit_name: str
    lat: float
    lng: float
    distance_km: float
    road_km: float
    minutes: float
    mode: str
    within_circle: bool
    open_now: bool | None
    hours_today: str
    opening_hours: str


class RunOut(Schema):
    id: int
    mode: str
    minutes: int
    kind: str
    status: str
    current: bool
    computed_at: datetime | None


class SummaryOut(Schema):
    units: int
    covered: int
    partly: int
    not_covered: int
    area_share: float
    population: int
    units_with_population: int
    covered_population: float
    population_share: float | None


class CellOut(Schema):
    unit_id: int
    unit_code: str
    unit_name: str
    level: int
    status: str
    share: float
    samples: int
    covered_samples: int
    centre_minutes: float | None
    population: int | None
    covered_population: float | None
    uncovered_population: float | None
    lat: float
    lng: float


class SuggestionOut(Schema):
    rank: int
    lat: float
    lng: float
    unit_id: int
    unit_name: str
    gain: float
    by_population: bool
    reaches: list[str]


class CoverageOut(Schema):
    # None while the first run of this question is still being computed.
    run: RunOut | None
    pending: bool
    summary: SummaryOut | None
    cells: list[CellOut]
    gaps: list[CellOut]
    suggestions: list[SuggestionOut]


class HoursOut(Schema):
    station_id: int
    opening_hours: str
    opening_schedule: dict[str, Any] | None
    open_now: bool | None
    updated_at: datetime


class HoursIn(Schema):
    opening_schedule: dict[str, Any] | None
    opening_hours: str | None = None
    # The version you read (``updated_at`` from GET); a station changed since answers 409.
    updated_at: datetime
