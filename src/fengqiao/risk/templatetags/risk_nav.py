"""The risk sections' sub-navigation, usable from any app's page: ``{% include "risk/_subnav.html" %}``.

Sections of apps not installed (or not yet built) are skipped: their URL names do not resolve.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

register = template.Library()


@dataclass(frozen=True)
class Section:
    label: str | Promise
    url_name: str
    args: tuple[str, ...] = ()
    # The section is highlighted while the current view's name starts with one of these.
    active_prefixes: tuple[str, ...] = ()


SECTIONS: tuple[Section, ...] = (
    Section(_("Overview"), "risk:home", active_prefixes=("risk:home",)),
    Section(_("Boards"), "risk:board", ("red",), ("risk:board", "risk:meeting_record")),
    Section(_("Dispatch meetings"), "risk:meetings", (), ("risk:meetings", "risk:meeting_detail")),
    Section(
        _("Warnings"),
        "early_warning:list",
        (),
        ("early_warning:list", "early_warning:detail", "early_warning:warning"),
    ),
    Section(_("Risk points"), "early_warning:points", (), ("early_warning:point",)),
    Section(_("Hotspots"), "hotspots:list", (), ("hotspots:",)),
    Section(_("Labour risk"), "labour:list", (), ("labour:",)),
    Section(_("Safety index"), "safety:index", (), ("safety:",)),
)


@dataclass(frozen=True)
class SectionLink:
    label: str | Promise
    url: str
    active: bool


def section_links(view_name: str) -> list[SectionLink]:
    links = []
    for section in SECTIONS:
        try:
            url = reverse(section.url_name, args=section.args)
        except NoReverseMatch:
            continue
        active = any(view_name.startswith(prefix) for prefix in section.active_prefixes)
        links.append(SectionLink(section.label, url, active))
    return links


@register.simple_tag(takes_context=True)
def risk_sections(context: dict[str, Any]) -> list[SectionLink]:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    return section_links((match.view_name or "") if match is not None else "")
