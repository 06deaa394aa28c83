from __future__ import annotations

from datetime import date

from ninja import Schema


class MetricOut(Schema):
    value: float | None
    numerator: int | None
    denominator: int | None
    last_year: float | None
    change: float | None


class FiguresOut(Schema):
    unit_id: int
    unit_code: str
    unit_name: str
    start: date
    end: date
    category: str
    channel: str
    metrics: dict[str, MetricOut]


class BreakdownRowOut(Schema):
    key: str
    label: str
    unit_id: int | None
    metrics: dict[str, MetricOut]


class BreakdownOut(Schema):
    unit_id: int
    by: str
    start: date
    end: date
    rows: list[BreakdownRowOut]


class TrendPointOut(Schema):
    start: date
    metrics: dict[str, MetricOut]


class TrendOut(Schema):
    unit_id: int
    grain: str
    start: date
    end: date
    points: list[TrendPointOut]
