"""Typed inputs and outputs of the labour-risk API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

Text = Annotated[str, Field(max_length=255)]
Value = Annotated[float, Field(ge=0)]


class IndicatorRowIn(BaseModel):
    """One employer and month; employer details register a new employer or update one."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: Annotated[str, Field(min_length=1, max_length=40)]
    period: Annotated[str, Field(min_length=4, max_length=16, description="month, e.g. 2025-03")]
    kind: Annotated[str, Field(max_length=16, description="enterprise or project")] = ""
    name: Annotated[str, Field(max_length=200)] = ""
    industry: Annotated[str, Field(max_length=64)] = ""
    address: Text = ""
    lng: float | None = None
    lat: float | None = None
    unit_code: Annotated[str, Field(max_length=15)] = ""
    workers: Annotated[int, Field(ge=0)] | None = None
    contractor: Annotated[str, Field(max_length=200)] = ""
    contractor_code: Annotated[str, Field(max_length=18)] = ""
    wage_delay_days: Value | None = None
    wage_delay_workers: Value | None = None
    social_insurance_months: Value | None = None
    utility_arrears_months: Value | None = None
    progress_overdue_amount: Value | None = None
    progress_overdue_days: Value | None = None

    def as_cells(self) -> dict[str, str]:
        """The row as an import's cells (the checker reads files and JSON alike)."""
        return {
            key: ("" if value is None else str(value)) for key, value in self.model_dump().items()
        }


class ImportOut(BaseModel):
    rows: int
    employers_created: int
    employers_updated: int
    values_created: int
    values_updated: int
    values_unchanged: int
    periods: list[date]
    summary: str


class ComputeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: Annotated[str, Field(max_length=16)] = ""


class RunOut(BaseModel):
    period: date
    scored: int
    by_colour: dict[str, int]


class ComputeOut(BaseModel):
    runs: list[RunOut]
    warnings: int


class ContributionOut(BaseModel):
    indicator: str
    label: str
    value: float | None
    normalised: float
    weight: float
    points: float


class EmployerOut(BaseModel):
    id: int
    kind: str
    code: str
    name: str
    industry: str
    address: str
    lng: float | None
    lat: float | None
    unit_id: int
    unit_name: str
    workers: int
    contractor: str
    contractor_code: str
    is_active: bool
    version: int


class ScoreOut(BaseModel):
    rank: int | None = None
    employer: EmployerOut
    period: date
    score: float
    colour: str
    explanation: str
    contributions: list[ContributionOut]
    computed_at: datetime


class HistoryOut(BaseModel):
    periods: list[date]
    series: dict[str, list[float | None]]
    scores: list[float | None]


class EmployerDetailOut(EmployerOut):
    latest: ScoreOut | None
    history: HistoryOut


class EmployerUpdateIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    version: int
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    industry: Annotated[str, Field(max_length=64)] | None = None
    address: Text | None = None
    workers: Annotated[int, Field(ge=0, le=1_000_000)] | None = None
    contractor: Annotated[str, Field(max_length=200)] | None = None
    is_active: bool | None = None

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, exclude={"version"})
