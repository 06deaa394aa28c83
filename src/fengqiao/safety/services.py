"""Changes to the index data: importing indicator values (CSV, API), and what follows an import.

Every row is checked before anything is written; one bad row rejects the whole batch with each
problem named (row position, field, message), so a half-imported month never skews the index.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.core.errors import Conflict, PermissionDenied, ValidationFailed
from fengqiao.orgs.models import OrgUnit
from fengqiao.safety.compute import INDEX_LEVELS, may_configure
from fengqiao.safety.config import index_settings
from fengqiao.safety.models import IndexSettings, Indicator, IndicatorValue, ValueSource
from fengqiao.safety.periods import Period

FIELDS = ("unit_code", "period", "indicator", "value")
# Values are counts, rates, amounts or percentages: none is negative, a percentage ≤ 100.
PERCENT = "%"


@dataclass(frozen=True)
class RowIssue:
    index: int  # position of the row in the batch (0-based)
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "field": self.field, "message": self.message}


class ValuesRejected(ValidationFailed):
    """422 listing every problem; nothing was written."""

    def __init__(self, issues: list[RowIssue]) -> None:
        first = issues[0]
        super().__init__(
            f"{len(issues)} problem(s); nothing was imported. First: row {first.index}: "
            f"{first.field}: {first.message}",
            field=first.field,
            errors=[issue.as_dict() for issue in issues],
        )
        self.issues = issues


@dataclass(frozen=True)
class ValuesImportResult:
    created: int
    updated: int
    periods: tuple[str, ...]
    dry_run: bool = False

    def summary(self) -> str:
        verb = "would import" if self.dry_run else "imported"
        return (
            f"{verb} {self.created + self.updated} values ({self.created} new, {self.updated} "
            f"replaced) for {', '.join(self.periods) or 'no period'}"
        )


def _parse_value(raw: Any) -> float:
    if isinstance(raw, bool):
        raise ValueError
    if isinstance(raw, int | float):
        return float(raw)
    text = str(raw).strip().replace(",", "")
    if not text:
        raise ValueError
    return float(text)


@dataclass(frozen=True)
class _Valid:
    unit_id: int
    indicator_id: int
    period: str
    value: float


def _validate(
    rows: list[dict[str, Any]], jurisdiction: Jurisdiction | None
) -> tuple[list[_Valid], list[RowIssue]]:
    codes = {str(row.get("unit_code") or "").strip() for row in rows}
    units = {
        u.code: u
        for u in OrgUnit.objects.filter(code__in=codes, level__in=INDEX_LEVELS).only(
            "pk", "code", "path", "level"
        )
    }
    indicators = {i.code: i for i in Indicator.objects.filter(is_active=True)}
    today = timezone.localdate()
    seen: dict[tuple[int, int, str], int] = {}
    valid: list[_Valid] = []
    issues: list[RowIssue] = []
    for n, row in enumerate(rows):
        problems: list[tuple[str, str]] = []
        unknown = sorted(set(row) - set(FIELDS))
        if unknown:
            problems.append((unknown[0], "unknown field"))
        code = str(row.get("unit_code") or "").strip()
        unit = units.get(code)
        if not code:
            problems.append(("unit_code", "required"))
        elif unit is None or (jurisdiction is not None and not jurisdiction.covers_path(unit.path)):
            # Same answer for a unit outside the jurisdiction as for one that does not exist.
            problems.append(("unit_code", f"no township or village with code {code!r}"))
        period: Period | None = None
        try:
            period = Period.parse(str(row.get("period") or ""))
            if period.is_future(today):
                problems.append(("period", "lies in the future"))
        except ValueError as exc:
            problems.append(("period", f"expected {exc}"))
        indicator_code = str(row.get("indicator") or "").strip().upper()
        indicator = indicators.get(indicator_code)
        if not indicator_code:
            problems.append(("indicator", "required"))
        elif indicator is None:
            problems.append(("indicator", f"no active indicator {indicator_code!r}"))
        elif not indicator.is_imported:
            problems.append(
                (
                    "indicator",
                    f"{indicator_code} is computed from Fengqiao's records ({indicator.source})",
                )
            )
        value = math.nan
        try:
            value = _parse_value(row.get("value"))
            if not math.isfinite(value):
                raise ValueError
        except (TypeError, ValueError):
            problems.append(("value", "a number is required"))
        else:
            if value < 0:
                problems.append(("value", "must not be negative"))
            elif indicator is not None and indicator.unit == PERCENT and value > 100:
                problems.append(("value", "a percentage must not exceed 100"))
        if not problems and unit is not None and indicator is not None and period is not None:
            key = (unit.pk, indicator.pk, period.label)
            if key in seen:
                problems.append(("indicator", f"repeats row {seen[key]} for this unit and period"))
            else:
                seen[key] = n
                valid.append(_Valid(unit.pk, indicator.pk, period.label, value))
        issues += [RowIssue(n, f, m) for f, m in problems]
    return valid, issues


def values_import(
    *,
    actor: Any | None,
    rows: list[dict[str, Any]],
    source: str = ValueSource.API,
    dry_run: bool = False,
    recompute: bool = True,
) -> ValuesImportResult:
    """Insert or replace indicator values per (unit, indicator, period), all or nothing.

    ``actor`` ``None`` is the command line (an operator on the server, trusted with every unit);
    a person must be an analyst and may only import for units in their jurisdiction. The periods
    touched are recomputed in the background once the import commits.
    """
    jurisdiction = None
    if actor is not None:
        if not may_configure(actor):
            raise PermissionDenied("only analysts import indicator values")
        jurisdiction = Jurisdiction.of(actor)
    if not rows:
        raise ValidationFailed("no rows to import", field="rows")
    valid, issues = _validate(rows, jurisdiction)
    if issues:
        raise ValuesRejected(issues)
    periods = tuple(sorted({v.period for v in valid}))
    if dry_run:
        return ValuesImportResult(len(valid), 0, periods, dry_run=True)
    with transaction.atomic(durable=True):
        existing = {
            (v.unit_id, v.indicator_id, v.period): v
            for v in IndicatorValue.objects.select_for_update().filter(
                period__in=periods,
                unit_id__in={v.unit_id for v in valid},
                indicator_id__in={v.indicator_id for v in valid},
            )
        }
        now = timezone.now()
        actor_id = getattr(actor, "pk", None)
        changed: list[IndicatorValue] = []
        new: list[IndicatorValue] = []
        for v in valid:
            current = existing.get((v.unit_id, v.indicator_id, v.period))
            if current is not None:
                current.value, current.source, current.imported_by_id = v.value, source, actor_id
                current.updated_at = now
                changed.append(current)
            else:
                new.append(
                    IndicatorValue(
                        unit_id=v.unit_id,
                        indicator_id=v.indicator_id,
                        period=v.period,
                        value=v.value,
                        source=source,
                        imported_by_id=actor_id,
                    )
                )
        IndicatorValue.objects.bulk_update(
            changed, ["value", "source", "imported_by", "updated_at"], batch_size=1000
        )
        IndicatorValue.objects.bulk_create(new, batch_size=1000)
        if recompute:
            from fengqiao.safety.tasks import safety_index_compute

            # Enqueued in the same transaction (durable queue): a rolled-back import recomputes
            # nothing, a committed one always is.
            for period in periods:
                safety_index_compute.enqueue(period=period)
    return ValuesImportResult(len(new), len(changed), periods)


SETTINGS_FIELDS = (
    "red_below",
    "orange_below",
    "yellow_below",
    "zscore_clip",
    "negative_include_red",
    "negative_bottom_n",
    "reason_count",
)


@transaction.atomic(durable=True)
def index_settings_update(*, actor: Any, version: int, changes: dict[str, Any]) -> IndexSettings:
    """Change colour thresholds or the negative-list rule (analysts). ``version`` is the one the
    form was read at: if someone saved since, nothing changes (409). Takes effect at the next
    computation."""
    if not may_configure(actor):
        raise PermissionDenied("only analysts change the index settings")
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValidationFailed(f"unknown setting {sorted(unknown)[0]!r}", field=sorted(unknown)[0])
    current = index_settings()
    updated = IndexSettings(
        pk=current.pk,
        version=current.version,
        **{name: changes.get(name, getattr(current, name)) for name in SETTINGS_FIELDS},
    )
    try:
        updated.full_clean(validate_unique=False, validate_constraints=False)
    except DjangoValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ValidationFailed(f"{field}: {messages[0]}", field=field) from exc
    rows = IndexSettings.objects.filter(pk=current.pk, version=version).update(
        **{name: getattr(updated, name) for name in SETTINGS_FIELDS},
        version=version + 1,
        updated_at=timezone.now(),
    )
    if rows == 0:
        raise Conflict("the settings were changed meanwhile; reload and try again")
    return IndexSettings.objects.get(pk=current.pk)
