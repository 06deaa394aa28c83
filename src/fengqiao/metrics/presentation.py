"""Labels and display formats of the metrics, shared by the page, the export and the reports."""

from __future__ import annotations

from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fengqiao.metrics.services import BreakdownRow
from fengqiao.metrics.stats import METRIC_KEYS, Metric

LABELS: dict[str, str | Promise] = {
    "registered": _("Cases registered"),
    "resolution_rate": _("Resolution rate"),
    "one_time_rate": _("One-time resolution rate"),
    "identification_rate": _("Identification rate"),
    "in_database_rate": _("In-database identification rate"),
    "acceptance_p50_hours": _("Acceptance time, median (h)"),
    "acceptance_p90_hours": _("Acceptance time, 90th percentile (h)"),
    "resolution_p50_hours": _("Resolution time, median (h)"),
    "resolution_p90_hours": _("Resolution time, 90th percentile (h)"),
    "overdue": _("Overdue"),
    "satisfaction": _("Satisfaction"),
}
RATES = frozenset(
    {"resolution_rate", "one_time_rate", "identification_rate", "in_database_rate", "satisfaction"}
)
COUNTS = frozenset({"registered", "overdue"})
# Whether a rise is good news (colours the change against last year).
HIGHER_IS_BETTER = RATES | {"registered"}


def display(key: str, value: float | None) -> str:
    if value is None:
        return "—"
    if key in RATES:
        return f"{value * 100:.1f}%"
    if key in COUNTS:
        return f"{int(value):,}"
    # Hours to two decimals: "0.17", not "0.166667" (ten minutes).
    return f"{round(value, 2):g}"


def display_change(key: str, metric: Metric) -> str:
    change = metric.change
    if change is None:
        return ""
    if key in RATES:
        return f"{change * 100:+.1f} pt"
    if key in COUNTS:
        return f"{int(change):+,}"
    return f"{round(change, 2):+g} h"


def export_value(key: str, value: float | None) -> Decimal | int | None:
    if value is None:
        return None
    if key in COUNTS:
        return int(value)
    return Decimal(str(round(value, 4)))


def export_header() -> list[str | None]:
    return [str(_("Code")), str(_("Name")), *(str(LABELS[key]) for key in METRIC_KEYS)]


def export_rows(rows: list[BreakdownRow]) -> list[list[str | Decimal | int | None]]:
    return [
        [row.key, row.label, *(export_value(k, m.value) for k, m in row.figures.items())]
        for row in rows
    ]
