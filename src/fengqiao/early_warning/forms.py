"""Forms of the warning and risk-point pages (filters, actions, maintenance)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.early_warning.models import RiskPointType, WarningRule
from fengqiao.early_warning.states import WarningAction, WarningStatus
from fengqiao.orgs.models import Level
from fengqiao.taxonomy.models import RiskColour


def _blank(label: str, choices: Any) -> list[tuple[str, str]]:
    return [("", label), *[(str(v), str(lbl)) for v, lbl in choices]]


class WarningFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    colour = forms.ChoiceField(label=_("Colour"), required=False)
    rule = forms.ChoiceField(label=_("Rule"), required=False)
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    mine = forms.BooleanField(label=_("My tasks"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        open_label = str(_("Open (any open status)"))
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            ("", str(_("All statuses"))),
            ("open", open_label),
            *[(v, str(lbl)) for v, lbl in WarningStatus.choices],
        ]
        cast(forms.ChoiceField, self.fields["colour"]).choices = _blank(
            str(_("All colours")), RiskColour.choices
        )
        cast(forms.ChoiceField, self.fields["rule"]).choices = _blank(
            str(_("All rules")),
            WarningRule.objects.order_by("code").values_list("code", "name"),
        )
        units = (
            Jurisdiction.of(actor)
            .units()
            .filter(level__lte=Level.VILLAGE, is_active=True)
            .order_by("path")
            .values_list("pk", "name")[:500]
        )
        cast(forms.ChoiceField, self.fields["unit"]).choices = [("", str(_("All units"))), *units]


class ActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    feedback = forms.CharField(
        label=_("Feedback"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    category = forms.CharField(
        label=_("Category code"),
        required=False,
        max_length=16,
        help_text=_("Leave empty for the rule's category."),
    )

    # Which of the optional fields each action shows and needs.
    FIELDS: dict[str, tuple[str, ...]] = {
        WarningAction.ASSIGN: (),
        WarningAction.VERIFY: ("note",),
        WarningAction.DISMISS: ("note",),
        WarningAction.HANDLE: ("note",),
        WarningAction.CLOSE: ("feedback",),
        WarningAction.CONVERT: ("note", "category"),
    }

    def __init__(self, *args: Any, action: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action = action
        shown = self.FIELDS[action]
        for name in ("note", "feedback", "category"):
            if name not in shown:
                del self.fields[name]
        if action in {WarningAction.VERIFY, WarningAction.DISMISS, WarningAction.HANDLE}:
            self.fields["note"].required = True
        if action == WarningAction.CLOSE:
            self.fields["feedback"].required = True
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("id", f"id_{action}_{name}")


class PointFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    point_type = forms.ChoiceField(label=_("Type"), required=False)
    overdue = forms.BooleanField(label=_("Maintenance overdue"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["point_type"]).choices = _blank(
            str(_("All types")), RiskPointType.choices
        )


class MaintenanceForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    done_on = forms.DateField(label=_("Done on"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
