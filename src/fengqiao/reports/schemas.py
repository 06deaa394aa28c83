"""Typed input and output of the reports API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["weekly", "monthly", "dispatch-red", "dispatch-orange", "dispatch-green"]
Format = Literal["pdf", "xlsx"]


class ReportRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: int
    kind: Kind
    period_start: date = Field(
        description="first day of the period: a Monday (weekly, dispatch) or the 1st (monthly)"
    )
    formats: Annotated[list[Format], Field(min_length=1, max_length=2)] = ["pdf", "xlsx"]


class ReportOut(Schema):
    id: int
    unit_id: int
    unit_code: str
    unit_name: str
    kind: str
    period_start: date
    period_end: date
    format: str
    status: str
    generated_at: datetime | None
    by_schedule: bool
    requested_by: str | None
    size: int
    checksum: str
    error: str
    download_url: str | None
