"""Input and output schemas of the safety-index API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field


class ReasonOut(Schema):
    code: str
    name: str
    points: float


class ResultOut(Schema):
    unit_id: int
    unit_code: str
    unit_name: str
    level: int
    period: str
    index: float
    colour: str
    rank: int
    rank_of: int
    district_rank: int
    district_rank_of: int
    dimension_scores: dict[str, float]
    negative: bool
    reasons: list[ReasonOut]
    missing: int
    computed_at: datetime


class ContributionOut(Schema):
    code: str
    name: str
    dimension: str
    unit: str
    value: float | None
    risk: float
    points: float


class ResultDetailOut(ResultOut):
    contributions: list[ContributionOut]


class IndicatorOut(Schema):
    code: str
    name_zh: str
    name_en: str
    dimension: str
    direction: str
    unit: str
    weight: float
    normalisation: str
    good_value: float | None
    bad_value: float | None
    source: str
    is_active: bool


class ValuesIn(Schema):
    values: list[dict[str, Any]] = Field(
        ...,
        description="Rows {unit_code, period, indicator, value}; all or nothing.",
        max_length=100_000,
    )
    dry_run: bool = False


class ValuesImportOut(Schema):
    created: int
    updated: int
    periods: list[str]
    dry_run: bool


class ComputeIn(Schema):
    period: str = Field(..., description="A month 2025-03 or a quarter 2025-Q1.")


class LevelRunOut(Schema):
    level: int
    units: int
    red: int
    negative: int


class ComputeOut(Schema):
    period: str
    levels: list[LevelRunOut]
