"""Scoped reads of the service circle: coverage of the grids and villages the actor sees, the
gaps, the greedy suggestion for the next station, and the coverage map."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import QuerySet

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.orgs.models import Level, OrgUnit, subtree_range_kwargs
from fengqiao.service_circle.config import circle_config
from fengqiao.service_circle.geo import pairwise_km
from fengqiao.service_circle.models import CoverageCell, CoverageRun, CoverageStatus, RunStatus

# Greedy candidates are the worst gaps; beyond this many the pick hardly changes and the
# candidate × gap distance matrix would grow past a few megabytes.
MAX_CANDIDATES = 600


def latest_done_run(*, mode: str, minutes: int, kind: str = "") -> CoverageRun | None:
    """The newest computed run of the question (possibly of an older version)."""
    return (
        CoverageRun.objects.filter(mode=mode, minutes=minutes, kind=kind, status=RunStatus.DONE)
        .order_by("-computed_at")
        .first()
    )


def coverage_cells(
    *, actor: Any, run: CoverageRun, level: int = Level.GRID, within: OrgUnit | None = None
) -> QuerySet[CoverageCell]:
    cells = CoverageCell.objects.filter(
        Jurisdiction.of(actor).unit_q("unit_path"), run=run, level=level
    )
    if within is not None:
        cells = cells.filter(**subtree_range_kwargs("unit_path", within.path))
    return cells.select_related("unit").order_by("unit_path")


@dataclass(frozen=True)
class CoverageSummary:
    units: int
    covered: int
    partly: int
    not_covered: int
    area_share: float  # mean covered share of the units' areas
    population: int  # total where known
    units_with_population: int
    covered_population: float

    @property
    def population_share(self) -> float | None:
        return self.covered_population / self.population if self.population else None


def summarise(cells: list[CoverageCell]) -> CoverageSummary:
    known = [c for c in cells if c.population is not None]
    return CoverageSummary(
        units=len(cells),
        covered=sum(c.status == CoverageStatus.COVERED for c in cells),
        partly=sum(c.status == CoverageStatus.PARTLY for c in cells),
        not_covered=sum(c.status == CoverageStatus.NOT_COVERED for c in cells),
        area_share=sum(c.share for c in cells) / len(cells) if cells else 0.0,
        population=sum(c.population or 0 for c in known),
        units_with_population=len(known),
        covered_population=sum(c.covered_population or 0.0 for c in known),
    )


def gaps(cells: list[CoverageCell]) -> list[CoverageCell]:
    """Units not fully covered, most uncovered people first, then least covered area."""
    open_cells = [c for c in cells if c.status != CoverageStatus.COVERED]
    return sorted(
        open_cells,
        key=lambda c: (-(c.uncovered_population or 0.0), c.share, c.unit_path),
    )


@dataclass(frozen=True)
class Suggestion:
    rank: int
    cell: CoverageCell  # the gap whose representative point is proposed
    lat: float
    lng: float
    gain: float  # uncovered people (or grids, by area, when no population is known) it reaches
    reaches: list[CoverageCell]
    by_population: bool


def suggest_stations(
    gap_cells: list[CoverageCell], *, mode: str, minutes: int, count: int = 0
) -> list[Suggestion]:
    """Greedy sites for the next stations among the gaps' representative points.

    A site reaches a gap when the gap's representative point is within ``minutes`` by ``mode``;
    its gain is the uncovered population of the gaps it reaches that no earlier pick reached.
    Without any known population, the gain is the uncovered share of the grids' areas.
    """
    config = circle_config()
    count = count or config.suggestions
    if not gap_cells:
        return []
    by_population = any(c.population is not None for c in gap_cells)
    weights = np.asarray(
        [(c.uncovered_population or 0.0) if by_population else 1.0 - c.share for c in gap_cells],
        dtype=np.float64,
    )
    lats = np.asarray([c.lat for c in gap_cells])
    lngs = np.asarray([c.lng for c in gap_cells])
    candidates = np.argsort(-weights, kind="stable")[:MAX_CANDIDATES]
    reach = pairwise_km(lats[candidates], lngs[candidates], lats, lngs) <= config.reach_km(
        mode, minutes
    )
    remaining = weights.copy()
    picks: list[Suggestion] = []
    for rank in range(1, count + 1):
        gains = reach @ remaining
        best = int(np.argmax(gains))
        if gains[best] <= 0:
            break
        reached = np.flatnonzero(reach[best] & (remaining > 0))
        cell = gap_cells[int(candidates[best])]
        picks.append(
            Suggestion(
                rank=rank,
                cell=cell,
                lat=cell.lat,
                lng=cell.lng,
                gain=float(gains[best]),
                reaches=[gap_cells[int(i)] for i in reached],
                by_population=by_population,
            )
        )
        remaining[reach[best]] = 0.0
    return picks


def coverage_features(cells: list[CoverageCell]) -> dict[str, Any]:
    """GeoJSON of the cells' units coloured by status (cells come from :func:`coverage_cells`)."""
    boundaries = dict(
        OrgUnit.objects.filter(pk__in=[c.unit_id for c in cells]).values_list("pk", "boundary")
    )
    features = []
    for c in cells:
        geometry = boundaries.get(c.unit_id)
        if not geometry:
            continue
        features.append(
            {
                "type": "Feature",
                "id": c.unit_id,
                "geometry": geometry,
                "properties": {
                    "id": c.unit_id,
                    "code": c.unit.code,
                    "name": c.unit.name,
                    "level": c.level,
                    "status": c.status,
                    "share": round(c.share, 4),
                    "population": c.population,
                    "uncovered_population": (
                        None if c.uncovered_population is None else round(c.uncovered_population)
                    ),
                    "centre_minutes": (
                        None if c.centre_minutes is None else round(c.centre_minutes, 1)
                    ),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
