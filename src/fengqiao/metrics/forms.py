"""The cockpit's filter form: period, major category, channel, breakdown and map colouring."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.taxonomy.models import Category, Channel

DEFAULT_DAYS = 30
BY_CHOICES = (
    ("child", _("Sub-units")),
    ("category", _("Major category")),
    ("channel", _("Channel")),
    ("level", _("Level of the lead unit")),
)
MAP_CHOICES = (
    ("density", _("Case density")),
    ("risk", _("Risk colour of open cases")),
    ("safety", _("Safety index")),
)


def default_period() -> tuple[date, date]:
    end = timezone.localdate()
    return end - timedelta(days=DEFAULT_DAYS - 1), end


class FilterForm(forms.Form):
    """The filters as the panels read them: no choices loaded (the services check the codes)."""

    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"})
    )
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput({"type": "date"}))
    category = forms.CharField(label=_("Major category"), required=False, max_length=16)
    channel = forms.CharField(label=_("Channel"), required=False, max_length=32)
    by = forms.ChoiceField(label=_("Break down by"), required=False, choices=BY_CHOICES)
    colour = forms.ChoiceField(label=_("Colour the map by"), required=False, choices=MAP_CHOICES)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = default_period()
        data["start"] = data.get("start") or first
        data["end"] = data.get("end") or last
        if data["end"] < data["start"]:
            self.add_error("end", _("the end must not be before the start"))
        data["by"] = data.get("by") or "child"
        data["colour"] = data.get("colour") or "density"
        return data

    def values(self) -> dict[str, Any]:
        """The cleaned filters, or the defaults when the form is invalid."""
        if self.is_valid():
            return dict(self.cleaned_data)
        start, end = default_period()
        return {"start": start, "end": end, "category": "", "channel": "", "by": "child",
                "colour": "density"}  # fmt: skip


class CockpitForm(FilterForm):
    """The page's filter form: the same fields, categories and channels offered as choices."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        majors = Category.objects.filter(parent__isnull=True, is_active=True)
        channels = Channel.objects.filter(is_active=True)
        self.fields["category"] = forms.ChoiceField(
            label=_("Major category"),
            required=False,
            choices=[("", _("All")), *((c.code, f"{c.code} {c.name_zh}") for c in majors)],
        )
        self.fields["channel"] = forms.ChoiceField(
            label=_("Channel"),
            required=False,
            choices=[("", _("All")), *((c.code, c.name_zh) for c in channels)],
        )
