"""Intake forms: what the clerk types, turned into the services' typed inputs.

Django fields check the shape of each value; the pydantic schemas of :mod:`fengqiao.cases.schemas`
check the rest (ID check digits, phone formats) and the services check the world (jurisdiction,
active categories). Errors from all three come back onto the field they concern.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError

from fengqiao.accounts.models import Role
from fengqiao.cases.models import PartyKind, PartyRole
from fengqiao.cases.permissions import role_of
from fengqiao.cases.pii import normalise_id_number, normalise_phone
from fengqiao.cases.schemas import CaseIn, PartyIn, ReportIn
from fengqiao.core.errors import Conflict, DomainError, ValidationFailed
from fengqiao.orgs.models import Level, OrgUnit
from fengqiao.orgs.selectors import unit_list
from fengqiao.taxonomy.models import Category, CategoryKind, Channel, RiskColour

# The channel a role usually registers from; the clerk can change it.
DEFAULT_CHANNEL: dict[str, str] = {Role.CLERK: "window", Role.GRID_WORKER: "grid-patrol"}
# A location select longer than this leaves out the grids (the map finds those).
UNIT_CHOICE_LIMIT = 1500
MAX_PARTIES = 20
TITLE_CHARS = 30

VERSION_CONFLICT = _(
    "This case was changed by someone else while you were working on it. "
    "Reload the page to see the changes, then try again."
)
RESUBMITTED = _(
    "This form was already submitted with different content. "
    "Start a new intake to register another case."
)
FormError = tuple[forms.Form, str | None, str]


# --- choices ------------------------------------------------------------------------------


def channel_choices() -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in Channel.objects.filter(is_active=True)]


def category_choices() -> list[tuple[str, Any]]:
    """Active minor categories grouped under their major category, in taxonomy order."""
    minors = (
        Category.objects.filter(kind=CategoryKind.MINOR, is_active=True)
        .select_related("parent")
        .order_by("parent__sort_order", "parent__code", "sort_order", "code")
    )
    groups: dict[str, list[tuple[str, str]]] = {}
    for minor in minors:
        major = f"{minor.parent.code} {minor.parent.name}" if minor.parent else ""
        groups.setdefault(major, []).append((minor.code, f"{minor.code} {minor.name}"))
    return [("", _("— choose a category —")), *groups.items()]


def category_default_risks() -> dict[str, str]:
    """code → default risk colour, for the page to preset the risk select."""
    return dict(
        Category.objects.filter(kind=CategoryKind.MINOR, is_active=True).values_list(
            "code", "default_risk"
        )
    )


def set_choices(form: forms.Form, name: str, choices: Sequence[tuple[Any, Any]]) -> None:
    cast(forms.ChoiceField, form.fields[name]).choices = choices


def _indented(unit: OrgUnit, top: int) -> str:
    return "\u3000" * max(unit.level - top, 0) + unit.name


def unit_choices(actor: Any) -> list[tuple[Any, Any]]:
    """Townships, villages and grids in the actor's jurisdiction, indented as a tree."""
    units = unit_list(actor=actor).filter(is_active=True, level__gte=Level.TOWNSHIP)
    if units.count() > UNIT_CHOICE_LIMIT:
        units = units.filter(level__lt=Level.GRID)
    rows = list(units.select_related(None).only("pk", "name", "level", "path")[:UNIT_CHOICE_LIMIT])
    top = min((u.level for u in rows), default=Level.TOWNSHIP)
    return [("", _("— on the map, or choose a unit —")), *((u.pk, _indented(u, top)) for u in rows)]


def partner_choices() -> list[tuple[Any, Any]]:
    """Districts and townships anywhere: the other side of a cross-region dispute need not be ours."""
    units = OrgUnit.objects.filter(
        is_active=True, level__in=[Level.DISTRICT, Level.TOWNSHIP]
    ).order_by("path")
    rows = list(units.only("pk", "name", "level", "path"))
    return [("", _("— none —")), *((u.pk, _indented(u, Level.DISTRICT)) for u in rows)]


# --- error mapping --------------------------------------------------------------------------


def pydantic_errors(exc: ValidationError) -> list[tuple[tuple[int | str, ...], str]]:
    """(location, message) pairs, without pydantic's "Value error, " prefix."""
    found = []
    for error in exc.errors():
        message = str(error["msg"]).removeprefix("Value error, ")
        found.append((tuple(error["loc"]), message))
    return found


def add_form_error(form: forms.Form, field: str | None, message: str) -> None:
    """Attach a message to a field the form has, or to the form as a whole."""
    form.add_error(field if field in form.fields else None, message)


def domain_message(exc: DomainError) -> str:
    if isinstance(exc, Conflict) and exc.field == "version":
        return str(VERSION_CONFLICT)
    return exc.message


def apply_domain_error(
    form: forms.Form, exc: DomainError, field_map: Mapping[str, str] | None = None
) -> None:
    field = exc.field or None
    if field is not None and field_map is not None:
        field = field_map.get(field, field)
    add_form_error(form, field, domain_message(exc))


# --- parties ----------------------------------------------------------------------------------


class PartyForm(forms.Form):
    """One party. The ID field takes a resident ID number, or a credit code for organisations."""

    role = forms.ChoiceField(label=_("Role"), choices=PartyRole.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=PartyKind.choices, initial=PartyKind.PERSON)
    name = forms.CharField(label=_("Name"), max_length=100)
    id_number = forms.CharField(
        label=_("ID number / credit code"), max_length=18, required=False, strip=True
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)

    def __init__(self, *args: Any, default_role: str = PartyRole.APPLICANT, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].initial = default_role

    def party_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        ident = data.get("id_number", "")
        organisation = data.get("kind") == PartyKind.ORGANISATION
        return {
            "role": data.get("role"),
            "kind": data.get("kind") or PartyKind.PERSON,
            "name": data.get("name", ""),
            "id_number": "" if organisation else ident,
            "org_code": ident if organisation else "",
            "phone": data.get("phone", ""),
            "address": data.get("address", ""),
        }

    def party_in(self) -> PartyIn | None:
        """The validated party, or None with the schema's errors on this form's fields."""
        try:
            return PartyIn.model_validate(self.party_data())
        except ValidationError as exc:
            for loc, message in pydantic_errors(exc):
                add_form_error(self, _party_field(loc[0] if loc else ""), message)
            return None


def _party_field(name: int | str) -> str:
    return "id_number" if name == "org_code" else str(name)


class BasePartyFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        # The first row is usually the applicant, the next the respondent.
        role = PartyRole.APPLICANT if index in (None, 0) else PartyRole.RESPONDENT
        return {"default_role": role}

    def filled_forms(self) -> list[PartyForm]:
        return [f for f in self.forms if f.has_changed() and f.is_valid()]


PartyFormSet = cast(
    type[BasePartyFormSet],
    forms.formset_factory(
        PartyForm,
        formset=BasePartyFormSet,
        extra=2,
        max_num=MAX_PARTIES,
        validate_max=True,
        absolute_max=MAX_PARTIES,
    ),
)


# --- intake ---------------------------------------------------------------------------------


def derive_title(description: str) -> str:
    """A title from the description's first sentence, for a clerk who leaves the title empty."""
    first = re.split(r"[。！？!?；;\n]", description.strip(), maxsplit=1)[0].strip()
    text = first if len(first) >= 2 else description.strip()
    return text if len(text) <= TITLE_CHARS else text[:TITLE_CHARS].rstrip("，, ") + "…"


class IntakeForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"))
    external_id = forms.CharField(
        label=_("External id"),
        max_length=64,
        required=False,
        help_text=_("Work order or incident number in the channel's own system."),
    )
    reporter_name = forms.CharField(label=_("Reporter"), max_length=100, required=False)
    reporter_phone = forms.CharField(label=_("Reporter phone"), max_length=20, required=False)
    description = forms.CharField(
        label=_("What happened"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5, "autofocus": True}),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the first sentence of the description."),
    )
    category = forms.ChoiceField(label=_("Category"))
    lat = forms.FloatField(
        min_value=-90, max_value=90, required=False, widget=forms.HiddenInput(), label=_("Location")
    )
    lng = forms.FloatField(
        min_value=-180, max_value=180, required=False, widget=forms.HiddenInput()
    )
    unit = forms.TypedChoiceField(
        label=_("Unit (when there is no point)"), coerce=int, required=False, empty_value=None
    )
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    people_involved = forms.IntegerField(
        label=_("People involved"), min_value=1, max_value=1_000_000, initial=1
    )
    amount = forms.DecimalField(
        label=_("Amount involved (yuan)"),
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        required=False,
        initial=Decimal("0"),
    )
    risk_colour = forms.ChoiceField(
        label=_("Risk colour"),
        required=False,
        choices=[("", _("As the category")), *RiskColour.choices],
    )
    risk_reason = forms.CharField(label=_("Why this colour"), max_length=255, required=False)
    cross_region = forms.BooleanField(label=_("Cross-region dispute"), required=False)
    partner_unit = forms.TypedChoiceField(
        label=_("Other jurisdiction"), coerce=int, required=False, empty_value=None
    )
    idempotency_key = forms.CharField(max_length=128, widget=forms.HiddenInput())

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channels = channel_choices()
        set_choices(self, "channel", channels)
        preferred = DEFAULT_CHANNEL.get(role_of(actor))
        if preferred in {code for code, _label in channels}:
            self.fields["channel"].initial = preferred
        set_choices(self, "category", category_choices())
        set_choices(self, "unit", unit_choices(actor))
        set_choices(self, "partner_unit", partner_choices())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("lat") is None) != (data.get("lng") is None):
            self.add_error("lat", _("Give both latitude and longitude, or neither."))
        if data.get("lat") is None and data.get("unit") is None and "unit" not in self.errors:
            self.add_error("unit", _("Mark the place on the map, or choose a unit."))
        if data.get("description") and not data.get("title"):
            data["title"] = derive_title(data["description"])
        if data.get("partner_unit") is not None:
            data["cross_region"] = True
        return data


class PointForm(forms.Form):
    lat = forms.FloatField(min_value=-90, max_value=90)
    lng = forms.FloatField(min_value=-180, max_value=180)


# Where the services' and schemas' field names show up on the intake form.
INTAKE_FIELDS = {
    "report.channel": "channel",
    "report.external_id": "external_id",
    "report.reporter_name": "reporter_name",
    "report.reporter_phone": "reporter_phone",
    "report.content": "description",
    "external_id": "external_id",
    "unit_id": "unit",
    "lng": "lat",
    "partner_unit_ids": "partner_unit",
    "Idempotency-Key": "",
}


@dataclass
class IntakePreview:
    """What the live panels can use from a half-filled form."""

    text: str
    category_code: str
    routing_data: CaseIn | None
    phones: list[str] = field(default_factory=list)
    id_numbers: list[str] = field(default_factory=list)


class IntakeSubmission:
    """The intake form and its parties formset, validated and converted together."""

    def __init__(self, *, actor: Any, data: Mapping[str, Any] | None = None) -> None:
        initial = {"idempotency_key": uuid.uuid4().hex}
        self.form = IntakeForm(data, actor=actor, initial=initial)
        self.parties = PartyFormSet(data, prefix="parties")
        self._party_rows: list[PartyForm] = []

    @property
    def idempotency_key(self) -> str:
        return str(self.form.cleaned_data.get("idempotency_key", ""))

    def is_valid(self) -> bool:
        form_ok = self.form.is_valid()
        parties_ok = self.parties.is_valid()
        return form_ok and parties_ok

    def case_in(self) -> CaseIn | None:
        """The services' input, or None with every problem shown on its field."""
        data = self.form.cleaned_data
        self._party_rows = self.parties.filled_forms()
        payload = {
            "title": data["title"],
            "description": data["description"],
            "category": data["category"],
            "report": {
                "channel": data["channel"],
                "external_id": data.get("external_id", ""),
                "reporter_name": data.get("reporter_name", ""),
                "reporter_phone": data.get("reporter_phone", ""),
                "content": data["description"],
            },
            "lat": data.get("lat"),
            "lng": data.get("lng"),
            "unit_id": data.get("unit"),
            "address": data.get("address", ""),
            "people_involved": data["people_involved"],
            "amount": data.get("amount") or Decimal("0"),
            "risk_colour": data.get("risk_colour") or None,
            "risk_reason": data.get("risk_reason", ""),
            "cross_region": bool(data.get("cross_region")),
            "partner_unit_ids": [data["partner_unit"]] if data.get("partner_unit") else [],
            "parties": [row.party_data() for row in self._party_rows],
        }
        try:
            return CaseIn.model_validate(payload)
        except ValidationError as exc:
            for loc, message in pydantic_errors(exc):
                form, name, text = self._locate(loc, message)
                add_form_error(form, name, text)
            return None

    def _locate(self, loc: Sequence[int | str], message: str) -> FormError:
        row = loc[1] if len(loc) >= 3 and loc[0] == "parties" else None
        if isinstance(row, int) and row < len(self._party_rows):
            return self._party_rows[row], _party_field(loc[2]), message
        name = ".".join(str(part) for part in loc)
        return self.form, INTAKE_FIELDS.get(name, name) or None, message

    def apply_error(self, exc: DomainError) -> None:
        if isinstance(exc, Conflict) and exc.field == "Idempotency-Key":
            self.form.add_error(None, str(RESUBMITTED))
            return
        apply_domain_error(self.form, exc, INTAKE_FIELDS)

    def preview(self) -> IntakePreview:
        """Whatever is usable so far, for the suggestion, duplicate and routing panels."""
        self.form.is_valid()
        self.parties.is_valid()
        data = self.form.cleaned_data
        text = " ".join(filter(None, [data.get("title", ""), data.get("description", "")]))
        phones = _normalised(
            [data.get("reporter_phone", "")]
            + [f.cleaned_data.get("phone", "") for f in self.parties.forms if f.has_changed()],
            normalise_phone,
        )
        id_numbers = _normalised(
            [f.cleaned_data.get("id_number", "") for f in self.parties.forms if f.has_changed()],
            normalise_id_number,
        )
        return IntakePreview(
            text=text,
            category_code=str(data.get("category") or ""),
            routing_data=self._routing_data(data),
            phones=phones,
            id_numbers=id_numbers,
        )

    def _routing_data(self, data: Mapping[str, Any]) -> CaseIn | None:
        has_point = data.get("lat") is not None and data.get("lng") is not None
        if not data.get("category") or not data.get("channel"):
            return None
        if not has_point and data.get("unit") is None:
            return None
        partner = data.get("partner_unit")
        # Routing reads only these fields; title, description and parties are not needed yet.
        return CaseIn.model_construct(
            title="",
            description="",
            category=data["category"],
            report=ReportIn(channel=data["channel"]),
            lat=data.get("lat") if has_point else None,
            lng=data.get("lng") if has_point else None,
            unit_id=data.get("unit"),
            address="",
            people_involved=data.get("people_involved") or 1,
            amount=data.get("amount") or Decimal("0"),
            risk_colour=data.get("risk_colour") or None,
            risk_reason="",
            cross_region=bool(data.get("cross_region")) or partner is not None,
            partner_unit_ids=[partner] if partner is not None else [],
            parties=[],
        )


def _normalised(values: Sequence[Any], normalise: Callable[[str], str]) -> list[str]:
    found: list[str] = []
    for value in values:
        if not value:
            continue
        try:
            found.append(normalise(str(value)))
        except ValidationFailed:
            continue
    return found


# --- another report of an existing case --------------------------------------------------------


class LinkReportForm(forms.Form):
    """Another arrival of the same dispute; the field names match the intake form's."""

    channel = forms.ChoiceField(label=_("Channel"))
    external_id = forms.CharField(label=_("External id"), max_length=64, required=False)
    reporter_name = forms.CharField(label=_("Reporter"), max_length=100, required=False)
    reporter_phone = forms.CharField(label=_("Reporter phone"), max_length=20, required=False)
    description = forms.CharField(
        label=_("What the reporter said"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "channel", channel_choices())

    def report_in(self) -> ReportIn | None:
        data = self.cleaned_data
        try:
            return ReportIn(
                channel=data["channel"],
                external_id=data.get("external_id", ""),
                reporter_name=data.get("reporter_name", ""),
                reporter_phone=data.get("reporter_phone", ""),
                content=data.get("description", ""),
            )
        except ValidationError as exc:
            for loc, message in pydantic_errors(exc):
                name = str(loc[0]) if loc else ""
                add_form_error(self, "description" if name == "content" else name, message)
            return None
