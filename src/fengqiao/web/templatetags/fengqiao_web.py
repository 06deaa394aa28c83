"""Display helpers for the server-rendered pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from fengqiao.orgs.models import Level

register = template.Library()


@register.filter
def unit_name(unit: Any) -> str:
    """The unit's English name on English pages when it has one, else its official name."""
    name_en = str(getattr(unit, "name_en", "") or "")
    if name_en and (get_language() or "").startswith("en"):
        return name_en
    return str(unit.name)


@register.simple_tag
def level_badge(level: int) -> SafeString:
    try:
        label = str(Level(level).label)
    except ValueError:
        label = str(level)
    return format_html('<span class="badge level-{}">{}</span>', level, label)


@register.filter
def number_or_dash(value: int | None) -> str:
    """A count with thousands grouping, or a dash when it is not recorded."""
    if value is None:
        return "—"
    return number_format(value, force_grouping=True)
