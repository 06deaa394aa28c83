"""The cockpit map (child units coloured by density, open-case risk or safety) and hotspot list."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from fengqiao.hotspots import selectors as hotspot_selectors
from fengqiao.hotspots.models import Hotspot
from fengqiao.metrics import fragments, selectors, services
from fengqiao.metrics.fragments import Shape
from fengqiao.orgs.models import OrgUnit
from fengqiao.safety import selectors as safety_selectors

HOTSPOT_LIMIT = 10
COLOUR_ORDER = ("red", "orange", "green")


def hotspots(*, actor: Any, unit: OrgUnit) -> list[Hotspot]:
    selectors.unit_check(actor=actor, unit=unit)
    run = hotspot_selectors.latest_run()
    if run is None:
        return []
    return list(hotspot_selectors.hotspot_list(actor=actor, run=run, unit=unit)[:HOTSPOT_LIMIT])


def _safety(actor: Any, unit: OrgUnit, level: int) -> dict[int, tuple[float, str]]:
    period = safety_selectors.default_period(actor=actor)
    if period is None:
        return {}
    results = safety_selectors.result_list(actor=actor, period=period, level=level, within=unit)
    # The three values the map shows; the result rows would drag two boundaries each along.
    values = results.select_related(None).values_list("unit_id", "index", "colour")
    return {unit_id: (round(index, 1), colour) for unit_id, index, colour in values}


def unit_map(
    *,
    actor: Any,
    unit: OrgUnit,
    start: date,
    end: date,
    category: str,
    channel: str,
    link: Callable[[OrgUnit | Shape], str],
    version: fragments.Versions | None = None,
) -> str:
    """GeoJSON text of the unit's children (a grid shows itself) with every colouring's value.

    With the statistics' ``version``, the boundaries are serialised once per org version and
    the values (case counts, open colours, safety index) cached under the statistics version,
    which a safety-index computation renews too (:mod:`fengqiao.metrics.fragments`).
    """
    selectors.unit_check(actor=actor, unit=unit)
    shapes = fragments.map_shapes(
        unit, version.orgs if version is not None else None, lambda: _shaped(unit)
    )
    key = None
    if version is not None:
        filters = {"start": start, "end": end, "category": category, "channel": channel}
        key = fragments.panel_key(
            "map-values",
            version=version,
            unit=unit,
            scope=fragments.scope_of(actor, "map-values"),
            filters=filters,
            query="",
        )
    registered, colours, safety = fragments.cached(
        key, lambda: (_values(actor, unit, start, end, category, channel, shapes), None)
    )
    features = []
    for shape in shapes:
        count = registered.get(shape.path, 0)
        open_counts = colours.get(shape.path, {})
        worst = next((c for c in COLOUR_ORDER if open_counts.get(c)), "")
        index, safety_colour = safety.get(shape.pk, (None, ""))
        properties = {
            "id": shape.pk,
            "name": shape.name,
            "url": link(shape) if shape.pk != unit.pk else "",
            "registered": count,
            "density": (round(count * 10_000 / shape.population, 2) if shape.population else None),
            "open": {c: open_counts.get(c, 0) for c in COLOUR_ORDER},
            "risk": worst,
            "safety_index": index,
            "safety_colour": safety_colour,
        }
        features.append(
            f'{{"type": "Feature", "id": {shape.pk}, "geometry": {shape.geometry_json}, '
            f'"properties": {json.dumps(properties, cls=DjangoJSONEncoder)}}}'
        )
    return '{"type": "FeatureCollection", "features": [' + ", ".join(features) + "]}"


Values = tuple[dict[str, int], dict[str, dict[str, int]], dict[int, tuple[float, str]]]


def _values(
    actor: Any,
    unit: OrgUnit,
    start: date,
    end: date,
    category: str,
    channel: str,
    shapes: list[Shape],
) -> Values:
    """Cases registered and open cases per colour in each drawn place (by path), and the
    places' safety index (by unit)."""
    registered = services.registered_by_place(
        actor=actor, unit=unit, places=shapes, start=start, end=end, category=category,
        channel=channel,
    )  # fmt: skip
    colours = selectors.colours_by_child(actor=actor, unit=unit, kids=shapes)
    safety = _safety(actor, unit, shapes[0].level) if shapes else {}
    return registered, colours, safety


def _shaped(unit: OrgUnit) -> list[OrgUnit]:
    """The units the map of ``unit`` draws: its active children with a boundary, else itself."""
    fields = ("pk", "name", "path", "level", "population", "boundary")
    # Not ``unit.children``: the related manager reads each row's deferred ``parent_id``.
    active = OrgUnit.objects.filter(parent_id=unit.pk, is_active=True)
    shapes = list(active.filter(boundary__isnull=False).only(*fields).order_by("path"))
    if shapes or active.exists():
        return shapes
    return list(OrgUnit.objects.filter(pk=unit.pk, boundary__isnull=False).only(*fields))
