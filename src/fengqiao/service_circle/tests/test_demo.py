"""Demo data of the service circle: hours for every demo station, populations where missing, the
default coverage ready; loading twice changes nothing."""

from __future__ import annotations

import io

import pytest

from fengqiao.demo.plan import CITY_CODE, RegionSize
from fengqiao.demo.region import load_demo_region
from fengqiao.demo.service import load_demo_service
from fengqiao.orgs.models import Level, OrgUnit, Station, StationKind
from fengqiao.service_circle.hours import parse_schedule
from fengqiao.service_circle.models import CoverageRun, RunStatus

SMALL = RegionSize(townships=(2, 2), villages=(2, 2), grids=(2, 3))


def test_demo_service(transactional_db: None) -> None:
    load_demo_region(size=SMALL)
    OrgUnit.objects.filter(level__gte=Level.VILLAGE).update(population=None)
    out = io.StringIO()
    first = load_demo_service(stdout=out)
    assert first.created
    assert first.schedules == Station.objects.count()
    assert OrgUnit.objects.filter(level__gte=Level.VILLAGE, population__isnull=True).count() == 0
    police = Station.objects.filter(kind=StationKind.POLICE_SUBCENTRE).first()
    assert police is not None
    assert parse_schedule(police.opening_schedule) == dict.fromkeys(range(7), ((0, 1440),))
    # A village holds the people of its grids.
    village = OrgUnit.objects.filter(level=Level.VILLAGE).first()
    assert village is not None
    grids = OrgUnit.objects.filter(parent=village)
    assert village.population == sum(g.population or 0 for g in grids)
    run = CoverageRun.objects.get()
    assert run.status == RunStatus.DONE
    assert first.grids == run.cells.filter(level=5).count()
    assert "Service circle:" in out.getvalue()

    again = load_demo_service()
    assert not again.created
    assert (again.schedules, again.populations) == (0, 0)
    assert CoverageRun.objects.count() == 1


@pytest.mark.django_db
def test_without_the_demo_region_nothing_happens() -> None:
    assert not OrgUnit.objects.filter(code=CITY_CODE).exists()
    assert load_demo_service().created is False
