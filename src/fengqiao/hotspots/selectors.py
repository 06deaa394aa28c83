"""Reads of hotspots and counts, scoped to what the acting user may see (by grid path).

Runs themselves are system-wide bookkeeping (when, which method, how many series); the hotspots
of a run and any figure about them are filtered by the viewer's jurisdiction.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.core.errors import NotFound
from fengqiao.hotspots.models import DailyCaseCount, Hotspot, HotspotRun, RunStatus
from fengqiao.orgs.models import Level, OrgUnit, subtree_range_kwargs

# The map draws every grid in view up to this many; beyond, only the grids with a hotspot.
MAP_GRID_LIMIT = 3000


def latest_run() -> HotspotRun | None:
    return HotspotRun.objects.filter(status=RunStatus.DONE).order_by("-finished_at", "-pk").first()


def pending_run() -> HotspotRun | None:
    return (
        HotspotRun.objects.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING])
        .order_by("-created_at", "-pk")
        .first()
    )


def run_get(*, actor: Any, run_id: int) -> HotspotRun:
    if Jurisdiction.of(actor).user_id is None:
        raise NotFound("hotspot run not found")
    run = HotspotRun.objects.filter(pk=run_id).first()
    if run is None:
        raise NotFound("hotspot run not found")
    return run


def run_list(*, limit: int = 15) -> QuerySet[HotspotRun]:
    return HotspotRun.objects.select_related("requested_by").order_by("-created_at", "-pk")[:limit]


def hotspot_list(
    *,
    actor: Any,
    run: HotspotRun,
    unit: OrgUnit | None = None,
    category_id: int | None = None,
) -> QuerySet[Hotspot]:
    """The run's hotspots inside the actor's jurisdiction (and ``unit``), most significant first."""
    hotspots = run.hotspots.filter(Jurisdiction.of(actor).unit_q("grid_path"))
    if unit is not None:
        hotspots = hotspots.filter(**subtree_range_kwargs("grid_path", unit.path))
    if category_id is not None:
        hotspots = hotspots.filter(Q(category_id=category_id) | Q(category__parent_id=category_id))
    return hotspots.select_related(
        "grid", "grid__parent", "grid__parent__parent", "category"
    ).order_by("rank")


def daily_counts(*, actor: Any) -> QuerySet[DailyCaseCount]:
    """The counts table within the actor's jurisdiction (for the cockpit and exports)."""
    return DailyCaseCount.objects.filter(Jurisdiction.of(actor).unit_q("grid_path"))


def grid_map(
    *, actor: Any, run: HotspotRun | None, unit: OrgUnit | None, category_id: int | None
) -> dict[str, Any]:
    """GeoJSON of the grids in view, each with its highest hotspot score in the run (or 0)."""
    scores: dict[int, dict[str, Any]] = {}
    if run is not None:
        # Ranked most significant first: a grid's first hotspot carries its score and text.
        for hotspot in hotspot_list(actor=actor, run=run, unit=unit, category_id=category_id):
            info = scores.setdefault(
                hotspot.grid_id,
                {"score": hotspot.score, "explanation": hotspot.explanation, "hotspots": 0},
            )
            info["hotspots"] += 1
    grids = Jurisdiction.of(actor).units().filter(level=Level.GRID, boundary__isnull=False)
    if unit is not None:
        grids = grids.filter(**subtree_range_kwargs("path", unit.path))
    if grids.count() > MAP_GRID_LIMIT:
        grids = grids.filter(pk__in=list(scores))
    features = []
    for grid in grids.only("pk", "name", "boundary").order_by("path"):
        info = scores.get(grid.pk, {})
        features.append(
            {
                "type": "Feature",
                "id": grid.pk,
                "geometry": grid.boundary,
                "properties": {
                    "id": grid.pk,
                    "name": grid.name,
                    "score": info.get("score", 0.0),
                    "hotspots": info.get("hotspots", 0),
                    "explanation": info.get("explanation", ""),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
