"""The cockpit map (child units coloured by density, open-case risk or safety) and hotspot list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fengqiao.hotspots import selectors as hotspot_selectors
from fengqiao.hotspots.models import Hotspot
from fengqiao.metrics import selectors, services
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
    return {r.unit_id: (round(r.index, 1), r.colour) for r in results}


def unit_map(
    *,
    actor: Any,
    unit: OrgUnit,
    start: date,
    end: date,
    category: str,
    channel: str,
    link: Callable[[OrgUnit], str],
) -> dict[str, Any]:
    """GeoJSON of the unit's children (a grid shows itself) with every colouring's value."""
    rows = services.breakdown(
        actor=actor, unit=unit, start=start, end=end, by="child", category=category,
        channel=channel,
    )  # fmt: skip
    registered = {row.unit.pk: row.figures.registered.value or 0 for row in rows if row.unit}
    if not rows:
        figures = services.unit_figures(
            actor=actor, unit=unit, start=start, end=end, category=category, channel=channel
        )
        registered = {unit.pk: figures.registered.value or 0}
    shapes = list(
        OrgUnit.objects.filter(pk__in=list(registered), boundary__isnull=False)
        .only("pk", "name", "path", "level", "population", "boundary")
        .order_by("path")
    )
    colours = selectors.colours_by_child(actor=actor, unit=unit, kids=shapes)
    safety = _safety(actor, unit, shapes[0].level) if shapes else {}
    features = []
    for shape in shapes:
        count = int(registered.get(shape.pk, 0))
        open_counts = colours.get(shape.path, {})
        worst = next((c for c in COLOUR_ORDER if open_counts.get(c)), "")
        index, safety_colour = safety.get(shape.pk, (None, ""))
        features.append(
            {
                "type": "Feature",
                "id": shape.pk,
                "geometry": shape.boundary,
                "properties": {
                    "id": shape.pk,
                    "name": shape.name,
                    "url": link(shape) if shape.pk != unit.pk else "",
                    "registered": count,
                    "density": (
                        round(count * 10_000 / shape.population, 2) if shape.population else None
                    ),
                    "open": {c: open_counts.get(c, 0) for c in COLOUR_ORDER},
                    "risk": worst,
                    "safety_index": index,
                    "safety_colour": safety_colour,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
