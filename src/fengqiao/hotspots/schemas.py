"""API schemas of hotspots."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict


class RunIn(Schema):
    """An on-demand run; every field is optional."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["nb", "ears_c2"] | None = None  # detection.METHODS
    category_level: Literal["major", "minor"] = "major"
    window_end: date | None = None


class RunOut(Schema):
    id: int
    status: str
    trigger: str
    method: str
    category_level: str
    parameters: dict[str, object]
    window_start: date
    window_end: date
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    series_evaluated: int
    error: str


class HotspotOut(Schema):
    rank: int
    grid_id: int
    grid_code: str
    grid_name: str
    category_code: str
    category_name: str
    window_start: date
    window_end: date
    observed: int
    expected: float
    p_value: float | None
    q_value: float | None
    score: float
    explanation: str
    history: list[int]


class HotspotListOut(Schema):
    run: RunOut | None
    # Hotspots of the run inside the caller's jurisdiction (and filters).
    hotspots: list[HotspotOut]
