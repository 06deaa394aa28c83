"""One coverage answer for a page, the API and the map: the current run (queued if stale), the
newest computed one shown meanwhile, and the actor's cells, totals, gaps and suggestions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fengqiao.orgs.models import Level, OrgUnit
from fengqiao.service_circle import selectors
from fengqiao.service_circle.coverage import coverage_request
from fengqiao.service_circle.models import CoverageCell, CoverageRun, RunStatus


@dataclass
class CoverageReport:
    mode: str
    minutes: int
    kind: str
    level: int
    run: CoverageRun | None  # what is shown: the newest computed run, possibly stale
    current: bool  # the shown run answers the current stations and units
    pending: bool  # a computation for the current version is queued
    cells: list[CoverageCell] = field(default_factory=list)
    summary: selectors.CoverageSummary | None = None
    gaps: list[CoverageCell] = field(default_factory=list)
    suggestions: list[selectors.Suggestion] = field(default_factory=list)


def coverage_report(
    *,
    actor: Any,
    mode: str,
    minutes: int,
    kind: str = "",
    level: int = Level.GRID,
    within: OrgUnit | None = None,
) -> CoverageReport:
    wanted = coverage_request(mode=mode, minutes=minutes, kind=kind)
    shown = wanted if wanted.status == RunStatus.DONE else None
    if shown is None:
        shown = selectors.latest_done_run(mode=mode, minutes=minutes, kind=kind)
    report = CoverageReport(
        mode=mode,
        minutes=minutes,
        kind=kind,
        level=level,
        run=shown,
        current=shown is not None and shown.pk == wanted.pk,
        pending=wanted.status == RunStatus.PENDING,
    )
    if shown is None:
        return report
    report.cells = list(
        selectors.coverage_cells(actor=actor, run=shown, level=level, within=within)
    )
    report.summary = selectors.summarise(report.cells)
    report.gaps = selectors.gaps(report.cells)
    report.suggestions = selectors.suggest_stations(report.gaps, mode=mode, minutes=minutes)
    return report
