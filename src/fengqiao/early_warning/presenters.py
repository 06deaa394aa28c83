"""Warnings and risk points as the API and the pages show them (phones masked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from fengqiao.cases.pii import mask_phone
from fengqiao.early_warning.models import RiskPoint, Warning, WarningEvent
from fengqiao.early_warning.states import OPEN_STATUSES


def is_overdue(warning: Warning, now: datetime | None = None) -> bool:
    return (
        warning.status in OPEN_STATUSES
        and warning.deadline is not None
        and warning.deadline < (now or timezone.now())
    )


def warning_out(warning: Warning) -> dict[str, Any]:
    return {
        "id": warning.pk,
        "rule_code": warning.rule.code,
        "rule_name": warning.rule.name,
        "subject_key": warning.subject_key,
        "status": warning.status,
        "colour": warning.colour,
        "title": warning.title,
        "explanation": warning.explanation,
        "value": warning.value,
        "fire_count": warning.fire_count,
        "first_fired_at": warning.first_fired_at,
        "last_fired_at": warning.last_fired_at,
        "unit_id": warning.unit_id,
        "unit_name": warning.unit.name,
        "assigned_unit_id": warning.assigned_unit_id,
        "assigned_unit_name": warning.assigned_unit.name if warning.assigned_unit else None,
        "assigned_at": warning.assigned_at,
        "deadline": warning.deadline,
        "overdue": is_overdue(warning),
        "risk_point_id": warning.risk_point_id,
        "case_id": warning.case_id,
        "version": warning.version,
    }


@dataclass(frozen=True)
class Step:
    """One timeline event, with the minutes since the warning was raised and since the step
    before: the timings the septic-tank story is judged by."""

    event: WarningEvent
    since_raised: float
    since_previous: float | None

    @property
    def kind_label(self) -> str:
        return str(self.event.get_kind_display())


def timeline_steps(warning: Warning, events: list[WarningEvent]) -> list[Step]:
    steps: list[Step] = []
    previous: datetime | None = None
    for event in events:
        since_raised = (event.at - warning.first_fired_at).total_seconds() / 60
        since_previous = (event.at - previous).total_seconds() / 60 if previous else None
        steps.append(Step(event, round(since_raised, 1), since_previous))
        previous = event.at
    return steps


def event_out(step: Step) -> dict[str, Any]:
    event = step.event
    return {
        "at": event.at,
        "actor": str(event.actor) if event.actor else None,
        "kind": event.kind,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "message": event.message,
        "minutes_since_raised": step.since_raised,
    }


def point_out(point: RiskPoint) -> dict[str, Any]:
    return {
        "id": point.pk,
        "code": point.code,
        "name": point.name,
        "point_type": point.point_type,
        "lng": point.lng,
        "lat": point.lat,
        "grid_id": point.grid_id,
        "grid_name": point.grid.name,
        "address": point.address,
        "owner_org": point.owner_org,
        "owner_contact": point.owner_contact,
        "owner_phone": mask_phone(point.owner_phone) if point.owner_phone else "",
        "maintenance_interval_days": point.maintenance_interval_days,
        "last_maintained_on": point.last_maintained_on,
        "maintenance_due_on": point.maintenance_due_on,
        "is_active": point.is_active,
        "version": point.version,
    }
