"""Forms of the revisit pages; they only shape input, the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.handling.models import ReferralKind
from fengqiao.orgs.models import OrgUnit
from fengqiao.revisits.models import DEFAULT_SHARES, GRADES, LEVELS, Grade, RevisitLevel

YES_NO = [("", _("— choose —")), ("yes", _("Yes")), ("no", _("No"))]


def share_field_name(level: str, grade: str) -> str:
    return f"share_{level}_{grade}"


class PlanForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("District or city"), queryset=OrgUnit.objects.none())
    name = forms.CharField(label=_("Name"), max_length=120)
    amount_threshold = forms.DecimalField(
        label=_("Major from amount (yuan)"), min_value=0, max_digits=14, decimal_places=2
    )
    people_threshold = forms.IntegerField(
        label=_("Major from people involved"), min_value=1, max_value=100000
    )
    agreement_required = forms.BooleanField(
        label=_("Only cases with an agreement count (otherwise a session is enough)"),
        required=False,
    )
    long_mediation_days = forms.IntegerField(
        label=_("Flag mediation without result after (days)"), min_value=1, max_value=3650
    )
    is_active = forms.BooleanField(label=_("Draw every month"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        for level in LEVELS:
            for grade in GRADES:
                self.fields[share_field_name(level, grade)] = forms.IntegerField(
                    label=f"{RevisitLevel(level).label} · {Grade(grade).label} (%)",
                    min_value=0,
                    max_value=100,
                    initial=DEFAULT_SHARES[level][grade],
                )

    def share_rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (str(RevisitLevel(level).label), [self[share_field_name(level, g)] for g in GRADES])
            for level in LEVELS
        ]

    def shares(self) -> dict[str, dict[str, int]]:
        data = self.cleaned_data
        return {
            level: {grade: data[share_field_name(level, grade)] for grade in GRADES}
            for level in LEVELS
        }


class DrawForm(forms.Form):
    plan = forms.TypedChoiceField(label=_("Plan"), coerce=int)
    period = forms.RegexField(
        label=_("Month"),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        error_messages={"invalid": _("Give a month such as 2025-03.")},
    )
    seed = forms.IntegerField(
        label=_("Seed"),
        required=False,
        min_value=0,
        max_value=2**62,
        help_text=_("Leave empty for a random seed; it is recorded with the draw."),
    )

    def __init__(self, *args: Any, plans: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = plans  # type: ignore[attr-defined]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class ResultForm(forms.Form):
    reached = forms.TypedChoiceField(
        label=_("Party reached"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    satisfied = forms.TypedChoiceField(
        label=_("Satisfied"), choices=YES_NO, coerce=_yes_no, required=False, empty_value=None
    )
    agreement_performed = forms.TypedChoiceField(
        label=_("Agreement performed"),
        choices=YES_NO,
        coerce=_yes_no,
        required=False,
        empty_value=None,
    )
    problem_found = forms.CharField(
        label=_("Problem found"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    reopen = forms.BooleanField(
        label=_("Reopen the case because of the problem found"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReferForm(forms.Form):
    kind = forms.ChoiceField(label=_("Refer to"), choices=ReferralKind.choices)
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
