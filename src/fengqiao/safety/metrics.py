"""Indicator values computed from Fengqiao's own records (indicator source ``computed:<metric>``).

**System-scoped aggregate.** The index normalises each indicator across *every* unit of a level,
so these counts must include every unit's cases whoever triggers the computation. That is why
this module reads ``Case`` without an acting user (an entry in ``scripts/lint_case_scope.py``).
It returns one number per unit and metric — never a case row, a party or any personal data — and
those numbers reach people only through :mod:`fengqiao.safety.selectors`, scoped by jurisdiction.

A case counts for the unit its place (``territory``) lies in, in the period it was registered;
merged cases are left out (they live on in the case they were merged into).

Metrics (``category:<code>`` and ``channel:<code>`` take a taxonomy or channel code):
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from django.apps import apps
from django.db.models import Count, Q
from django.db.models.functions import Substr

from fengqiao.cases.models import Case
from fengqiao.cases.states import CaseStatus
from fengqiao.orgs.models import OrgUnit
from fengqiao.safety.periods import Period
from fengqiao.taxonomy.models import RiskColour

logger = logging.getLogger(__name__)

# People involved from which a dispute counts as a group dispute (群体性纠纷).
GROUP_DISPUTE_PEOPLE = 5

METRICS: dict[str, str] = {
    "cases": "disputes registered in the period",
    "cases_per_10k": "disputes registered per 10,000 residents (unit population)",
    "group_disputes": f"disputes involving {GROUP_DISPUTE_PEOPLE} or more people",
    "overdue_cases": "disputes of the period past a deadline",
    "red_cases": "disputes of the period with a red risk colour",
    "escalated_cases": "disputes of the period escalated at least once",
    "reopened_cases": "disputes of the period reopened at least once",
    "resolution_rate": "% of the period's disputes resolved by its end",
    "one_time_rate": "% of resolved disputes resolved without escalation or reopening",
    "mean_accept_hours": "mean hours from registration to acceptance",
    "warnings": "facility warnings first raised in the period (needs fengqiao.early_warning)",
}
PREFIXED = ("category:", "channel:")
__doc__ = (__doc__ or "") + "\n".join(f"  {name:<18} {text}" for name, text in METRICS.items())


def known_metric(metric: str) -> bool:
    if metric in METRICS:
        return True
    return any(metric.startswith(prefix) and len(metric) > len(prefix) for prefix in PREFIXED)


Values = dict[str, dict[int, float]]  # metric -> unit id -> value (NaN: not defined)


def compute_metrics(metrics: Iterable[str], units: Sequence[OrgUnit], period: Period) -> Values:
    """Each metric's value per unit (all units of one level) for the period."""
    wanted = set(metrics)
    if not units or not wanted:
        return {}
    width = len(units[0].path)
    if any(len(unit.path) != width for unit in units):
        raise ValueError("metrics are computed for units of one level at a time")
    by_prefix = {unit.path: unit.pk for unit in units}
    start, end = period.bounds()
    cases = (
        Case.objects.filter(created_at__gte=start, created_at__lt=end)
        .exclude(status=CaseStatus.MERGED)
        .annotate(prefix=Substr("territory_path", 1, width))
    )
    out: Values = {}
    case_metrics = wanted - {"warnings"}
    if case_metrics:
        out.update(_case_counts(cases, case_metrics, by_prefix, units, end))
    if "warnings" in wanted:
        out["warnings"] = _warning_counts(by_prefix, width, start, end)
    return out


def _case_counts(
    cases: Any, wanted: set[str], by_prefix: dict[str, int], units: Sequence[OrgUnit], end: Any
) -> Values:
    resolved = Q(resolved_at__isnull=False, resolved_at__lt=end)
    rows = cases.values("prefix").annotate(
        total=Count("pk"),
        group=Count("pk", filter=Q(people_involved__gte=GROUP_DISPUTE_PEOPLE)),
        overdue=Count("pk", filter=Q(overdue=True)),
        red=Count("pk", filter=Q(risk_colour=RiskColour.RED)),
        escalated=Count("pk", filter=Q(escalation_count__gt=0)),
        reopened=Count("pk", filter=Q(reopen_count__gt=0)),
        resolved=Count("pk", filter=resolved),
        one_time=Count("pk", filter=resolved & Q(escalation_count=0, reopen_count=0)),
    )
    counts: dict[int, dict[str, int]] = {}
    for row in rows:
        unit_id = by_prefix.get(row["prefix"])
        if unit_id is not None:
            counts[unit_id] = row
    empty = dict.fromkeys(
        ("total", "group", "overdue", "red", "escalated", "reopened", "resolved", "one_time"), 0
    )
    out: Values = defaultdict(dict)
    simple = {
        "cases": "total",
        "group_disputes": "group",
        "overdue_cases": "overdue",
        "red_cases": "red",
        "escalated_cases": "escalated",
        "reopened_cases": "reopened",
    }
    for unit in units:
        c = counts.get(unit.pk, empty)
        for metric, key in simple.items():
            if metric in wanted:
                out[metric][unit.pk] = float(c[key])
        if "cases_per_10k" in wanted:
            out["cases_per_10k"][unit.pk] = (
                c["total"] * 10_000 / unit.population if unit.population else np.nan
            )
        if "resolution_rate" in wanted:
            out["resolution_rate"][unit.pk] = (
                100.0 * c["resolved"] / c["total"] if c["total"] else np.nan
            )
        if "one_time_rate" in wanted:
            out["one_time_rate"][unit.pk] = (
                100.0 * c["one_time"] / c["resolved"] if c["resolved"] else np.nan
            )
    if "mean_accept_hours" in wanted:
        out["mean_accept_hours"] = _mean_accept_hours(cases, by_prefix, units)
    grouped = [m for m in wanted if m.startswith(PREFIXED)]
    if grouped:
        out.update(_grouped_counts(cases, grouped, by_prefix, units))
    return dict(out)


def _mean_accept_hours(
    cases: Any, by_prefix: dict[str, int], units: Sequence[OrgUnit]
) -> dict[int, float]:
    # Averaging a datetime difference in SQL differs between SQLite and PostgreSQL; the rows are
    # one period's accepted cases, few enough to average here.
    hours: dict[int, list[float]] = defaultdict(list)
    for prefix, created, accepted in cases.filter(accepted_at__isnull=False).values_list(
        "prefix", "created_at", "accepted_at"
    ):
        unit_id = by_prefix.get(prefix)
        if unit_id is not None:
            hours[unit_id].append(max(0.0, (accepted - created).total_seconds() / 3600))
    return {u.pk: float(np.mean(hours[u.pk])) if hours[u.pk] else np.nan for u in units}


def _grouped_counts(
    cases: Any, metrics: list[str], by_prefix: dict[str, int], units: Sequence[OrgUnit]
) -> Values:
    out: Values = {m: dict.fromkeys((u.pk for u in units), 0.0) for m in metrics}
    categories = {m.removeprefix("category:"): m for m in metrics if m.startswith("category:")}
    channels = {m.removeprefix("channel:"): m for m in metrics if m.startswith("channel:")}
    if categories:
        rows = cases.values("prefix", "category__code", "category__parent__code").annotate(
            n=Count("pk")
        )
        for row in rows:
            unit_id = by_prefix.get(row["prefix"])
            if unit_id is None:
                continue
            for code in {row["category__code"], row["category__parent__code"]}:
                if code in categories:
                    out[categories[code]][unit_id] += row["n"]
    if channels:
        for row in cases.values("prefix", "channel__code").annotate(n=Count("pk")):
            unit_id = by_prefix.get(row["prefix"])
            if unit_id is not None and row["channel__code"] in channels:
                out[channels[row["channel__code"]]][unit_id] += row["n"]
    return out


def _warning_counts(
    by_prefix: dict[str, int], width: int, start: Any, end: Any
) -> dict[int, float]:
    """Facility warnings (those about a risk point) first raised per unit in the period.

    ``fengqiao.early_warning`` is optional for the index: without its ``Warning`` model (or with
    one lacking the fields counted here) the metric is missing for every unit, which the index
    treats as "nobody reported" rather than failing the computation.
    """
    missing = dict.fromkeys(by_prefix.values(), np.nan)
    try:
        model = apps.get_model("early_warning", "Warning")
    except LookupError:
        logger.warning("safety metric 'warnings': fengqiao.early_warning has no Warning model")
        return missing
    fields = {f.name for f in model._meta.get_fields()}
    if not {"unit_path", "first_fired_at"} <= fields:
        logger.warning("safety metric 'warnings': Warning lacks unit_path or first_fired_at")
        return missing
    warnings = model._default_manager.filter(first_fired_at__gte=start, first_fired_at__lt=end)
    if "risk_point" in fields:
        warnings = warnings.filter(risk_point__isnull=False)
    rows = (
        warnings.annotate(prefix=Substr("unit_path", 1, width))
        .values("prefix")
        .annotate(n=Count("pk"))
    )
    out = dict.fromkeys(by_prefix.values(), 0.0)
    for row in rows:
        unit_id = by_prefix.get(row["prefix"])
        if unit_id is not None:
            out[unit_id] = float(row["n"])
    return out
