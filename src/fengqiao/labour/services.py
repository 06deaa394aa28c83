"""Every change to labour-dispute risk: imports, register edits, scoring.

Imports and edits each run in one transaction; the re-score an import calls for is queued in
that same transaction, so a rolled-back import never re-scores and a committed one always does.
Warnings are raised after the scores are committed (``labour.warnings``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.core.errors import Conflict, NotFound, ValidationFailed
from fengqiao.labour.complaints import complaint_counts
from fengqiao.labour.config import scoring_config
from fengqiao.labour.importer import CheckedBatch, RowChecker
from fengqiao.labour.indicators import COMPLAINTS
from fengqiao.labour.models import Employer, IndicatorSource, IndicatorValue, LabourScore
from fengqiao.labour.permissions import check_import, check_manage
from fengqiao.labour.scoring import score_of
from fengqiao.labour.selectors import employer_queryset

_BULK = 1000


@dataclass(frozen=True)
class ImportSummary:
    rows: int
    employers_created: int
    employers_updated: int
    values_created: int
    values_updated: int
    values_unchanged: int
    periods: list[date] = field(default_factory=list)

    def summary(self) -> str:
        months = ", ".join(f"{p:%Y-%m}" for p in self.periods) or "-"
        return _(
            "%(rows)d rows: %(ec)d employers registered, %(eu)d updated; indicator values "
            "%(vc)d new, %(vu)d changed, %(vn)d unchanged; months %(months)s"
        ) % {
            "rows": self.rows,
            "ec": self.employers_created,
            "eu": self.employers_updated,
            "vc": self.values_created,
            "vu": self.values_updated,
            "vn": self.values_unchanged,
            "months": months,
        }


def indicators_import(
    *,
    actor: Any,
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    by_index: bool = False,
    queue_rescore: bool = True,
) -> ImportSummary:
    """Check every row, then register employers and store their indicator values.

    ``actor`` None is the command line (the whole installation); a user imports into their own
    jurisdiction and must be an analyst or administrator. Raises ``ImportRejected`` (422, every
    problem with its line or index) and writes nothing when any row is wrong. A loader that
    scores the months itself right after (the demo) passes ``queue_rescore=False``.
    """
    if actor is not None:
        check_import(actor)
    return _write(RowChecker(actor, by_index=by_index).check_all(rows), queue_rescore)


@transaction.atomic
def _write(batch: CheckedBatch, queue_rescore: bool) -> ImportSummary:
    from fengqiao.labour.tasks import labour_refresh

    employers, created, updated = _write_employers(batch)
    ids = [e.pk for e in employers.values()]
    periods = sorted({period for _, period, _ in batch.values})
    existing = {
        (v.employer_id, v.period, v.indicator): v
        for v in IndicatorValue.objects.filter(employer_id__in=ids, period__in=periods)
    }
    new: list[IndicatorValue] = []
    changed: list[IndicatorValue] = []
    unchanged = 0
    now = timezone.now()
    for (code, period, indicator), value in batch.values.items():
        employer = employers[code]
        row = existing.get((employer.pk, period, indicator))
        if row is None:
            new.append(
                IndicatorValue(
                    employer=employer,
                    period=period,
                    indicator=indicator,
                    value=value,
                    source=IndicatorSource.IMPORT,
                )
            )
        elif row.value != value:
            row.value, row.updated_at = value, now
            changed.append(row)
        else:
            unchanged += 1
    IndicatorValue.objects.bulk_create(new, batch_size=_BULK)
    IndicatorValue.objects.bulk_update(changed, ["value", "updated_at"], batch_size=_BULK)
    if queue_rescore and (new or changed):
        labour_refresh.enqueue(period_isos=[p.isoformat() for p in periods])
    return ImportSummary(batch.rows, created, updated, len(new), len(changed), unchanged, periods)


def _write_employers(batch: CheckedBatch) -> tuple[dict[str, Employer], int, int]:
    employers: dict[str, Employer] = {}
    created = updated = 0
    for key, data in batch.employers.items():
        details = {k: v for k, v in data.details.items() if k != "unit_code"}
        if data.existing is None:
            assert data.unit is not None  # noqa: S101 - the checker requires a location
            employer = Employer(
                kind=data.kind, code=data.code, unit=data.unit, unit_path=data.unit.path
            )
            for name, value in details.items():
                setattr(employer, name, value)
            employer.save()
            created += 1
        else:
            employer = data.existing
            changes = {k: v for k, v in details.items() if getattr(employer, k) != v}
            if data.unit is not None and data.unit.pk != employer.unit_id:
                changes.update(unit=data.unit, unit_path=data.unit.path)
            if changes:
                for name, value in changes.items():
                    setattr(employer, name, value)
                employer.version += 1
                employer.save()
                updated += 1
        employers[key] = employer
    return employers, created, updated


EDITABLE = ("name", "industry", "address", "workers", "contractor", "is_active")


@transaction.atomic
def employer_update(
    *, actor: Any, employer_id: int, expected_version: int, changes: Mapping[str, Any]
) -> Employer:
    """Edit an employer's details (a stale ``expected_version`` is a 409)."""
    check_manage(actor)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(_("this field cannot be edited"), field=sorted(unknown)[0])
    employer = employer_queryset(actor).filter(pk=employer_id).first()
    if employer is None:
        raise NotFound(_("employer not found"))
    done = Employer.objects.filter(pk=employer_id, version=expected_version).update(
        **changes, version=F("version") + 1, updated_at=timezone.now()
    )
    if not done:
        raise Conflict(_("the employer was changed by someone else; reload and try again"))
    employer.refresh_from_db()
    return employer


@dataclass(frozen=True)
class ScoreRun:
    period: date
    scored: int
    by_colour: dict[str, int]


@transaction.atomic
def scores_compute(*, period: date) -> ScoreRun:
    """Score every active employer for the month: refresh its earlier-complaints count from
    the cases, then Σ weight × normalised value per the configuration in force."""
    config = scoring_config()
    employers = list(Employer.objects.filter(is_active=True))
    counts = complaint_counts(
        employers, [period], prefix=config.complaint_prefix, window=config.complaint_months
    )
    _store_complaints(employers, period, counts)
    values: dict[int, dict[str, float]] = {}
    for employer_id, indicator, value in IndicatorValue.objects.filter(
        period=period, employer__is_active=True
    ).values_list("employer_id", "indicator", "value"):
        values.setdefault(employer_id, {})[indicator] = value
    existing = {s.employer_id: s for s in LabourScore.objects.filter(period=period)}
    now = timezone.now()
    new: list[LabourScore] = []
    changed: list[LabourScore] = []
    tally: Counter[str] = Counter()
    for employer in employers:
        scored = score_of(config, employer.kind, values.get(employer.pk, {}))
        tally[scored.colour] += 1
        contributions = [c.as_json() for c in scored.contributions]
        row = existing.get(employer.pk)
        if row is None:
            row = LabourScore(employer=employer, period=period)
            new.append(row)
        else:
            changed.append(row)
        row.score, row.colour, row.contributions = scored.score, scored.colour, contributions
        row.config_digest, row.computed_at = config.digest, now
    LabourScore.objects.bulk_create(new, batch_size=_BULK)
    LabourScore.objects.bulk_update(
        changed,
        ["score", "colour", "contributions", "config_digest", "computed_at"],
        batch_size=_BULK,
    )
    return ScoreRun(period, len(employers), dict(tally))


def _store_complaints(
    employers: list[Employer], period: date, counts: Mapping[tuple[int, date], int]
) -> None:
    existing = {
        v.employer_id: v for v in IndicatorValue.objects.filter(period=period, indicator=COMPLAINTS)
    }
    new: list[IndicatorValue] = []
    changed: list[IndicatorValue] = []
    now = timezone.now()
    for employer in employers:
        count = float(counts.get((employer.pk, period), 0))
        row = existing.get(employer.pk)
        if row is None:
            new.append(
                IndicatorValue(
                    employer=employer,
                    period=period,
                    indicator=COMPLAINTS,
                    value=count,
                    source=IndicatorSource.CASES,
                )
            )
        elif row.value != count:
            row.value, row.updated_at = count, now
            changed.append(row)
    IndicatorValue.objects.bulk_create(new, batch_size=_BULK)
    IndicatorValue.objects.bulk_update(changed, ["value", "updated_at"], batch_size=_BULK)


@dataclass(frozen=True)
class RefreshResult:
    runs: list[ScoreRun]
    warnings: int


def latest_period() -> date | None:
    """The latest month with imported data: the one the list and the warnings are about."""
    return (
        IndicatorValue.objects.filter(source=IndicatorSource.IMPORT)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )


def labour_refresh(*, periods: Iterable[date]) -> RefreshResult:
    """Re-score the months (one transaction each), then raise warnings for the latest month
    when it was among them. Used after an import (queued) and on demand."""
    from fengqiao.labour.warnings import labour_warnings_raise

    months = sorted(set(periods))
    runs = [scores_compute(period=month) for month in months]
    latest = latest_period()
    raised = labour_warnings_raise(period=latest) if latest is not None and latest in months else 0
    return RefreshResult(runs, raised)


def labour_recompute(*, actor: Any, period: date | None = None) -> RefreshResult:
    """On demand: re-score one month (default: the latest) for an analyst or administrator."""
    check_manage(actor)
    month = period or latest_period()
    if month is None:
        raise ValidationFailed(_("there is no labour data to score yet"), field="period")
    return labour_refresh(periods=[month])
