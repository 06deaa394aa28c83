"""The dispatch-meeting form of a board page: the sitting, then one row per item on the board."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.accounts.models import Role, User
from fengqiao.cases.forms import set_choices
from fengqiao.orgs.models import Level, OrgUnit
from fengqiao.risk.boards import BoardItem
from fengqiao.risk.policy import CHAIR_ROLES, MEETING_LEVEL, review_period
from fengqiao.risk.schemas import DecisionIn, MeetingIn

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PEOPLE_LIMIT = 500
FILTER_LEVELS = (Level.CITY, Level.DISTRICT, Level.TOWNSHIP, Level.VILLAGE)


def meeting_units(actor: Any, colour: str) -> list[OrgUnit]:
    units = Jurisdiction.of(actor).units().filter(level=MEETING_LEVEL[colour], is_active=True)
    return list(units.order_by("path"))


def filter_units(actor: Any) -> list[OrgUnit]:
    """Units a board can be narrowed to: everything in scope above the grids."""
    units = Jurisdiction.of(actor).units().filter(level__in=FILTER_LEVELS, is_active=True)
    return list(units.order_by("path")[:PEOPLE_LIMIT])


def people(actor: Any, roles: Iterable[str] | None = None) -> list[User]:
    users = Jurisdiction.of(actor).users().filter(is_active=True)
    if roles is not None:
        users = users.filter(role__in=list(roles))
    return list(users.order_by("display_name", "username")[:PEOPLE_LIMIT])


def _person_choices(users: Sequence[User], empty: Any) -> list[tuple[Any, Any]]:
    return [("", empty), *((u.pk, f"{u} ({Role(u.role).label})") for u in users)]


class MeetingForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    held_on = forms.DateField(label=_("Held on"), widget=DATE_INPUT)
    chair = forms.TypedChoiceField(label=_("Chair"), coerce=int)
    next_review_on = forms.DateField(label=_("Next review on"), widget=DATE_INPUT)
    notes = forms.CharField(
        label=_("Notes"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, data: Any = None, *, actor: Any, colour: str, **kwargs: Any) -> None:
        today = timezone.localdate()
        initial = {
            "held_on": today,
            "chair": actor.pk,
            "next_review_on": today + review_period(colour),
        }
        super().__init__(data, prefix="meeting", initial=initial, **kwargs)
        units = meeting_units(actor, colour)
        if len(units) == 1:
            self.fields["unit"].initial = units[0].pk
        set_choices(self, "unit", [("", _("— choose —")), *((u.pk, u.name) for u in units)])
        chairs = people(actor, CHAIR_ROLES[colour])
        set_choices(self, "chair", _person_choices(chairs, _("— choose —")))
        self.has_units = bool(units)


class DecisionForm(forms.Form):
    item = forms.RegexField(regex=r"^(case|warning):\d+$", widget=forms.HiddenInput())
    reviewed = forms.BooleanField(label=_("Reviewed"), required=False)
    decision = forms.CharField(
        label=_("Decision"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 1}),
    )
    owner_text = forms.CharField(label=_("Owner"), max_length=100, required=False)
    owner_user = forms.TypedChoiceField(
        label=_("Owner (person)"), coerce=int, required=False, empty_value=None
    )
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, owner_choices: list[tuple[Any, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "owner_user", owner_choices)
        self.board_item: BoardItem | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reviewed") and not str(data.get("decision", "")).strip():
            self.add_error("decision", _("Write what the meeting decided."))
        return data

    def decision_in(self) -> DecisionIn:
        data = self.cleaned_data
        kind, _sep, pk = str(data["item"]).partition(":")
        return DecisionIn(
            case_id=int(pk) if kind == "case" else None,
            warning_id=int(pk) if kind == "warning" else None,
            decision=data["decision"],
            owner_text=data.get("owner_text", ""),
            owner_user_id=data.get("owner_user"),
            due_on=data.get("due_on"),
        )


class BaseDecisionFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        if not any(form.cleaned_data.get("reviewed") for form in self.forms):
            raise forms.ValidationError(_("Tick at least one item the meeting reviewed."))


DecisionFormSet = forms.formset_factory(DecisionForm, formset=BaseDecisionFormSet, extra=0)


def decision_formset(data: Any, *, actor: Any, items: Sequence[BoardItem]) -> BaseDecisionFormSet:
    owner_choices = _person_choices(people(actor), _("— nobody in particular —"))
    formset = DecisionFormSet(
        data,
        prefix="d",
        initial=[{"item": item.key} for item in items],
        form_kwargs={"owner_choices": owner_choices},
    )
    by_key = {item.key: item for item in items}
    for form in formset.forms:
        key = form["item"].value()
        form.board_item = by_key.get(str(key))
    return cast(BaseDecisionFormSet, formset)


def meeting_in(colour: str, meeting: MeetingForm, formset: BaseDecisionFormSet) -> MeetingIn:
    data = meeting.cleaned_data
    return MeetingIn(
        colour=colour,  # type: ignore[arg-type]
        unit_id=data["unit"],
        held_on=data["held_on"],
        chair_id=data["chair"],
        notes=data.get("notes", ""),
        next_review_on=data["next_review_on"],
        decisions=[f.decision_in() for f in formset.forms if f.cleaned_data.get("reviewed")],
    )
