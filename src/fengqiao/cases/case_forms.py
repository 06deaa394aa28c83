"""Forms of the case page: lifecycle actions, edits, assignments and mediation steps.

Each form has its own prefix, so many can sit on one page and a failed one is found again by
its prefix when the page is rendered with its errors.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError

from fengqiao.accounts.models import User
from fengqiao.cases import selectors
from fengqiao.cases.forms import add_form_error, category_choices, pydantic_errors, set_choices
from fengqiao.cases.handling.models import ReferralKind
from fengqiao.cases.models import Case
from fengqiao.cases.schemas import CaseUpdate
from fengqiao.cases.states import Action
from fengqiao.core.errors import NotFound
from fengqiao.orgs.models import Department
from fengqiao.taxonomy.models import RiskColour

# Actions that need a reason (the lifecycle refuses them without one).
REASON_ACTIONS = frozenset(
    {Action.ESCALATE, Action.REFER, Action.WITHDRAW, Action.MERGE, Action.REOPEN}
)
TEXTAREA = {"rows": 2}
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def department_choices(departments: Iterable[Department]) -> list[tuple[Any, Any]]:
    """Departments grouped under their organisation unit."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for department in departments:
        groups.setdefault(department.org_unit.name, []).append((department.pk, department.name))
    return [("", _("— choose —")), *groups.items()]


class VersionedForm(forms.Form):
    """Carries the version of the row the user saw; a stale one is refused with a conflict."""

    version = forms.IntegerField(widget=forms.HiddenInput(), min_value=1)


class TransitionForm(VersionedForm):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    referral_kind = forms.ChoiceField(
        label=_("Refer to"), choices=[("", _("— choose —")), *ReferralKind.choices]
    )
    referral_body = forms.CharField(label=_("Receiving body"), max_length=150, required=False)
    merge_into = forms.CharField(
        label=_("Number of the case to merge into"), max_length=32, strip=True
    )
    public_note = forms.CharField(
        label=_("Note for the citizen"),
        max_length=500,
        required=False,
        help_text=_("Shown on the public status page."),
    )

    def __init__(self, data: Any = None, *, action: str, actor: Any, **kwargs: Any) -> None:
        super().__init__(data, prefix=f"t-{action}", **kwargs)
        self.action = action
        self.actor = actor
        self.merge_into_id: int | None = None
        if action != Action.REFER:
            del self.fields["referral_kind"], self.fields["referral_body"]
        if action != Action.MERGE:
            del self.fields["merge_into"]
        self.fields["reason"].required = action in REASON_ACTIONS

    def clean_merge_into(self) -> str:
        number = str(self.cleaned_data["merge_into"])
        try:
            target = selectors.case_get_by_number(actor=self.actor, number=number)
        except NotFound as exc:
            raise forms.ValidationError(
                _("No case with this number in your jurisdiction.")
            ) from exc
        self.merge_into_id = target.pk
        return number


ASSIGNMENT_MOVES = [
    ("accept", _("Accept")),
    ("complete", _("Complete")),
    ("return", _("Return")),
    ("take", _("Take it personally")),
    ("note", _("Add the note")),
]


class AssignmentMoveForm(VersionedForm):
    move = forms.ChoiceField(choices=ASSIGNMENT_MOVES, widget=forms.HiddenInput())
    note = forms.CharField(
        label=_("Progress note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Required when returning the assignment."),
    )

    def __init__(self, data: Any = None, *, assignment_id: int, **kwargs: Any) -> None:
        super().__init__(data, prefix=f"asg-{assignment_id}", **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("move") == "note" and not str(data.get("note", "")).strip():
            self.add_error("note", _("Write the note first."))
        return data


class CaseEditForm(VersionedForm):
    title = forms.CharField(label=_("Title"), min_length=2, max_length=200)
    description = forms.CharField(
        label=_("Description"),
        min_length=2,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    category = forms.ChoiceField(label=_("Category"))
    people_involved = forms.IntegerField(label=_("People involved"), min_value=1)
    amount = forms.DecimalField(
        label=_("Amount involved (yuan)"), min_value=Decimal("0"), max_digits=14, decimal_places=2
    )
    risk_colour = forms.ChoiceField(label=_("Risk colour"), choices=RiskColour.choices)
    risk_reason = forms.CharField(label=_("Why this colour"), max_length=255, required=False)
    leader = forms.TypedChoiceField(
        label=_("Leading official"), coerce=int, required=False, empty_value=None
    )

    def __init__(
        self,
        data: Any = None,
        *,
        case: Case,
        leaders: Iterable[User],
        set_risk: bool,
        **kwargs: Any,
    ) -> None:
        initial = {
            "version": case.version,
            "title": case.title,
            "description": case.description,
            "category": case.category.code,
            "people_involved": case.people_involved,
            "amount": case.amount,
            "risk_colour": case.risk_colour,
            "risk_reason": case.risk_reason,
            "leader": case.leader_id,
        }
        super().__init__(data, prefix="edit", initial=initial, **kwargs)
        self.case = case
        set_choices(self, "category", category_choices())
        if set_risk:
            set_choices(self, "leader", [("", _("— none —")), *((u.pk, str(u)) for u in leaders)])
        else:
            for name in ("risk_colour", "risk_reason", "leader"):
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        colour = data.get("risk_colour")
        if colour and colour != self.case.risk_colour and not data.get("risk_reason"):
            self.add_error("risk_reason", _("Say why the risk colour changes."))
        return data

    def changes(self) -> CaseUpdate | None:
        """Only the fields that differ from the case, or None with errors on the form."""
        data, case = self.cleaned_data, self.case
        current = {
            "title": case.title,
            "description": case.description,
            "category": case.category.code,
            "people_involved": case.people_involved,
            "amount": case.amount,
            "risk_colour": case.risk_colour,
            "risk_reason": case.risk_reason,
            "leader": case.leader_id,
        }
        changed = {
            ("leader_id" if name == "leader" else name): data[name]
            for name in current
            if name in self.fields and data.get(name) != current[name]
        }
        if not changed:
            self.add_error(None, _("Nothing was changed."))
            return None
        try:
            return CaseUpdate.model_validate(changed)
        except ValidationError as exc:
            for loc, message in pydantic_errors(exc):
                name = str(loc[0]) if loc else ""
                add_form_error(self, "leader" if name == "leader_id" else name, message)
            return None


class CoHandlingForm(forms.Form):
    department = forms.TypedChoiceField(label=_("Department"), coerce=int)
    task = forms.CharField(
        label=_("Task"), min_length=2, max_length=2000, widget=forms.Textarea(attrs=TEXTAREA)
    )
    deadline = forms.DateTimeField(
        label=_("Deadline"),
        required=False,
        widget=DATETIME_INPUT,
        help_text=_("Empty: the case's resolution deadline."),
    )

    def __init__(
        self, data: Any = None, *, departments: Iterable[Department], **kwargs: Any
    ) -> None:
        super().__init__(data, prefix="co", **kwargs)
        set_choices(self, "department", department_choices(departments))


class SessionForm(forms.Form):
    held_at = forms.DateTimeField(label=_("Held at"), widget=DATETIME_INPUT)
    place = forms.CharField(label=_("Place"), max_length=200)
    participants = forms.CharField(
        label=_("Participants"), max_length=2000, widget=forms.Textarea(attrs=TEXTAREA)
    )
    record = forms.CharField(
        label=_("Record"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        initial = {"held_at": timezone.localtime().replace(second=0, microsecond=0)}
        super().__init__(data, prefix="session", initial=initial, **kwargs)


class AgreementForm(forms.Form):
    terms = forms.CharField(
        label=_("Terms"), min_length=2, max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )
    amount = forms.DecimalField(
        label=_("Amount (yuan)"),
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        initial=Decimal("0"),
    )
    performance_deadline = forms.DateField(label=_("Perform by"), required=False, widget=DATE_INPUT)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, prefix="agreement", **kwargs)


class PerformanceForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[("performed", _("Performed")), ("refused", _("Refused"))],
        widget=forms.HiddenInput(),
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)

    def __init__(self, data: Any = None, *, agreement_id: int, **kwargs: Any) -> None:
        super().__init__(data, prefix=f"perf-{agreement_id}", **kwargs)


class ConfirmationRequestForm(forms.Form):
    court = forms.TypedChoiceField(label=_("Court"), coerce=int)

    def __init__(
        self, data: Any = None, *, agreement_id: int, courts: Iterable[Department], **kwargs: Any
    ) -> None:
        super().__init__(data, prefix=f"conf-{agreement_id}", **kwargs)
        set_choices(self, "court", department_choices(courts))


class ConfirmationDecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("confirm", _("Confirm")), ("reject", _("Reject"))], widget=forms.HiddenInput()
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)

    def __init__(self, data: Any = None, *, confirmation_id: int, **kwargs: Any) -> None:
        super().__init__(data, prefix=f"dec-{confirmation_id}", **kwargs)


class ProtectiveOrderForm(forms.Form):
    court = forms.TypedChoiceField(label=_("Issuing court"), coerce=int)
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE_INPUT)
    measures = forms.CharField(
        label=_("Measures"), max_length=5000, widget=forms.Textarea(attrs=TEXTAREA)
    )
    issued_at = forms.DateTimeField(label=_("Issued at"), required=False, widget=DATETIME_INPUT)

    def __init__(self, data: Any = None, *, courts: Iterable[Department], **kwargs: Any) -> None:
        super().__init__(data, prefix="po", **kwargs)
        set_choices(self, "court", department_choices(courts))
