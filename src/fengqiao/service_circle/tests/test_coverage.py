"""Coverage on the small region, with expectations worked out by hand.

Grids are 0.01° squares; each is measured at a 5 × 5 lattice of cell centres (offsets 0.001,
0.003, … 0.009°). Near 29.005° N, 0.001° of longitude is 0.09724 km and 0.001° of latitude
0.11120 km. With ``hand_config`` walking reaches 0.5 km in 15 minutes, driving 1.0 km.
"""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from fengqiao.orgs.models import Level, Station, StationKind
from fengqiao.service_circle.coverage import coverage_compute, coverage_request, sample_points
from fengqiao.service_circle.models import CoverageCell, CoverageRun, CoverageStatus, RunStatus
from fengqiao.service_circle.report import coverage_report
from fengqiao.service_circle.selectors import coverage_cells, gaps, suggest_stations, summarise
from fengqiao.service_circle.tasks import coverage_run
from fengqiao.service_circle.tests.conftest import set_population
from fengqiao.testing.region import SmallRegion, square


def cell(run: CoverageRun, region: SmallRegion, key: str) -> CoverageCell:
    return CoverageCell.objects.get(run=run, unit=region.unit(key))


class TestSamples:
    def test_a_square_gets_a_five_by_five_lattice(self) -> None:
        from fengqiao.orgs.geometry import parse_boundary

        lngs, _lats = sample_points(parse_boundary(square(105.0, 29.0, 0.01)), 25)
        assert len(lngs) == 25
        assert sorted(set(lngs.round(6))) == [105.001, 105.003, 105.005, 105.007, 105.009]

    def test_a_sliver_is_measured_at_its_representative_point(self) -> None:
        from fengqiao.orgs.geometry import parse_boundary

        sliver = {
            "type": "Polygon",
            "coordinates": [[[105.0, 29.0], [105.01, 29.0], [105.01, 29.00001], [105.0, 29.0]]],
        }
        lngs, _lats = sample_points(parse_boundary(sliver), 25)
        assert len(lngs) >= 1


class TestShares:
    def test_hand_computed_shares(
        self, region: SmallRegion, room: Station, hand_config: dict
    ) -> None:
        set_population(region, A1a_g1=1000, A1a_g2=500)
        run = coverage_compute(mode="walk", minutes=15)
        # The room stands at (105.00, 29.005). Sample columns of A1a-g1 lie x = 0.097, 0.292,
        # 0.486, 0.681, 0.875 km east of it; rows y = 0, ±0.222, ±0.445 km. Within 0.5 km:
        #   x 0.097: y² ≤ 0.25 − 0.0095 → |y| ≤ 0.490: all 5 rows
        #   x 0.292: |y| ≤ 0.406: 3 rows;  x 0.486: |y| ≤ 0.117: 1 row;  further: none
        # 9 of 25 points = 0.36 of the area, so 360 of its 1000 people.
        g1 = cell(run, region, "A1a-g1")
        assert (g1.samples, g1.covered_samples) == (25, 9)
        assert g1.share == pytest.approx(0.36)
        assert g1.status == CoverageStatus.PARTLY
        assert g1.covered_population == pytest.approx(360)
        assert g1.uncovered_population == pytest.approx(640)
        # Its centre (105.005, 29.005) is 0.486 km away: 0.486 / 2 km/h = 14.6 minutes.
        assert g1.centre_minutes == pytest.approx(14.59, abs=0.01)
        # A1a-g2 starts 0.97 km east: nothing within reach.
        g2 = cell(run, region, "A1a-g2")
        assert (g2.covered_samples, g2.status) == (0, CoverageStatus.NOT_COVERED)
        # Village A1a (0.02° square, lattice 0.002, 0.006, … °): only the column x = 0.194 km
        # with rows y = −0.334 and +0.111 km is within 0.5 km: 2 of 25 = 0.08. Its population
        # is unknown, so it is the total of its grids, 1500.
        village = cell(run, region, "A1a")
        assert (village.covered_samples, village.level) == (2, Level.VILLAGE)
        assert village.population == 1500
        assert village.covered_population == pytest.approx(120)
        assert (run.status, run.unit_count, run.sample_count) == (RunStatus.DONE, 12, 300)

    def test_a_station_in_the_middle_covers_the_whole_grid(
        self, region: SmallRegion, hand_config: dict
    ) -> None:
        Station.objects.create(
            name="中心工作站",
            kind=StationKind.WORKSTATION,
            org_unit=region.unit("A1a-g1"),
            lat=29.005,
            lng=105.005,
        )
        # The farthest lattice point (0.004°, 0.004°) is √(0.389² + 0.445²) = 0.591 km away:
        # on foot (0.5 km) the corners miss; by car (1.0 km) all 25 points are covered.
        walk = cell(coverage_compute(mode="walk", minutes=15), region, "A1a-g1")
        car = cell(coverage_compute(mode="car", minutes=15), region, "A1a-g1")
        assert walk.status == CoverageStatus.PARTLY
        assert (car.covered_samples, car.status) == (25, CoverageStatus.COVERED)

    def test_kind_filter(self, region: SmallRegion, room: Station, hand_config: dict) -> None:
        run = coverage_compute(mode="walk", minutes=15, kind=StationKind.CENTRE)
        assert cell(run, region, "A1a-g1").covered_samples == 0
        assert run.station_count == 4

    def test_summary(self, region: SmallRegion, room: Station, hand_config: dict) -> None:
        set_population(region, A1a_g1=1000, A1a_g2=500)
        run = coverage_compute(mode="walk", minutes=15)
        summary = summarise(list(coverage_cells(actor=region.users["a1_clerk"], run=run)))
        assert (summary.units, summary.covered, summary.partly, summary.not_covered) == (
            4,
            0,
            1,
            3,
        )
        assert summary.area_share == pytest.approx(0.36 / 4)
        assert summary.population == 1500
        assert summary.units_with_population == 2
        assert summary.population_share == pytest.approx(360 / 1500)


class TestGapsAndSuggestions:
    def test_gaps_sorted_by_uncovered_people(
        self, region: SmallRegion, room: Station, hand_config: dict
    ) -> None:
        set_population(region, A1a_g1=1000, A1a_g2=500, A1b_g1=800)
        run = coverage_compute(mode="walk", minutes=15)
        rows = gaps(list(coverage_cells(actor=region.users["a1_clerk"], run=run)))
        # Uncovered: A1b-g1 800, A1a-g1 640 (1000 × 0.64), A1a-g2 500, A1b-g2 unknown.
        assert [c.unit.code for c in rows] == [
            region.unit(k).code for k in ("A1b-g1", "A1a-g1", "A1a-g2", "A1b-g2")
        ]

    def test_greedy_pick(self, region: SmallRegion, hand_config: dict) -> None:
        set_population(region, A1a_g1=1000, A1a_g2=500, A1b_g1=800, A1b_g2=300)
        run = coverage_compute(mode="car", minutes=15)
        open_cells = gaps(list(coverage_cells(actor=region.users["a1_clerk"], run=run)))
        # Grid centres lie on 29.005° N, 0.972 km apart; by car 1.0 km reaches the neighbours:
        #   at A1a-g1: 1000 + 500 = 1500       at A1a-g2: 1000 + 500 + 800 = 2300
        #   at A1b-g1: 500 + 800 + 300 = 1600  at A1b-g2: 800 + 300 = 1100
        # First pick A1a-g2 (2300); only A1b-g2's 300 is left, reached first from A1b-g1.
        picks = suggest_stations(open_cells, mode="car", minutes=15)
        assert [(p.cell.unit.code, p.gain) for p in picks] == [
            (region.unit("A1a-g2").code, 2300.0),
            (region.unit("A1b-g1").code, 300.0),
        ]
        assert {c.unit.code for c in picks[0].reaches} == {
            region.unit(k).code for k in ("A1a-g1", "A1a-g2", "A1b-g1")
        }
        assert picks[0].by_population is True

    def test_without_population_the_area_decides(
        self, region: SmallRegion, hand_config: dict
    ) -> None:
        run = coverage_compute(mode="car", minutes=15)
        open_cells = gaps(list(coverage_cells(actor=region.users["a2_clerk"], run=run)))
        picks = suggest_stations(open_cells, mode="car", minutes=15)
        # The two A2a grids are neighbours: one site reaches both uncovered grid areas.
        assert len(picks) == 1
        assert picks[0].gain == pytest.approx(2.0)
        assert picks[0].by_population is False


class TestVersions:
    def test_a_run_is_reused_until_stations_change(
        self, region: SmallRegion, room: Station, hand_config: dict
    ) -> None:
        first = coverage_request(mode="walk", minutes=15)
        assert first.status == RunStatus.PENDING
        assert DBTaskResult.objects.filter(task_path__endswith="coverage_run").count() == 1
        coverage_run.call(first.pk)
        again = coverage_request(mode="walk", minutes=15)
        assert (again.pk, again.status) == (first.pk, RunStatus.DONE)
        assert DBTaskResult.objects.filter(task_path__endswith="coverage_run").count() == 1

        room.lng = 105.005
        room.save()
        report = coverage_report(actor=region.users["a1_clerk"], mode="walk", minutes=15)
        # The old figures are shown while the new version is computed by the worker.
        assert report.pending
        assert not report.current
        assert report.run.pk == first.pk
        assert DBTaskResult.objects.filter(task_path__endswith="coverage_run").count() == 2
        pending = CoverageRun.objects.get(status=RunStatus.PENDING)
        coverage_run.call(pending.pk)
        assert list(CoverageRun.objects.values_list("pk", flat=True)) == [pending.pk]
        fresh = coverage_report(actor=region.users["a1_clerk"], mode="walk", minutes=15)
        assert fresh.current
        assert not fresh.pending

    def test_population_change_is_a_new_version(
        self, region: SmallRegion, hand_config: dict
    ) -> None:
        first = coverage_compute(mode="walk", minutes=15)
        set_population(region, A1a_g1=10)
        second = coverage_compute(mode="walk", minutes=15)
        assert second.pk != first.pk
        assert cell(second, region, "A1a-g1").population == 10

    def test_bad_parameters(self, region: SmallRegion) -> None:
        from fengqiao.core.errors import ValidationFailed

        with pytest.raises(ValidationFailed) as caught:
            coverage_request(mode="boat", minutes=0, kind="castle")
        assert [e["field"] for e in caught.value.details["errors"]] == ["mode", "minutes", "kind"]
