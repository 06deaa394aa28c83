"""The case filter form shared by the case list, the queues and the exports.

The form validates the query string (a bad value is a form error, never a 500) and turns it into
arguments for :func:`fengqiao.cases.selectors.case_list`; every read here goes through the
selectors, so a filter can only narrow what the user may already see.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.db.models import Case as SqlCase
from django.db.models import IntegerField, QuerySet, Value, When
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.cases import selectors
from fengqiao.cases.handling.models import Assignment
from fengqiao.cases.models import Case
from fengqiao.cases.states import CaseStatus
from fengqiao.core.errors import NotFound
from fengqiao.orgs.models import OrgUnit
from fengqiao.orgs.selectors import unit_get
from fengqiao.taxonomy.models import Category, Channel, RiskColour

# The unit picker lists the user's own units and two levels below them; a deeper unit can still
# be chosen by id (a link from a unit page), it is then added to the choices.
UNIT_CHOICE_DEPTH = 2
UNIT_CHOICE_LIMIT = 400

ORDER_CHOICES = [
    ("deadline", _("Deadline, soonest first")),
    ("newest", _("Newest first")),
    ("oldest", _("Oldest first")),
    ("risk", _("Risk, red first")),
]
OVERDUE_CHOICES = [
    ("", pgettext_lazy("overdue filter", "Any")),
    ("yes", _("Overdue")),
    ("no", _("Not overdue")),
]
# Red before orange before green; the colour codes themselves sort the other way round.
RISK_RANK = SqlCase(
    When(risk_colour=RiskColour.RED, then=Value(0)),
    When(risk_colour=RiskColour.ORANGE, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
# Filters that narrow a queue; the queues keep their own sort and their own unit rule.
QUEUE_FIELDS = ("q", "category", "risk", "overdue")


def filter_data(query: QueryDict) -> QueryDict:
    """The query string to bind, minus paging; an untouched page shows the open cases."""
    data = query.copy()
    data.pop("page", None)
    if not any(value for value in data.values()):
        data["open"] = "on"
    return data


def clean_query(query: QueryDict) -> str:
    """The query string without paging and empty values, for links, exports and pushed URLs."""
    pairs = [
        (key, value)
        for key, values in query.lists()
        if key != "page"
        for value in values
        if value != ""
    ]
    return urlencode(pairs)


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Number, title, description or address")}
        ),
    )
    status = forms.MultipleChoiceField(
        label=_("Status"),
        required=False,
        choices=CaseStatus.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    open = forms.BooleanField(label=_("Open cases only"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    risk = forms.ChoiceField(
        label=_("Risk colour"),
        required=False,
        choices=[("", pgettext_lazy("risk filter", "Any colour")), *RiskColour.choices],
    )
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    overdue = forms.ChoiceField(label=_("Overdue"), required=False, choices=OVERDUE_CHOICES)
    created_from = forms.DateField(
        label=_("Registered from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        label=_("Registered until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    order = forms.ChoiceField(label=_("Sort by"), required=False, choices=ORDER_CHOICES)

    def __init__(self, data: Any = None, *, actor: Any) -> None:
        super().__init__(data)
        self.actor = actor
        self._unit: OrgUnit | None = None
        _choice_field(self, "category").choices = _category_choices()
        _choice_field(self, "channel").choices = [
            ("", _("Any channel")),
            *(
                (c.code, c.name)
                for c in Channel.objects.only("code", "name_zh", "name_en").order_by(
                    "sort_order", "code"
                )
            ),
        ]
        _choice_field(self, "unit").choices = self._unit_choices(data)

    def _unit_choices(self, data: Any) -> list[tuple[Any, Any]]:
        jurisdiction = Jurisdiction.of(self.actor)
        roots = list(jurisdiction.root_units().values_list("level", flat=True))
        units = jurisdiction.units()
        if roots:
            units = units.filter(level__lte=min(roots) + UNIT_CHOICE_DEPTH)
        top = min(roots, default=1)
        choices: list[tuple[Any, Any]] = [("", _("All units in my jurisdiction"))]
        shown: set[int] = set()
        english = (get_language() or "").startswith("en")
        rows = units.order_by("path").values_list("pk", "name", "name_en", "level")
        for pk, name, name_en, level in rows[:UNIT_CHOICE_LIMIT]:
            label = name_en if english and name_en else name
            choices.append((pk, "\u3000" * max(level - top, 0) + label))
            shown.add(pk)
        requested = _int_or_none(data.get("unit") if data is not None else None)
        if requested is not None and requested not in shown:
            extra = jurisdiction.units().filter(pk=requested).values_list("name", flat=True)
            choices.extend((requested, name) for name in extra)
        return choices

    def clean_unit(self) -> OrgUnit | None:
        unit_id = self.cleaned_data.get("unit")
        if unit_id is None:
            return None
        try:
            self._unit = unit_get(actor=self.actor, unit_id=unit_id)
        except NotFound as exc:
            raise forms.ValidationError(
                _("This unit does not exist or is outside your jurisdiction."), code="unit"
            ) from exc
        return self._unit

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("created_from"), cleaned.get("created_to")
        if start and end and start > end:
            self.add_error("created_to", _("The end date is before the start date."))
        return cleaned

    def selector_kwargs(self) -> dict[str, Any]:
        """Arguments for :func:`selectors.case_list`; call only when the form is valid."""
        data = self.cleaned_data
        start: date | None = data.get("created_from")
        end: date | None = data.get("created_to")
        return {
            "status": data.get("status") or None,
            "open_only": bool(data.get("open")),
            "category_code": data.get("category") or "",
            "channel_code": data.get("channel") or "",
            "risk_colour": data.get("risk") or "",
            "unit": data.get("unit"),
            "q": (data.get("q") or "").strip(),
            "overdue": {"yes": True, "no": False}.get(data.get("overdue") or ""),
            "created_from": _local_midnight(start) if start else None,
            # "Until" includes the whole end day.
            "created_to": _local_midnight(end + timedelta(days=1)) if end else None,
            "order": data.get("order") or "deadline",
        }

    def narrows_queue(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.get(name) for name in QUEUE_FIELDS)


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast("forms.ChoiceField", form.fields[name])


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _category_choices() -> list[tuple[str, Any]]:
    """Major categories as groups whose first entry selects the whole major category."""
    categories = list(
        Category.objects.only("code", "name_zh", "name_en", "parent_id").order_by(
            "sort_order", "code"
        )
    )
    minors: dict[int | None, list[Category]] = {}
    for category in categories:
        minors.setdefault(category.parent_id, []).append(category)
    choices: list[tuple[str, Any]] = [("", _("Any category"))]
    everything = _("all")
    for major in minors.get(None, []):
        options = [(major.code, f"{major.code} {major.name} · {everything}")]
        options += [(m.code, f"{m.code} {m.name}") for m in minors.get(major.pk, [])]
        choices.append((f"{major.code} {major.name}", options))
    return choices


def filtered_cases(*, actor: Any, form: CaseFilterForm) -> QuerySet[Case]:
    """The cases the form selects, scoped by :func:`selectors.case_list`."""
    kwargs = form.selector_kwargs()
    cases = selectors.case_list(actor=actor, **kwargs)
    if kwargs["order"] == "risk":
        cases = cases.order_by(RISK_RANK, "resolve_deadline", "pk")
    return cases


def _queue_scope(actor: Any, form: CaseFilterForm) -> QuerySet[Case, int]:
    kwargs = {k: v for k, v in form.selector_kwargs().items() if k not in {"unit", "order"}}
    return selectors.case_list(actor=actor, **kwargs).values_list("pk", flat=True)


def queue_mine(*, actor: Any, form: CaseFilterForm) -> QuerySet[Assignment]:
    assignments = selectors.queue_mine(actor=actor)
    if form.narrows_queue():
        assignments = assignments.filter(case__in=_queue_scope(actor, form))
    return assignments


def queue_unit(*, actor: Any, form: CaseFilterForm) -> QuerySet[Case]:
    cases = selectors.queue_unit(actor=actor, unit=form.cleaned_data.get("unit"))
    if form.narrows_queue():
        cases = cases.filter(pk__in=_queue_scope(actor, form))
    return cases
