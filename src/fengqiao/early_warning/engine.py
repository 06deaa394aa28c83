"""The early-warning engine: signal batches (``evaluate_batch``) and the periodic ``sweep``.

``evaluate_batch`` runs in one transaction that starts by inserting the batch's
``BatchEvaluation`` mark: a second evaluation of the same batch (a retried task, a worker killed
after committing, two workers racing) finds the mark and changes nothing, while a run killed
before committing leaves neither mark nor warnings behind, so the retry does all of it once.

``sweep`` handles what no signal announces: silent devices, maintenance past due, and clusters of
cases. A condition that persists is one episode, not a new fire every minute, so each candidate
carries the episode in its subject key (the due date, the last signal) and is skipped when a
warning for it exists already.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from fengqiao.core.text import system_text
from fengqiao.early_warning import core
from fengqiao.early_warning.models import (
    BatchEvaluation,
    Device,
    RiskPoint,
    RiskPointType,
    RuleKind,
    Warning,
    WarningRule,
)
from fengqiao.early_warning.services import warning_raise
from fengqiao.early_warning.states import OPEN_STATUSES
from fengqiao.orgs.models import OrgUnit

logger = logging.getLogger(__name__)

TYPE_CODES = {value: code for code, value in enumerate(RiskPointType.values)}
_NO_TYPE = len(TYPE_CODES)  # the extra slot of ``core.types_table``: a device with no point


def _types(rule: WarningRule) -> np.ndarray | None:
    if not rule.point_types:
        return None
    return core.types_table([TYPE_CODES[t] for t in rule.point_types], len(TYPE_CODES))


def _epoch(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else np.nan


def _at(ts: float) -> datetime:
    return datetime.fromtimestamp(float(ts), tz=timezone.get_current_timezone())


def _fmt(value: float) -> str:
    return f"{value:.4g}"


# --- signal batches ------------------------------------------------------------------------


def evaluate_batch(batch_id: int) -> int:
    """Evaluate one stored signal batch; returns how many warnings it raised or updated."""
    from fengqiao.signals.models import Signal, SignalBatch

    with transaction.atomic():
        try:
            with transaction.atomic():
                mark = BatchEvaluation.objects.create(batch_id=batch_id)
        except IntegrityError:
            return 0
        rows = list(
            Signal.objects.filter(batch_id=batch_id)
            .order_by("pk")
            .values_list("device_id", "source", "kind", "value", "grid_id", "observed_at")
        )
        raised = _evaluate_rows(rows) if rows else 0
        mark.signals, mark.warnings = len(rows), raised
        mark.save(update_fields=["signals", "warnings"])
        SignalBatch.objects.filter(pk=batch_id, evaluated_at__isnull=True).update(
            evaluated_at=timezone.now()
        )
    return raised


def _devices_for(rows: list[tuple[Any, ...]]) -> dict[str, Device]:
    """The batch's devices, registering the unknown ones (unlinked) so they are remembered."""
    first: dict[str, tuple[str, str]] = {}
    for device_id, source, kind, *_rest in rows:
        first.setdefault(device_id, (source, kind))
    known = {
        d.device_id: d
        for d in Device.objects.select_related("risk_point", "risk_point__grid").filter(
            device_id__in=list(first)
        )
    }
    missing = [d for d in first if d not in known]
    if missing:
        # A point registered under this code stands for itself: "point or device id" in a signal.
        points = {p.code: p for p in RiskPoint.objects.filter(code__in=missing)}
        Device.objects.bulk_create(
            [
                Device(
                    device_id=d,
                    source=first[d][0][:64],
                    kind=first[d][1][:40],
                    risk_point=points.get(d),
                )
                for d in missing
            ],
            ignore_conflicts=True,
        )
        known.update(
            (d.device_id, d)
            for d in Device.objects.select_related("risk_point", "risk_point__grid").filter(
                device_id__in=missing
            )
        )
    return known


@dataclass(frozen=True)
class _Batch:
    devices: list[Device]
    signals: core.Signals
    grid_ids: list[int | None]


def _arrays(rows: list[tuple[Any, ...]], known: dict[str, Device], kinds: dict[str, int]) -> _Batch:
    devices = list(known.values())
    position = {d.device_id: i for i, d in enumerate(devices)}
    signals = core.Signals(
        device=np.array([position[r[0]] for r in rows], dtype=np.int64),
        kind=np.array([kinds.get(r[2], -1) for r in rows], dtype=np.int64),
        value=np.array([np.nan if r[3] is None else r[3] for r in rows], dtype=np.float64),
        ts=np.array([r[5].timestamp() for r in rows], dtype=np.float64),
    )
    return _Batch(devices, signals, [r[4] for r in rows])


def _evaluate_rows(rows: list[tuple[Any, ...]]) -> int:
    known = _devices_for(rows)
    rules = [
        r
        for r in WarningRule.objects.filter(is_active=True).exclude(signal_kind="")
        if r.kind in {RuleKind.OVER, RuleKind.UNDER, RuleKind.RATE_OF_CHANGE}
        or r.kind == RuleKind.MAINTENANCE_OVERDUE
    ]
    kinds = {kind: code for code, kind in enumerate(sorted({r[2] for r in rows}))}
    batch = _arrays(rows, known, kinds)
    devices = core.Devices(
        point_type=np.array(
            [
                TYPE_CODES[d.risk_point.point_type] if d.risk_point else _NO_TYPE
                for d in batch.devices
            ],
            dtype=np.int64,
        ),
        kind=np.array([kinds.get(d.kind, -1) for d in batch.devices], dtype=np.int64),
        prev_value=np.array(
            [np.nan if d.last_value is None else d.last_value for d in batch.devices]
        ),
        prev_ts=np.array([_epoch(d.last_seen_at) for d in batch.devices]),
    )
    ops: dict[str, int] = {
        RuleKind.OVER: core.OVER,
        RuleKind.UNDER: core.UNDER,
        RuleKind.RATE_OF_CHANGE: core.RATE,
    }
    specs = [
        core.SignalRule(
            index=i,
            # A maintenance rule with a signal type fires on "days overdue" above its threshold.
            op=ops.get(rule.kind, core.OVER),
            kind=kinds[rule.signal_kind],
            threshold=rule.threshold if rule.threshold is not None else 0.0,
            types=_types(rule),
        )
        for i, rule in enumerate(rules)
        if rule.signal_kind in kinds
    ]
    raised = 0
    for hits in core.evaluate_signals(batch.signals, devices, specs):
        rule = rules[hits.rule]
        for device_index, value, ts in zip(
            hits.device.tolist(), hits.value.tolist(), hits.ts.tolist(), strict=True
        ):
            device = batch.devices[device_index]
            grid_id = _grid_of_signal(batch, device_index)
            if _raise_for_device(rule, device, value, _at(ts), grid_id):
                raised += 1
    _remember_latest(batch)
    return raised


def _grid_of_signal(batch: _Batch, device_index: int) -> int | None:
    positions = np.flatnonzero(batch.signals.device == device_index)
    for position in positions[::-1].tolist():
        grid_id: int | None = batch.grid_ids[position]
        if grid_id is not None:
            return grid_id
    return None


def _remember_latest(batch: _Batch) -> None:
    """Each device's newest reading becomes its last value (an older batch never overwrites)."""
    sig = batch.signals
    order = np.lexsort((sig.ts, sig.device))
    last = np.empty(order.size, dtype=bool)
    devs = sig.device[order]
    last[:-1] = devs[1:] != devs[:-1]
    last[-1] = True
    changed = []
    for position in order[last].tolist():
        device = batch.devices[int(sig.device[position])]
        seen = _at(sig.ts[position])
        if device.last_seen_at is None or seen > device.last_seen_at:
            device.last_seen_at = seen
            value = sig.value[position]
            # A reading without a value (an event) leaves no number to compare the next one with.
            device.last_value = None if np.isnan(value) else float(value)
            changed.append(device)
    Device.objects.bulk_update(changed, ["last_seen_at", "last_value"], batch_size=1000)


def _raise_for_device(
    rule: WarningRule, device: Device, value: float, at: datetime, grid_id: int | None
) -> bool:
    point = device.risk_point
    lng: float | None
    lat: float | None
    if point is not None:
        unit: OrgUnit | None = point.grid
        subject = f"point:{point.code}"
        place = point.name
        lng, lat = point.lng, point.lat
    else:
        unit = OrgUnit.objects.filter(pk=grid_id).first() if grid_id else None
        subject = f"device:{device.device_id}"
        place = device.device_id
        lng = lat = None
    if unit is None:
        logger.warning("rule %s fired for device %s, which has no place", rule.code, device)
        return False
    if rule.kind == RuleKind.MAINTENANCE_OVERDUE and point is not None:
        subject = _maintenance_subject(point)
        explanation = system_text(
            gettext_noop("%(device)s reports maintenance %(days)s days overdue"),
            device=device.device_id,
            days=_fmt(value),
        )
    elif rule.kind == RuleKind.RATE_OF_CHANGE:
        explanation = system_text(
            gettext_noop(
                "%(kind)s changes by %(rate)s per hour (threshold %(threshold)s), %(device)s"
            ),
            kind=rule.signal_kind,
            rate=_fmt(value),
            threshold=_fmt(rule.threshold or 0),
            device=device.device_id,
        )
    else:
        message = (
            gettext_noop("%(kind)s %(value)s above the threshold %(threshold)s, %(device)s")
            if rule.kind != RuleKind.UNDER
            else gettext_noop("%(kind)s %(value)s below the threshold %(threshold)s, %(device)s")
        )
        explanation = system_text(
            message,
            kind=rule.signal_kind,
            value=_fmt(value),
            threshold=_fmt(rule.threshold or 0),
            device=device.device_id,
        )
    warning_raise(
        rule_code=rule.code,
        subject_key=subject,
        unit=unit,
        colour=rule.colour,
        title=f"{place}：{rule.name}",
        explanation=explanation,
        value=value,
        lng=lng,
        lat=lat,
        risk_point=point,
        fired_at=at,
    )
    return True


def _maintenance_subject(point: RiskPoint) -> str:
    due = point.maintenance_due_on
    return f"point:{point.code}:due:{due.isoformat()}" if due else f"point:{point.code}"


# --- the periodic sweep --------------------------------------------------------------------


def sweep(now: datetime | None = None) -> int:
    """Silence, maintenance overdue and case-count rules; returns how many warnings it raised."""
    now = now or timezone.now()
    rules = list(
        WarningRule.objects.filter(
            is_active=True,
            kind__in=[RuleKind.SILENCE, RuleKind.MAINTENANCE_OVERDUE, RuleKind.CASE_COUNT],
        ).select_related("category")
    )
    raised = 0
    for rule in rules:
        if rule.kind == RuleKind.SILENCE:
            raised += _sweep_silence(rule, now)
        elif rule.kind == RuleKind.MAINTENANCE_OVERDUE:
            raised += _sweep_maintenance(rule, now)
        else:
            raised += _sweep_case_count(rule, now)
    return raised


def _known_subjects(
    rule: WarningRule, subjects: list[str], since: datetime | None = None
) -> set[str]:
    """Subjects with a warning already: any, or (windowed rules) an open one or one first fired
    since ``since``."""
    warnings = Warning.objects.filter(rule=rule, subject_key__in=subjects)
    if since is not None:
        warnings = warnings.filter(Q(status__in=OPEN_STATUSES) | Q(first_fired_at__gte=since))
    return set(warnings.values_list("subject_key", flat=True))


def _sweep_silence(rule: WarningRule, now: datetime) -> int:
    devices = list(
        Device.objects.filter(
            is_active=True, last_seen_at__isnull=False, risk_point__isnull=False
        ).select_related("risk_point", "risk_point__grid")
    )
    if not devices:
        return 0
    last_seen = np.array([d.last_seen_at.timestamp() for d in devices if d.last_seen_at])
    point_type = np.array(
        [TYPE_CODES[d.risk_point.point_type] if d.risk_point else _NO_TYPE for d in devices],
        dtype=np.int64,
    )
    spec = core.SilenceRule(0, float((rule.window_minutes or 0) * 60), _types(rule))
    hits = core.evaluate_silence(last_seen, point_type, [spec], now.timestamp())
    if not hits:
        return 0
    found = [devices[i] for i in hits[0].device.tolist()]
    subjects = {d.pk: f"device:{d.device_id}:since:{d.last_seen_at:%Y%m%dT%H%M%S}" for d in found}
    known = _known_subjects(rule, list(subjects.values()))
    raised = 0
    for device in found:
        point = device.risk_point
        if subjects[device.pk] in known or point is None or device.last_seen_at is None:
            continue
        hours = (now - device.last_seen_at).total_seconds() / 3600
        warning_raise(
            rule_code=rule.code,
            subject_key=subjects[device.pk],
            unit=point.grid,
            colour=rule.colour,
            title=f"{point.name}：{rule.name}",
            explanation=system_text(
                gettext_noop("device %(device)s silent for %(hours)s hours (last signal %(at)s)"),
                device=device.device_id,
                hours=f"{hours:.1f}",
                at=timezone.localtime(device.last_seen_at).strftime("%Y-%m-%d %H:%M"),
            ),
            value=round(hours, 2),
            lng=point.lng,
            lat=point.lat,
            risk_point=point,
            fired_at=now,
        )
        raised += 1
    return raised


def _sweep_maintenance(rule: WarningRule, now: datetime) -> int:
    points = RiskPoint.objects.filter(
        is_active=True, maintenance_interval_days__isnull=False, last_maintained_on__isnull=False
    ).select_related("grid")
    if rule.point_types:
        points = points.filter(point_type__in=rule.point_types)
    today = timezone.localdate(now)
    overdue = [p for p in points if (due := p.maintenance_due_on) is not None and due < today]
    subjects = {p.pk: _maintenance_subject(p) for p in overdue}
    known = _known_subjects(rule, list(subjects.values()))
    raised = 0
    for point in overdue:
        if subjects[point.pk] in known:
            continue
        due = point.maintenance_due_on
        assert due is not None  # noqa: S101 - filtered above
        days = (today - due).days
        warning_raise(
            rule_code=rule.code,
            subject_key=subjects[point.pk],
            unit=point.grid,
            colour=rule.colour,
            title=f"{point.name}：{rule.name}",
            explanation=system_text(
                gettext_noop(
                    "last maintained %(last)s, every %(interval)s days: due %(due)s, "
                    "%(days)s days overdue"
                ),
                last=point.last_maintained_on,
                interval=point.maintenance_interval_days,
                due=due,
                days=days,
            ),
            value=float(days),
            lng=point.lng,
            lat=point.lat,
            risk_point=point,
            fired_at=now,
        )
        raised += 1
    return raised


class _System:
    """The sweep counts cases across the whole deployment: a system-wide read by design."""

    pk = None
    department_id = None
    is_authenticated = True
    is_active = True
    is_superuser = True
    role = "admin"


def _sweep_case_count(rule: WarningRule, now: datetime) -> int:
    from fengqiao.cases.selectors import case_queryset

    category = rule.category
    if category is None or not rule.window_minutes or rule.count_n is None:
        return 0
    window = timedelta(minutes=rule.window_minutes)
    counts = (
        case_queryset(_System())
        .filter(created_at__gte=now - window, created_at__lte=now)
        .filter(Q(category=category) | Q(category__parent=category))
        .exclude(status="merged")
        .values("territory_id")
        .annotate(n=Count("id"))
        .filter(n__gt=rule.count_n)
    )
    found = {row["territory_id"]: row["n"] for row in counts}
    if not found:
        return 0
    units = OrgUnit.objects.defer("boundary").in_bulk(list(found))
    subjects = {uid: f"grid:{units[uid].code}:{category.code}" for uid in found}
    known = _known_subjects(rule, list(subjects.values()), since=now - window)
    raised = 0
    for unit_id, n in found.items():
        if subjects[unit_id] in known:
            continue
        unit = units[unit_id]
        warning_raise(
            rule_code=rule.code,
            subject_key=subjects[unit_id],
            unit=unit,
            colour=rule.colour,
            title=f"{unit.name}：{rule.name}",
            explanation=system_text(
                gettext_noop("%(n)s cases of %(category)s in %(days)s days (more than %(limit)s)"),
                n=n,
                category=category.name_zh,
                days=f"{window.total_seconds() / 86400:g}",
                limit=rule.count_n,
            ),
            value=float(n),
            fired_at=now,
        )
        raised += 1
    return raised
