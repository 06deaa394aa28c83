"""Reads of the citizen service: what a citizen may see of their case, the grid map, categories.

Nothing here takes a user: the status view is only ever built for a case that
``case_by_tracking`` has matched to its tracking code and phone, and the map and the category
list are public by nature (boundaries and names of places and of kinds of dispute, no people).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import shapely
from django.db.models import Count, Max, QuerySet
from django.utils.functional import Promise

from fengqiao.cases.models import Case
from fengqiao.cases.states import OPEN_STATUSES, CaseStatus
from fengqiao.orgs.geometry import InvalidGeometry, parse_boundary
from fengqiao.orgs.models import Level, OrgUnit
from fengqiao.public.wording import STATUS_EXPLANATION, STATUS_LABEL, event_title
from fengqiao.taxonomy.models import Category, CategoryKind

# A merged case points at the case it joined, which may itself have been merged later.
_MAX_MERGE_HOPS = 5
# About two metres: invisible at the zoom a citizen taps at, and it halves the layer's size.
SIMPLIFY_DEGREES = 0.00002


@dataclass(frozen=True)
class PublicEvent:
    at: datetime
    title: str | Promise
    note: str


@dataclass(frozen=True)
class PublicStatus:
    tracking_code: str
    status: str
    status_label: str | Promise
    status_explanation: str | Promise
    is_open: bool
    category: str
    major_category: str
    registered_at: datetime
    events: list[PublicEvent]
    # Set when the case was merged: the status of the case that carries on the handling.
    continued_status_label: str | Promise | None = None


def _public_events(case: Case) -> list[PublicEvent]:
    events = case.events.filter(public=True).order_by("at", "pk")
    return [
        PublicEvent(
            at=event.at,
            title=event_title(event.kind, event.action, event.to_status),
            note=_public_note(event.data),
        )
        for event in events.only("at", "kind", "action", "to_status", "data")
    ]


def _public_note(data: Any) -> str:
    note = data.get("public_note", "") if isinstance(data, dict) else ""
    return note.strip() if isinstance(note, str) else ""


def _continued_status(case: Case) -> str | Promise | None:
    current = case
    for _hop in range(_MAX_MERGE_HOPS):
        if current.status != CaseStatus.MERGED or current.merged_into is None:
            break
        current = current.merged_into
    if current is case:
        return None
    return STATUS_LABEL.get(current.status, current.status)


def status_view(case: Case) -> PublicStatus:
    """The citizen's view of a case: status in plain words, category, date, public events."""
    category = case.category
    major = category.parent
    return PublicStatus(
        tracking_code=case.tracking_code,
        status=case.status,
        status_label=STATUS_LABEL.get(case.status, case.status),
        status_explanation=STATUS_EXPLANATION.get(case.status, ""),
        is_open=case.status in OPEN_STATUSES,
        category=category.name,
        major_category=major.name if major is not None else "",
        registered_at=case.created_at,
        events=_public_events(case),
        continued_status_label=_continued_status(case),
    )


def category_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """Active minor categories under their major's name, in the taxonomy's order."""
    minors = (
        Category.objects.filter(kind=CategoryKind.MINOR, is_active=True, parent__is_active=True)
        .select_related("parent")
        .order_by("parent__sort_order", "parent__code", "sort_order", "code")
    )
    groups: dict[str, list[tuple[str, str]]] = {}
    for minor in minors:
        if minor.parent is None:
            continue
        groups.setdefault(minor.parent.name, []).append((minor.code, minor.name))
    return list(groups.items())


def _grids() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(level=Level.GRID, is_active=True, boundary__isnull=False)


def grid_layer_etag() -> str:
    """Changes whenever a grid is added, edited or removed: the map's cache validator."""
    row = OrgUnit.objects.filter(level=Level.GRID).aggregate(n=Count("id"), last=Max("updated_at"))
    last = row["last"].timestamp() if row["last"] else 0
    return f"grids-{row['n']}-{last:.6f}"


def _lighter(boundary: Any) -> Any:
    """The boundary simplified to about two metres and rounded to six decimals: a phone
    downloads the whole layer, and the server, not the drawing, decides the grid of a point."""
    try:
        geometry = parse_boundary(boundary).simplify(SIMPLIFY_DEGREES, preserve_topology=True)
    except InvalidGeometry:
        return boundary
    return json.loads(shapely.to_geojson(shapely.set_precision(geometry, 1e-6)))


def grid_feature_collection() -> dict[str, Any]:
    """Grid boundaries and grid names as GeoJSON, for the map on the submission form."""
    features = [
        {"type": "Feature", "geometry": _lighter(boundary), "properties": {"name": name}}
        for name, boundary in _grids().order_by("path").values_list("name", "boundary")
    ]
    return {"type": "FeatureCollection", "features": features}


@functools.lru_cache(maxsize=2)
def grid_layer_bytes(etag: str) -> bytes:
    """The encoded layer, built once per process for each version of the grid layer."""
    return json.dumps(grid_feature_collection(), ensure_ascii=False, separators=(",", ":")).encode()
