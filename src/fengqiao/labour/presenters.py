"""Scores as the pages and the API show them: labelled contributions, bars, explanations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fengqiao.labour.indicators import INDICATORS
from fengqiao.labour.models import Employer, LabourScore
from fengqiao.labour.scoring import explanation

# One colour per indicator, the same on every bar, chart and legend.
PALETTE = {
    "wage_delay_days": "#c62828",
    "wage_delay_workers": "#ef6c00",
    "social_insurance_months": "#6a1b9a",
    "utility_arrears_months": "#00838f",
    "progress_overdue_amount": "#1f4e8c",
    "progress_overdue_days": "#5b7fb9",
    "complaints_12m": "#8d6e63",
}


@dataclass(frozen=True)
class ContributionRow:
    code: str
    label: str
    unit: str
    value: float | None
    shown: str  # the value as people read it, "—" when not reported
    normalised: float
    weight: float
    points: float
    colour: str


def contribution_rows(score: LabourScore) -> list[ContributionRow]:
    rows = []
    for item in score.contributions:
        spec = INDICATORS.get(item["indicator"])
        if spec is None:
            continue  # an indicator dropped from the catalogue since this score was stored
        value = item["value"]
        rows.append(
            ContributionRow(
                code=spec.code,
                label=str(spec.label),
                unit=str(spec.unit),
                value=value,
                shown="—" if value is None else spec.show(float(value)),
                normalised=item["normalised"],
                weight=item["weight"],
                points=item["points"],
                colour=PALETTE.get(spec.code, "#777"),
            )
        )
    return rows


def legend() -> list[dict[str, str]]:
    return [
        {"code": code, "label": str(spec.label), "unit": str(spec.unit), "colour": PALETTE[code]}
        for code, spec in INDICATORS.items()
    ]


def employer_out(employer: Employer) -> dict[str, Any]:
    return {
        "id": employer.pk,
        "kind": employer.kind,
        "code": employer.code,
        "name": employer.name,
        "industry": employer.industry,
        "address": employer.address,
        "lng": employer.lng,
        "lat": employer.lat,
        "unit_id": employer.unit_id,
        "unit_name": employer.unit.name,
        "workers": employer.workers,
        "contractor": employer.contractor,
        "contractor_code": employer.contractor_code,
        "is_active": employer.is_active,
        "version": employer.version,
    }


def score_out(score: LabourScore, rank: int | None = None) -> dict[str, Any]:
    return {
        "rank": rank,
        "employer": employer_out(score.employer),
        "period": score.period,
        "score": score.score,
        "colour": score.colour,
        "explanation": explanation(score.contributions),
        "contributions": [
            {
                "indicator": row.code,
                "label": row.label,
                "value": row.value,
                "normalised": row.normalised,
                "weight": row.weight,
                "points": row.points,
            }
            for row in contribution_rows(score)
        ],
        "computed_at": score.computed_at,
    }
