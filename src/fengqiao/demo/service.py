"""Demo data of the 15-minute service circle: weekly opening hours for the demo stations (matching
the hours printed on each, ``demo/names.py``), populations for any demo village or grid still
without one, and the default coverage computed so the page opens ready. Loaded by ``init --demo``;
running it again changes nothing.

Populations are drawn from the same seed: a grid holds a few hundred to a few thousand people
(urban communities are denser), a village the total of its grids.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from fengqiao.demo.plan import CITY_CODE, DEFAULT_SEED
from fengqiao.orgs.models import Level, OrgUnit, Station, StationKind, subtree_range_kwargs
from fengqiao.service_circle.config import circle_config
from fengqiao.service_circle.coverage import coverage_compute

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
ALL_DAYS = (*WEEKDAYS, "sat", "sun")


def _week(days: tuple[str, ...], *intervals: tuple[str, str]) -> dict[str, Any]:
    return {day: [list(i) for i in intervals] for day in days}


# The same hours as the text of names.OPENING_HOURS / HOURS_BIG_CENTRE.
SCHEDULES: dict[str, dict[str, Any]] = {
    StationKind.CENTRE: _week(WEEKDAYS, ("09:00", "17:30")),
    StationKind.POLICE_SUBCENTRE: _week(ALL_DAYS, ("00:00", "24:00")),
    StationKind.MEDIATION_ROOM: _week(WEEKDAYS, ("09:00", "17:00")),
    StationKind.WORKSTATION: _week((*WEEKDAYS, "sat"), ("08:30", "17:30")),
}
BIG_CENTRE = _week(ALL_DAYS, ("09:00", "17:30"))


@dataclass(frozen=True)
class DemoServiceSummary:
    created: bool
    schedules: int
    populations: int
    covered_grids: int
    grids: int

    def summary(self) -> str:
        return (
            f"{self.schedules} station schedules, {self.populations} populations, "
            f"{self.covered_grids}/{self.grids} grids within the circle"
        )


def load_demo_service(
    stdout: TextIO | None = None, *, seed: int = DEFAULT_SEED
) -> DemoServiceSummary:
    city_path = OrgUnit.objects.filter(code=CITY_CODE).values_list("path", flat=True).first()
    if city_path is None:
        if stdout is not None:
            stdout.write("Service circle: no demo region; nothing loaded\n")
        return DemoServiceSummary(False, 0, 0, 0, 0)
    within = subtree_range_kwargs("org_unit__path", city_path)
    stations = list(
        Station.objects.filter(opening_schedule__isnull=True, **within).select_related("org_unit")
    )
    units = list(
        OrgUnit.objects.filter(
            level__in=[Level.VILLAGE, Level.GRID],
            population__isnull=True,
            **subtree_range_kwargs("path", city_path),
        ).order_by("-level", "path")
    )
    rng = random.Random(seed)
    now = timezone.now()
    for station in stations:
        big = station.org_unit.level <= Level.DISTRICT and station.kind == StationKind.CENTRE
        station.opening_schedule = BIG_CENTRE if big else SCHEDULES[station.kind]
        station.updated_at = now
    grid_totals: dict[int, int] = {}
    for unit in units:
        if unit.level == Level.GRID:
            urban = unit.name.find("社区") >= 0
            unit.population = rng.randint(600, 3200) if urban else rng.randint(250, 1400)
            if unit.parent_id is not None:
                grid_totals[unit.parent_id] = grid_totals.get(unit.parent_id, 0) + unit.population
        else:
            unit.population = grid_totals.get(unit.pk) or rng.randint(1500, 9000)
        unit.updated_at = now
    with transaction.atomic():
        Station.objects.bulk_update(stations, ["opening_schedule", "updated_at"], batch_size=500)
        OrgUnit.objects.bulk_update(units, ["population", "updated_at"], batch_size=500)
    config = circle_config()
    run = coverage_compute(mode=config.default_mode, minutes=config.coverage_minutes)
    grids = run.cells.filter(level=Level.GRID)
    summary = DemoServiceSummary(
        created=bool(stations or units),
        schedules=len(stations),
        populations=len(units),
        covered_grids=grids.filter(status="covered").count(),
        grids=grids.count(),
    )
    if stdout is not None:
        stdout.write(f"Service circle: {summary.summary()}\n")
    return summary
