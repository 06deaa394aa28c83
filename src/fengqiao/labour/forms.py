"""Forms of the labour-risk pages: the list's filters and the import upload."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.core.errors import NotFound
from fengqiao.labour.models import EmployerKind
from fengqiao.orgs.models import Level, OrgUnit
from fengqiao.orgs.selectors import unit_get
from fengqiao.taxonomy.models import RiskColour

MAX_UPLOAD = 20 * 1024 * 1024


class LabourFilterForm(forms.Form):
    period = forms.TypedChoiceField(
        label=_("Month"), required=False, coerce=date.fromisoformat, empty_value=None
    )
    unit = forms.TypedChoiceField(
        label=_("District / township"), required=False, coerce=int, empty_value=None
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *EmployerKind.choices]
    )
    colour = forms.ChoiceField(
        label=_("Risk colour"),
        required=False,
        choices=[("", pgettext_lazy("risk filter", "Any colour")), *RiskColour.choices],
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or code")}),
    )

    def __init__(self, data: Any = None, *, actor: Any, periods: list[date]) -> None:
        super().__init__(data)
        self.actor = actor
        self._field("period").choices = [(p.isoformat(), f"{p:%Y-%m}") for p in periods]
        jurisdiction = Jurisdiction.of(actor)
        units = (
            jurisdiction.units()
            .filter(level__in=[Level.DISTRICT, Level.TOWNSHIP])
            .order_by("path")
            .values_list("pk", "name", "level")[:500]
        )
        self._field("unit").choices = [
            ("", _("All of my jurisdiction")),
            *((pk, "\u3000" * (level - Level.DISTRICT) + name) for pk, name, level in units),
        ]

    def _field(self, name: str) -> forms.ChoiceField:
        return cast("forms.ChoiceField", self.fields[name])

    def clean_unit(self) -> OrgUnit | None:
        unit_id = self.cleaned_data.get("unit")
        if unit_id is None:
            return None
        try:
            return unit_get(actor=self.actor, unit_id=unit_id)
        except NotFound as exc:
            raise forms.ValidationError(
                _("This unit does not exist or is outside your jurisdiction."), code="unit"
            ) from exc


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 or GB18030; one row per employer and month."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 20 MB."), code="size")
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(_("Upload a .csv file."), code="type")
        return upload
