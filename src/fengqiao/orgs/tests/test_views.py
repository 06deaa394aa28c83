from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fengqiao.accounts.models import Role
from fengqiao.accounts.services import user_create
from fengqiao.orgs.models import (
    Department,
    DepartmentType,
    Station,
    Stationing,
    StationingMode,
    StationKind,
)
from fengqiao.orgs.roster import build_roster, is_on_duty
from fengqiao.testing.region import PASSWORD


@pytest.fixture
def client_for(region):
    def make(username: str) -> Client:
        client = Client()
        client.force_login(region.users[username])
        return client

    return make


def unit_url(region, key: str, name: str = "orgs:unit") -> str:
    return reverse(name, args=[region.unit(key).pk])


class TestTree:
    def test_leader_sees_their_district_as_the_root(self, region, client_for):
        response = client_for("a_leader").get(reverse("orgs:tree"))
        assert response.status_code == 200
        assert [u.name for u in response.context["nodes"]] == ["永川区"]
        assert unit_url(region, "A", "orgs:children") in response.text
        assert "渝北区" not in response.text

    def test_clerk_never_sees_other_townships(self, region, client_for):
        text = client_for("a1_clerk").get(reverse("orgs:tree")).text
        assert "胜利路街道" in text
        for name in ("永川区", "中山路街道", "龙塔街道", "渝北区"):
            assert name not in text

    def test_search_finds_units_in_scope_only(self, region, client_for):
        response = client_for("a1_clerk").get(reverse("orgs:tree"), {"q": "社区"})
        names = {m.unit.name for m in response.context["matches"]}
        assert "红旗社区" in names
        assert "萱花社区" not in names
        assert "工农社区" not in names

    def test_search_does_not_name_the_parent_above_the_users_units(self, region, client_for):
        response = client_for("a1_clerk").get(reverse("orgs:tree"), {"q": "胜利路"})
        assert [m.unit.name for m in response.context["matches"]] == ["胜利路街道"]
        assert "永川区" not in response.text


class TestChildren:
    def test_lists_the_children_with_their_counts(self, region, client_for):
        response = client_for("a_leader").get(unit_url(region, "A", "orgs:children"))
        assert response.status_code == 200
        nodes = {u.name: u.child_count for u in response.context["nodes"]}
        assert nodes == {"胜利路街道": 2, "中山路街道": 1}
        assert "<html" not in response.text  # a fragment for htmx, not a page

    @pytest.mark.parametrize("key", ["A2", "B1", "A", "A2a", "B1a-g1"])
    def test_is_404_outside_the_jurisdiction(self, region, client_for, key):
        assert client_for("a1_clerk").get(unit_url(region, key, "orgs:children")).status_code == 404


class TestUnitPage:
    def test_district_page_for_the_leader(self, region, client_for):
        response = client_for("a_leader").get(unit_url(region, "A"))
        assert response.status_code == 200
        ctx = response.context
        assert [u.name for u in ctx["breadcrumbs"]] == ["永川区"]
        assert {u.name for u in ctx["children"]} == {"胜利路街道", "中山路街道"}
        assert {d.name for d in ctx["departments"]} == {
            "永川区人民法院",
            "胜利路司法所",
            "中山路司法所",
        }
        assert {s.name for s in ctx["stations"]} == {
            "永川区综治中心",
            "胜利路街道综治中心",
            "中山路街道综治中心",
        }
        geojson = reverse("api-v1:unit_geojson", kwargs={"unit_id": region.unit("A").pk})
        assert f'data-geojson-url="{geojson}"' in response.text
        assert f'data-grid-url="{geojson}?level=5"' in response.text

    def test_breadcrumbs_stop_at_the_users_root(self, region, client_for):
        response = client_for("a1_clerk").get(unit_url(region, "A1a-g1"))
        assert [u.name for u in response.context["breadcrumbs"]] == [
            "胜利路街道",
            "红旗社区",
            "红旗社区第1网格",
        ]
        assert "永川区" not in response.text

    def test_users_list_holds_only_members_of_the_subtree(self, region, client_for):
        response = client_for("a_leader").get(unit_url(region, "A1"))
        usernames = {u.username for u in response.context["members"]}
        assert usernames == {"a1_clerk", "a1_mediator", "a1a_grid"}
        assert "a2_clerk" not in response.text

    def test_users_list_for_a_grid(self, region, client_for):
        response = client_for("a1_clerk").get(unit_url(region, "A1a-g1"))
        assert {u.username for u in response.context["members"]} == {"a1a_grid"}

    def test_roster_is_grouped_by_mode(self, region, client_for):
        centre = region.stations["A1-centre"]
        Stationing.objects.create(
            station=centre,
            department=region.departments["A1-justice"],
            mode=StationingMode.RESIDENT,
        )
        Stationing.objects.create(
            station=centre, department=region.departments["A-court"], mode=StationingMode.ROTATING
        )
        response = client_for("a1_clerk").get(unit_url(region, "A1"))
        (roster,) = response.context["rosters"]
        assert [s.department.name for s in roster.resident] == ["胜利路司法所"]
        assert [e.stationing.department.name for e in roster.rotating] == ["永川区人民法院"]
        assert roster.on_call == []

    @pytest.mark.parametrize("key", ["A2", "B1", "A", "A2a", "A2a-g1", "B1a-g2"])
    def test_is_404_outside_the_jurisdiction(self, region, client_for, key):
        response = client_for("a1_clerk").get(unit_url(region, key))
        assert response.status_code == 404
        assert region.unit(key).name not in response.text

    def test_missing_and_hidden_units_get_the_same_404_page(self, region, client_for):
        client = client_for("a1_clerk")
        missing = client.get(reverse("orgs:unit", args=[999999]))
        hidden = client.get(unit_url(region, "B1"))
        assert missing.status_code == hidden.status_code == 404

        def normalised(text: str) -> str:
            text = re.sub(r"[A-Za-z0-9]{64}", "TOKEN", text)  # masked CSRF tokens differ per render
            return text.replace("/org/999999/", "PATH").replace(unit_url(region, "B1"), "PATH")

        assert normalised(missing.text) == normalised(hidden.text)

    def test_query_count_does_not_grow_with_the_lists(self, region, client_for):
        client = client_for("a_leader")
        url = unit_url(region, "A")
        with CaptureQueriesContext(connection) as before:
            client.get(url)
        for key in ("A1a", "A1b", "A2a"):
            unit = region.unit(key)
            department = Department.objects.create(
                name=f"{unit.name}调委会",
                department_type=DepartmentType.MEDIATION_COMMITTEE,
                org_unit=unit,
            )
            station = Station.objects.create(
                name=f"{unit.name}调解室",
                kind=StationKind.CENTRE,
                org_unit=unit,
                lat=29.0,
                lng=105.0,
            )
            Stationing.objects.create(
                station=station, department=department, mode=StationingMode.RESIDENT
            )
            user_create(
                username=f"{key.lower()}_extra",
                password=PASSWORD,
                role=Role.CLERK,
                units=[unit],
                check_password_strength=False,
            )
        with CaptureQueriesContext(connection) as after:
            response = client.get(url)
        assert "红旗社区调解室" in response.text
        assert len(after.captured_queries) == len(before.captured_queries)


class TestFindGrid:
    def find(self, client, region, key, lng, lat, htmx=True):
        headers = {"HX-Request": "true"} if htmx else {}
        return client.get(
            unit_url(region, key, "orgs:find_grid"), {"lat": lat, "lng": lng}, headers=headers
        )

    def test_names_the_grid_holding_the_point(self, region, client_for):
        response = self.find(client_for("a1_clerk"), region, "A1", 105.015, 29.005)
        assert response.status_code == 200
        assert response.context["grid"] == region.unit("A1a-g2")
        assert "红旗社区第2网格" in response.text
        assert "<html" not in response.text

    def test_says_no_grid_where_there_is_none(self, region, client_for):
        response = self.find(client_for("a1_clerk"), region, "A1", 105.09, 29.09)
        assert response.context["grid"] is None
        assert "此处不属于" in response.text

    def test_does_not_reveal_a_grid_of_another_township(self, region, client_for):
        response = self.find(client_for("a1_clerk"), region, "A1", 105.105, 29.005)
        assert response.context["grid"] is None
        assert "萱花社区" not in response.text

    def test_only_answers_with_grids_of_the_unit(self, region, client_for):
        response = self.find(client_for("a_leader"), region, "A2", 105.005, 29.005)
        assert response.context["grid"] is None

    def test_rejects_coordinates_out_of_range(self, region, client_for):
        response = self.find(client_for("a1_clerk"), region, "A1", 500, 29.0)
        assert response.status_code == 200
        assert 'class="result result-error"' in response.text

    def test_without_htmx_renders_a_full_page(self, region, client_for):
        response = self.find(client_for("a1_clerk"), region, "A1", 105.015, 29.005, htmx=False)
        assert "<html" in response.text

    @pytest.mark.parametrize("key", ["A2", "B1", "A2a-g1"])
    def test_is_404_outside_the_jurisdiction(self, region, client_for, key):
        response = self.find(client_for("a1_clerk"), region, key, 105.105, 29.005)
        assert response.status_code == 404


class TestRosterRules:
    def stationing(self, region, **kwargs) -> Stationing:
        return Stationing(
            station=region.stations["A1-centre"],
            department=region.departments["A1-justice"],
            **kwargs,
        )

    def test_rotating_is_on_duty_in_its_slot_week_only(self, region):
        s = self.stationing(
            region, mode=StationingMode.ROTATING, rotation_period_weeks=2, rotation_slot=1
        )
        assert not is_on_duty(s, date(2026, 1, 7))  # ISO week 2: 2 % 2 == 0
        assert is_on_duty(s, date(2026, 1, 14))  # ISO week 3: 3 % 2 == 1

    def test_on_call_is_never_counted_as_on_duty(self, region):
        assert not is_on_duty(
            self.stationing(region, mode=StationingMode.ON_CALL), date(2026, 3, 2)
        )

    def test_ended_stationings_are_left_out(self, region):
        Stationing.objects.create(
            station=region.stations["A1-centre"],
            department=region.departments["A1-justice"],
            mode=StationingMode.RESIDENT,
            ends_on=date(2026, 1, 31),
        )
        roster = build_roster(
            actor=region.users["a1_clerk"],
            station=region.stations["A1-centre"],
            day=date(2026, 3, 2),
        )
        assert roster.is_empty
