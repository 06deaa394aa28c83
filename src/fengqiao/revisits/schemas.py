"""Payloads of the revisits API and services: input, partial update and output kept apart."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field, field_validator

from fengqiao.revisits.models import GRADES, LEVELS

Percent = Annotated[int, Field(ge=0, le=100)]
Shares = dict[str, dict[str, Percent]]


def check_shares(value: Shares) -> Shares:
    """Every level has a share for every grade, and nothing else."""
    if set(value) != set(LEVELS):
        raise ValueError(f"give a share for each level: {', '.join(LEVELS)}")
    for level, grades in value.items():
        if set(grades) != set(GRADES):
            raise ValueError(f"{level}: give a share for each grade: {', '.join(GRADES)}")
    return {level: {grade: value[level][grade] for grade in GRADES} for level in LEVELS}


class PlanIn(BaseModel):
    unit_id: int
    name: Annotated[str, Field(min_length=1, max_length=120)]
    amount_threshold: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
    people_threshold: Annotated[int, Field(ge=1, le=100000)]
    shares: Shares
    agreement_required: bool = False
    long_mediation_days: Annotated[int, Field(ge=1, le=3650)] = 60
    is_active: bool = True

    _shares = field_validator("shares")(check_shares)


class PlanPatch(BaseModel):
    version: int
    name: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    amount_threshold: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)] | None = None
    people_threshold: Annotated[int, Field(ge=1, le=100000)] | None = None
    shares: Shares | None = None
    agreement_required: bool | None = None
    long_mediation_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    is_active: bool | None = None

    @field_validator("shares")
    @classmethod
    def _shares(cls, value: Shares | None) -> Shares | None:
        return None if value is None else check_shares(value)


class PlanOut(BaseModel):
    id: int
    unit_id: int
    unit_name: str
    name: str
    amount_threshold: Decimal
    people_threshold: int
    shares: dict[str, dict[str, int]]
    agreement_required: bool
    long_mediation_days: int
    is_active: bool
    version: int


class DrawIn(BaseModel):
    plan_id: int
    period: Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
    seed: Annotated[int, Field(ge=0, le=2**62)] | None = None


class DrawOut(BaseModel):
    id: int
    plan_id: int
    unit_name: str
    period: str
    seed: int
    drawn_at: datetime
    drawn_by: str | None
    automatic: bool
    candidate_count: int
    sample_size: int
    sizes: dict[str, dict[str, dict[str, int]]]


class RevisitOut(BaseModel):
    id: int
    draw_id: int
    period: str
    case_id: int
    case_number: str
    case_title: str
    level: str
    grade: str
    assigned_to: str | None
    status: str
    reached: bool
    satisfied: bool | None
    agreement_performed: bool | None
    problem_found: str
    note: str
    revisited_at: datetime | None
    version: int


class PartyOut(BaseModel):
    name: str
    role: str
    phone: str
    masked: bool


class FlagOut(BaseModel):
    case_id: int
    case_number: str
    reason: str
    reason_label: str
    suggested: str
    suggested_label: str
    days: int | None


class RevisitDetailOut(RevisitOut):
    parties: list[PartyOut]
    flags: list[FlagOut]


class ResultIn(BaseModel):
    version: int
    reached: bool
    satisfied: bool | None = None
    agreement_performed: bool | None = None
    problem_found: Annotated[str, Field(max_length=4000)] = ""
    note: Annotated[str, Field(max_length=4000)] = ""
    reopen: bool = False


class ReferIn(BaseModel):
    version: int
    kind: str | None = None
    reason: Annotated[str, Field(max_length=2000)] = ""


class SatisfactionOut(BaseModel):
    unit_id: int
    satisfied: int
    reached: int
    rate: float | None


def plan_out(plan: Any) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "unit_id": plan.unit_id,
        "unit_name": plan.unit.name,
        "name": plan.name,
        "amount_threshold": plan.amount_threshold,
        "people_threshold": plan.people_threshold,
        "shares": plan.shares,
        "agreement_required": plan.agreement_required,
        "long_mediation_days": plan.long_mediation_days,
        "is_active": plan.is_active,
        "version": plan.version,
    }


def draw_out(draw: Any) -> dict[str, Any]:
    return {
        "id": draw.pk,
        "plan_id": draw.plan_id,
        "unit_name": draw.plan.unit.name,
        "period": draw.period,
        "seed": draw.seed,
        "drawn_at": draw.drawn_at,
        "drawn_by": draw.drawn_by.username if draw.drawn_by else None,
        "automatic": draw.automatic,
        "candidate_count": draw.candidate_count,
        "sample_size": draw.sample_size,
        "sizes": draw.sizes,
    }


def revisit_out(revisit: Any) -> dict[str, Any]:
    return {
        "id": revisit.pk,
        "draw_id": revisit.draw_id,
        "period": revisit.draw.period,
        "case_id": revisit.case_id,
        "case_number": revisit.case.number,
        "case_title": revisit.case.title,
        "level": revisit.level,
        "grade": revisit.grade,
        "assigned_to": revisit.assigned_to.username if revisit.assigned_to else None,
        "status": revisit.status,
        "reached": revisit.reached,
        "satisfied": revisit.satisfied,
        "agreement_performed": revisit.agreement_performed,
        "problem_found": revisit.problem_found,
        "note": revisit.note,
        "revisited_at": revisit.revisited_at,
        "version": revisit.version,
    }


def flag_out(flag: Any) -> dict[str, Any]:
    return {
        "case_id": flag.case.pk,
        "case_number": flag.case.number,
        "reason": flag.reason,
        "reason_label": str(flag.reason_label),
        "suggested": flag.suggested,
        "suggested_label": flag.suggested_label,
        "days": flag.days,
    }
