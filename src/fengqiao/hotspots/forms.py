"""The hotspot page's filters: major category and district/township in the viewer's scope."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.core.errors import NotFound
from fengqiao.orgs.models import Level, OrgUnit
from fengqiao.orgs.selectors import unit_get
from fengqiao.taxonomy.models import Category


class HotspotFilterForm(forms.Form):
    category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )
    unit = forms.TypedChoiceField(
        label=_("District or township"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, data: Any = None, *, actor: Any) -> None:
        super().__init__(data)
        self.actor = actor
        english = (get_language() or "").startswith("en")
        majors = Category.objects.filter(parent__isnull=True).order_by("sort_order", "code")
        self._field("category").choices = [
            ("", _("Any category")),
            *((c.pk, f"{c.code} {c.name_en if english else c.name_zh}") for c in majors),
        ]
        units = (
            Jurisdiction.of(actor)
            .units()
            .filter(level__in=[Level.DISTRICT, Level.TOWNSHIP])
            .order_by("path")
            .values_list("pk", "name", "name_en", "level")
        )
        self._field("unit").choices = [
            ("", _("All of my jurisdiction")),
            *(
                (pk, ("\u3000" if level == Level.TOWNSHIP else "") + (name_en or name))
                if english
                else (pk, ("\u3000" if level == Level.TOWNSHIP else "") + name)
                for pk, name, name_en, level in units
            ),
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
