"""Changes made by the service circle: populations of units (imported from CSV) and the weekly
opening hours of stations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.accounts.models import Role
from fengqiao.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fengqiao.orgs.models import OrgUnit, Station
from fengqiao.service_circle.hours import ScheduleInvalid, parse_schedule

EDIT_ROLES = frozenset({Role.ADMIN, Role.CLERK})


@dataclass(frozen=True)
class PopulationRow:
    line: int
    unit_code: str
    population: int | None  # None: unknown (clears a stored figure)


@dataclass(frozen=True)
class PopulationIssue:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.line}: {self.field}: {self.message}"


class PopulationRejected(Exception):
    """Nothing was written; ``issues`` name each problem by line."""

    def __init__(self, issues: list[PopulationIssue]) -> None:
        super().__init__(f"{len(issues)} problem(s)")
        self.issues = issues


@dataclass(frozen=True)
class PopulationImportResult:
    rows: int
    changed: int
    dry_run: bool

    def summary(self) -> str:
        verb = "would change" if self.dry_run else "changed"
        return f"{self.rows} rows checked, {verb} {self.changed} unit populations"


def population_import(
    *, actor: Any, rows: list[PopulationRow], dry_run: bool = False
) -> PopulationImportResult:
    """Set each unit's population; every row is checked first and nothing is written on error.

    ``actor`` None is the command line (the whole city); a user may only set units they see.
    """
    scope = OrgUnit.objects.all() if actor is None else Jurisdiction.of(actor).units()
    codes = {row.unit_code for row in rows}
    units = {u.code: u for u in scope.filter(code__in=codes)}
    issues: list[PopulationIssue] = []
    seen: dict[str, int] = {}
    for row in rows:
        if row.unit_code in seen:
            issues.append(
                PopulationIssue(
                    row.line, "unit_code", f"repeats line {seen[row.unit_code]} ({row.unit_code})"
                )
            )
            continue
        seen[row.unit_code] = row.line
        if row.unit_code not in units:
            issues.append(PopulationIssue(row.line, "unit_code", f"unknown unit {row.unit_code}"))
    if issues:
        raise PopulationRejected(issues)
    now = timezone.now()
    changed = []
    for row in rows:
        unit = units[row.unit_code]
        if unit.population != row.population:
            unit.population, unit.updated_at = row.population, now
            changed.append(unit)
    if not dry_run and changed:
        with transaction.atomic():
            # updated_at moves too: it is the version the coverage and other caches follow.
            OrgUnit.objects.bulk_update(changed, ["population", "updated_at"], batch_size=1000)
    return PopulationImportResult(rows=len(rows), changed=len(changed), dry_run=dry_run)


@transaction.atomic
def station_set_hours(
    *, actor: Any, station_id: int, schedule: Any, opening_hours: str | None, updated_at: datetime
) -> Station:
    """Replace a station's weekly hours (and optionally its display text).

    ``updated_at`` is the version the editor saw; a station changed since is a 409.
    """
    station = (
        Jurisdiction.of(actor)
        .stations()
        .select_for_update()
        .select_related("org_unit")
        .filter(pk=station_id)
        .first()
    )
    if station is None:
        raise NotFound("station not found")
    if not (actor.is_superuser or actor.role in EDIT_ROLES):
        raise PermissionDenied("only clerks and administrators edit opening hours")
    try:
        parse_schedule(schedule)
    except ScheduleInvalid as exc:
        raise ValidationFailed(
            str(exc),
            field="opening_schedule",
            errors=[
                {"field": f"opening_schedule.{i.field}", "message": i.message} for i in exc.issues
            ],
        ) from exc
    # JSON carries milliseconds (Django's encoder), so versions are compared at that precision.
    if _millis(station.updated_at) != _millis(updated_at):
        raise Conflict("the station was changed by someone else; reload and try again")
    station.opening_schedule = schedule
    fields = ["opening_schedule", "updated_at"]
    if opening_hours is not None:
        station.opening_hours = opening_hours[:100]
        fields.append("opening_hours")
    station.save(update_fields=fields)
    return station


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
