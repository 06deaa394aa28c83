"""The indicators of labour-dispute risk: what each measures, where it comes from, how it reads.

The catalogue is code because importers, pages and explanations depend on it; how much each
indicator counts (weight, normalisation, direction) is configuration (``scoring.yaml``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from fengqiao.labour.models import EmployerKind, IndicatorSource

BOTH = (EmployerKind.ENTERPRISE, EmployerKind.PROJECT)


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    label: str | Promise
    unit: str | Promise
    # Stored text (see ``core.text.system_text``) naming the value and the points it added.
    phrase: str
    kinds: tuple[str, ...] = BOTH
    source: str = IndicatorSource.IMPORT
    # Column names accepted in imports besides the code (Chinese headers of department exports).
    aliases: tuple[str, ...] = ()
    whole: bool = True
    maximum: float = 1e6

    def applies_to(self, kind: str) -> bool:
        return kind in self.kinds

    def show(self, value: float) -> str:
        if float(value).is_integer():
            return f"{int(value):,}"
        return f"{value:,.1f}"


COMPLAINTS = "complaints_12m"

INDICATORS: dict[str, IndicatorSpec] = {
    spec.code: spec
    for spec in (
        IndicatorSpec(
            "wage_delay_days",
            _("Wage payment delay"),
            _("days"),
            gettext_noop("wages delayed %(value)s days (+%(points)s)"),
            aliases=("工资拖欠天数", "欠薪天数"),
            maximum=3650,
        ),
        IndicatorSpec(
            "wage_delay_workers",
            _("Workers affected by delays"),
            _("workers"),
            gettext_noop("%(value)s workers unpaid (+%(points)s)"),
            aliases=("欠薪人数", "受拖欠工人数"),
            maximum=100_000,
        ),
        IndicatorSpec(
            "social_insurance_months",
            _("Social-insurance arrears"),
            _("months"),
            gettext_noop("social insurance unpaid for %(value)s months (+%(points)s)"),
            aliases=("社保欠缴月数",),
            maximum=600,
        ),
        IndicatorSpec(
            "utility_arrears_months",
            _("Utility arrears"),
            _("months"),
            gettext_noop("water, power or gas bills unpaid for %(value)s months (+%(points)s)"),
            aliases=("水电气欠费月数", "欠费月数"),
            maximum=600,
        ),
        IndicatorSpec(
            "progress_overdue_amount",
            _("Progress payments overdue"),
            _("yuan"),
            gettext_noop("progress payments of %(value)s yuan overdue (+%(points)s)"),
            kinds=(EmployerKind.PROJECT,),
            aliases=("逾期工程款金额", "工程款逾期金额"),
            whole=False,
            maximum=1e11,
        ),
        IndicatorSpec(
            "progress_overdue_days",
            _("Progress payments overdue for"),
            _("days"),
            gettext_noop("progress payments overdue by %(value)s days (+%(points)s)"),
            kinds=(EmployerKind.PROJECT,),
            aliases=("工程款逾期天数",),
            maximum=3650,
        ),
        IndicatorSpec(
            COMPLAINTS,
            _("Earlier complaints (12 months)"),
            _("cases"),
            gettext_noop("%(value)s wage complaints in the past year (+%(points)s)"),
            source=IndicatorSource.CASES,
            maximum=100_000,
        ),
    )
}

IMPORTED = tuple(code for code, spec in INDICATORS.items() if spec.source == IndicatorSource.IMPORT)


def indicator_for_header(header: str) -> str | None:
    """The indicator an import column stands for (its code or a Chinese alias), or None."""
    text = header.strip()
    for code in IMPORTED:
        if text == code or text in INDICATORS[code].aliases:
            return code
    return None
