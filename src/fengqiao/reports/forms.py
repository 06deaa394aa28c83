"""The request form of the reports pages: unit, report kind, a day of the period, formats."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengqiao.orgs.models import OrgUnit
from fengqiao.reports import periods
from fengqiao.reports.models import ReportFormat, ReportKind


def default_day(kind: str, today: date | None = None) -> date:
    """A day of the last complete period: what a person asking for "the weekly report" means."""
    today = today or timezone.localdate()
    if kind == ReportKind.MONTHLY:
        return periods.previous_month(today).start
    return periods.previous_week(today).start


class UnitChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{'　' * (obj.level - 1)}{obj.name}"


class ReportRequestForm(forms.Form):
    unit = UnitChoice(label=_("Unit"), queryset=OrgUnit.objects.none())
    kind = forms.ChoiceField(
        label=pgettext_lazy("report kind", "Report"), choices=ReportKind.choices
    )
    day = forms.DateField(
        label=_("Period"),
        help_text=_("Any day of the week or month; the report covers the whole period."),
        # ISO dates whatever the language: what an <input type="date"> accepts.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    formats = forms.MultipleChoiceField(
        label=_("Formats"),
        choices=ReportFormat.choices,
        initial=list(ReportFormat.values),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)  # noqa: S101 - declared above
        unit_field.queryset = units

    def period_start(self) -> date:
        """The first day of the period containing the chosen day."""
        day: date = self.cleaned_data["day"]
        if self.cleaned_data["kind"] == ReportKind.MONTHLY:
            return periods.month_of(day).start
        return periods.week_of(day).start
