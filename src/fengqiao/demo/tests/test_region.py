"""The demo region: a seeded plan that tiles at every level, loaded once and only once."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

import pytest
import shapely
from shapely.geometry import mapping, shape
from shapely.strtree import STRtree

from fengqiao.accounts.models import Role, User
from fengqiao.accounts.services import user_create
from fengqiao.demo.region import (
    CITY_CODE,
    DEMO_PASSWORD,
    DemoSummary,
    PlannedUnit,
    RegionSize,
    load_demo_region,
    plan_region,
)
from fengqiao.orgs.geometry import parse_boundary, resolve_grid_ids
from fengqiao.orgs.models import (
    Department,
    DepartmentType,
    Level,
    OrgUnit,
    Station,
    Stationing,
    StationingMode,
    StationKind,
)
from fengqiao.orgs.services import org_unit_create

# Same code as the full region, a fraction of the units, so database tests stay quick.
SMALL = RegionSize(townships=(2, 3), villages=(2, 3), grids=(2, 3))


@pytest.fixture(scope="module")
def plan() -> PlannedUnit:
    return plan_region()


def fingerprint(city: PlannedUnit) -> list[tuple[Any, ...]]:
    return [
        (u.code, u.name, u.level, u.population, shapely.to_wkb(u.geometry)) for u in city.walk()
    ]


def by_level(city: PlannedUnit, level: Level) -> list[PlannedUnit]:
    return [unit for unit in city.walk() if unit.level == level]


class TestPlanRegion:
    def test_same_seed_gives_identical_codes_names_and_coordinates(self, plan):
        assert fingerprint(plan_region()) == fingerprint(plan)

    def test_another_seed_gives_another_region(self):
        one, other = plan_region(seed=1, size=SMALL), plan_region(seed=2, size=SMALL)
        assert one.code == other.code
        assert not one.geometry.equals(other.geometry)

    def test_counts_stay_within_the_requested_size(self, plan):
        assert [d.name for d in plan.children] == ["永川区", "渝北区"]
        for district in plan.children:
            assert 7 <= len(district.children) <= 9
        for township in by_level(plan, Level.TOWNSHIP):
            assert 9 <= len(township.children) <= 11
        for village in by_level(plan, Level.VILLAGE):
            assert 4 <= len(village.children) <= 6

    def test_real_township_names_with_the_brief_ones_first(self, plan):
        yongchuan, yubei = plan.children
        assert (yongchuan.children[0].code, yongchuan.children[0].name) == (
            "500118001000",
            "胜利路街道",
        )
        assert (yubei.children[0].code, yubei.children[0].name) == ("500112001000", "龙塔街道")

    def test_codes_nest_and_names_are_unique_among_siblings(self, plan):
        codes = [unit.code for unit in plan.walk()]
        assert len(codes) == len(set(codes))
        for unit in plan.walk():
            names = [child.name for child in unit.children]
            assert len(names) == len(set(names))
            for serial, child in enumerate(unit.children, 1):
                if child.level == Level.TOWNSHIP:
                    assert child.code == f"{unit.code[:6]}{serial:03d}000"
                elif child.level == Level.VILLAGE:
                    assert child.code == f"{unit.code[:9]}{serial:03d}"
                    assert child.name.endswith(("社区", "村"))
                elif child.level == Level.GRID:
                    assert child.code == f"{unit.code}{serial:03d}"
                    assert child.name == f"{unit.name}第{serial}网格"

    def test_children_tile_their_parent_at_every_level(self, plan):
        for parent in plan.walk():
            if not parent.children:
                continue
            parts = [shape(mapping(child.geometry)) for child in parent.children]
            area = parent.geometry.area
            assert abs(sum(part.area for part in parts) - area) <= 1e-9 * area, parent.code
            assert (
                shapely.union_all(parts).symmetric_difference(parent.geometry).area <= 1e-9 * area
            )

    def test_the_two_districts_lie_apart(self, plan):
        yongchuan, yubei = plan.children
        assert yongchuan.geometry.distance(yubei.geometry) > 0.3

    @pytest.mark.parametrize("level", [Level.TOWNSHIP, Level.VILLAGE, Level.GRID])
    def test_no_two_units_of_a_level_overlap(self, plan, level):
        shapes = [shape(mapping(unit.geometry)) for unit in by_level(plan, level)]
        left, right = STRtree(shapes).query(shapes, predicate="intersects")
        pairs = [(i, j) for i, j in zip(left.tolist(), right.tolist(), strict=True) if i < j]
        assert pairs, "neighbours touch, so the tree must report candidate pairs"
        assert max(shapes[i].intersection(shapes[j]).area for i, j in pairs) < 1e-12

    def test_every_boundary_is_a_valid_single_polygon_with_six_decimals(self, plan):
        for unit in plan.walk():
            geometry = parse_boundary(mapping(unit.geometry))
            if unit.level != Level.CITY:
                assert geometry.geom_type == "Polygon", unit.code
                assert not geometry.interiors, unit.code
            coords = shapely.get_coordinates(geometry)
            assert (coords.round(6) == coords).all(), unit.code

    def test_districts_sit_where_they_are_and_span_25_to_35_km(self, plan):
        for district, (lng, lat) in zip(
            plan.children, [(105.93, 29.36), (106.63, 29.72)], strict=True
        ):
            min_x, min_y, max_x, max_y = district.geometry.bounds
            assert min_x < lng < max_x
            assert min_y < lat < max_y
            assert 25 <= (max_x - min_x) * 96.9 <= 35
            assert 25 <= (max_y - min_y) * 110.6 <= 35

    def test_grid_populations_are_plausible_and_add_up(self, plan):
        assert all(800 <= grid.population <= 3000 for grid in by_level(plan, Level.GRID))
        for unit in plan.walk():
            if unit.children:
                assert unit.population == sum(child.population for child in unit.children)


@pytest.fixture
def demo(db: None) -> DemoSummary:
    return load_demo_region(size=SMALL)


def centre_of(code: str) -> Station:
    return Station.objects.get(org_unit__code=code, kind=StationKind.CENTRE)


class TestLoadDemoRegion:
    def test_units_match_the_plan(self, demo):
        planned = {unit.code: unit for unit in plan_region(size=SMALL).walk()}
        rows = {unit.code: unit for unit in OrgUnit.objects.all()}
        assert rows.keys() == planned.keys()
        assert demo.units_per_level == Counter(unit.level for unit in planned.values())
        grid = next(unit for unit in planned.values() if unit.level == Level.GRID)
        assert shape(rows[grid.code].boundary).equals_exact(grid.geometry, 0)

    def test_paths_nest_and_every_grid_has_a_village_parent(self, demo):
        units = OrgUnit.objects.select_related("parent")
        for unit in units:
            if unit.parent is None:
                assert unit.code == CITY_CODE
                continue
            assert unit.level == unit.parent.level + 1
            assert unit.path.startswith(unit.parent.path)
            assert unit.depth == unit.parent.depth + 1
        assert all(u.parent.level == Level.VILLAGE for u in units if u.level == Level.GRID)

    def test_a_point_inside_a_grid_resolves_to_that_grid(self, demo):
        grids = list(OrgUnit.objects.filter(level=Level.GRID).order_by("code")[::3])
        points = [shape(grid.boundary).representative_point() for grid in grids]
        assert resolve_grid_ids([(p.x, p.y) for p in points]) == [grid.id for grid in grids]

    def test_a_point_far_outside_the_city_resolves_to_nothing(self, demo):
        assert resolve_grid_ids([(100.0, 20.0)]) == [None]

    def test_a_second_load_creates_nothing(self, demo):
        models = (OrgUnit, Department, Station, Stationing, User)
        before = [model.objects.count() for model in models]
        out = io.StringIO()
        again = load_demo_region(stdout=out)
        assert [model.objects.count() for model in models] == before
        assert not again.created
        assert "already loaded" in out.getvalue()
        assert (again.units_per_level, again.logins) == (demo.units_per_level, demo.logins)

    def test_district_centres_have_8_resident_18_rotating_and_n_on_call(self, demo):
        for code in ("500118000000", "500112000000"):
            roster = list(Stationing.objects.filter(station=centre_of(code)))
            modes = Counter(s.mode for s in roster)
            assert modes[StationingMode.RESIDENT] == 8
            assert modes[StationingMode.ROTATING] == 18
            assert 3 <= modes[StationingMode.ON_CALL] <= 6
            rotating = [s for s in roster if s.mode == StationingMode.ROTATING]
            weeks = {s.rotation_period_weeks for s in rotating}
            assert len(weeks) == 1
            # Every week of the rotation has somebody in the centre.
            assert {s.rotation_slot for s in rotating} == set(range(weeks.pop()))
            assert all(s.department.org_unit.code == code for s in roster)

    def test_township_centres_have_their_departments_and_a_rotating_court_team(self, demo):
        for township in OrgUnit.objects.filter(level=Level.TOWNSHIP):
            roster = Stationing.objects.filter(station=centre_of(township.code))
            kinds = {s.department.department_type: s for s in roster.select_related("department")}
            assert {
                DepartmentType.JUSTICE,
                DepartmentType.POLICE,
                DepartmentType.MEDIATION_COMMITTEE,
                DepartmentType.COMMUNITY,
                DepartmentType.GOVERNANCE_OFFICE,
                DepartmentType.COURT,
            } == kinds.keys()
            assert kinds[DepartmentType.COURT].mode == StationingMode.ROTATING
            assert kinds[DepartmentType.COURT].department.org_unit_id == township.parent_id

    def test_each_unit_has_its_stations_and_they_lie_inside_it(self, demo):
        kinds = Counter(Station.objects.values_list("org_unit__level", "kind"))
        levels = demo.units_per_level
        assert kinds[(Level.CITY, StationKind.CENTRE)] == 1
        assert kinds[(Level.DISTRICT, StationKind.CENTRE)] == 2
        assert kinds[(Level.TOWNSHIP, StationKind.CENTRE)] == levels[Level.TOWNSHIP]
        assert kinds[(Level.TOWNSHIP, StationKind.POLICE_SUBCENTRE)] == levels[Level.TOWNSHIP]
        assert kinds[(Level.VILLAGE, StationKind.MEDIATION_ROOM)] == levels[Level.VILLAGE]
        for station in Station.objects.select_related("org_unit"):
            point = shapely.Point(station.lng, station.lat)
            assert shape(station.org_unit.boundary).contains(point), station.name
            assert station.opening_hours
            assert station.address.startswith("重庆市")

    def test_every_village_has_a_mediation_committee(self, demo):
        committees = Department.objects.filter(
            org_unit__level=Level.VILLAGE, department_type=DepartmentType.MEDIATION_COMMITTEE
        )
        assert committees.count() == demo.units_per_level[Level.VILLAGE]

    def test_one_login_per_role_with_the_demo_password(self, demo):
        users = {user.username: user for user in User.objects.prefetch_related("units")}
        assert {user.role for user in users.values()} == set(Role.values)
        assert all(user.check_password(DEMO_PASSWORD) for user in users.values())
        assert all(user.display_name for user in users.values())
        assert users["admin"].is_superuser
        assert [u.name for u in users["clerk"].units.all()] == ["胜利路街道"]
        assert [u.name for u in users["clerk2"].units.all()] == ["龙塔街道"]
        (grid,) = users["grid"].units.all()
        assert grid.level == Level.GRID
        assert grid.code.startswith("500118001")
        assert users["mediator"].department.department_type == DepartmentType.MEDIATION_COMMITTEE
        assert users["mediator"].department.org_unit.name == "胜利路街道"
        assert users["liaison"].department.department_type == DepartmentType.COURT
        assert {
            u.units.get().name for u in users.values() if u.role in {"leader", "auditor", "analyst"}
        } == {"永川区"}
        assert [row[0] for row in demo.logins] == [
            "admin",
            "leader",
            "clerk",
            "clerk2",
            "mediator",
            "grid",
            "liaison",
            "auditor",
            "analyst",
        ]

    def test_an_existing_user_and_root_are_left_alone(self, db):
        other = org_unit_create(code="510000000000", name="四川省", level=Level.CITY)
        user_create(
            username="admin",
            password="x",
            role=Role.ADMIN,
            units=[other],
            check_password_strength=False,
        )
        summary = load_demo_region(size=SMALL, stdout=io.StringIO())
        admin = User.objects.get(username="admin")
        assert [u.code for u in admin.units.all()] == ["510000000000"]
        assert not admin.check_password(DEMO_PASSWORD)
        assert "admin" not in [row[0] for row in summary.logins]
        assert OrgUnit.objects.get(code=CITY_CODE).path == "0002"

    def test_plain_output_lists_the_logins(self, db):
        out = io.StringIO()
        load_demo_region(size=SMALL, stdout=out)
        text = out.getvalue()
        assert DEMO_PASSWORD in text
        assert "clerk2" in text
        assert "龙塔街道" in text
        assert "\x1b[" not in text  # no terminal colour codes into a file

    def test_a_terminal_gets_the_same_report_through_rich(self, db):
        class Terminal(io.StringIO):
            def isatty(self) -> bool:
                return True

        out = Terminal()
        load_demo_region(size=SMALL, stdout=out)
        assert DEMO_PASSWORD in out.getvalue()
        assert "龙塔街道" in out.getvalue()

    def test_the_full_region_loads_as_planned(self, db, plan):
        summary = load_demo_region()
        assert summary.created
        assert summary.units_per_level == Counter(unit.level for unit in plan.walk())
        assert summary.stations > summary.units_per_level[Level.VILLAGE]
        assert OrgUnit.objects.filter(level=Level.GRID).count() == len(by_level(plan, Level.GRID))
