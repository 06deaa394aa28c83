from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fengqiao.accounts.models import Role
from fengqiao.orgs.models import Stationing, StationingMode
from fengqiao.testing.region import SmallRegion
from fengqiao.web.context import NAV_ITEMS, NavItem

OTHER_TOWNSHIPS = ("中山路街道", "龙塔街道", "萱花社区", "工农社区", "中山路司法所", "龙塔派出所")


class TestHomePerRole:
    @pytest.mark.parametrize(
        ("username", "own_unit"),
        [
            ("city_admin", "city"),
            ("a_leader", "A"),
            ("a1_clerk", "A1"),
            ("a1_mediator", "A1"),
            ("a1a_grid", "A1a-g1"),
            ("a_liaison", "A"),
            ("a_auditor", "A"),
            ("a_analyst", "A"),
        ],
    )
    def test_renders_with_the_users_own_units(self, region, client_for, username, own_unit):
        response = client_for(username).get(reverse("home"))
        assert response.status_code == 200
        unit = region.unit(own_unit)
        assert unit.name in response.text
        assert reverse("orgs:unit", args=[unit.pk]) in response.text

    def test_clerk_sees_nothing_of_other_townships(self, region, client_for):
        text = client_for("a1_clerk").get(reverse("home")).text
        for name in OTHER_TOWNSHIPS:
            assert name not in text

    def test_clerk_sees_the_centre_roster_and_stations(self, region, client_for):
        centre = region.stations["A1-centre"]
        Stationing.objects.create(
            station=centre,
            department=region.departments["A1-justice"],
            mode=StationingMode.RESIDENT,
        )
        text = client_for("a1_clerk").get(reverse("home")).text
        assert centre.name in text
        assert "胜利路司法所" in text
        assert "常驻" in text  # the resident group of the roster

    def test_leader_sees_townships_with_their_counts(self, region, client_for):
        response = client_for("a_leader").get(reverse("home"))
        rows = {row.unit.name: row for row in response.context["sub_units"]}
        assert set(rows) == {"胜利路街道", "中山路街道"}
        assert rows["胜利路街道"].grid_count == 4
        assert rows["胜利路街道"].department_count == 1
        assert rows["胜利路街道"].station_count == 1
        assert "龙塔街道" not in response.text

    def test_level_counts_are_those_of_the_jurisdiction(self, region, client_for):
        response = client_for("a1_clerk").get(reverse("home"))
        counts = {str(row.label): row.count for row in response.context["level_counts"]}
        assert counts == {"乡镇街道": 1, "村社区": 2, "网格": 4}

    def test_grid_worker_gets_a_map_of_their_grid(self, region, client_for):
        grid = region.unit("A1a-g1")
        text = client_for("a1a_grid").get(reverse("home")).text
        assert "data-org-map" in text
        assert reverse("api-v1:unit_geojson", kwargs={"unit_id": grid.pk}) in text
        assert "红旗社区第2网格" not in text

    def test_liaison_sees_their_department(self, region, client_for):
        text = client_for("a_liaison").get(reverse("home")).text
        assert "永川区人民法院" in text

    def test_auditor_sees_departments_by_type(self, region, client_for):
        response = client_for("a_auditor").get(reverse("home"))
        by_type = {str(row.label): row.count for row in response.context["departments_by_type"]}
        assert by_type == {"司法局 / 司法所": 2, "人民法院": 1}

    def test_admin_gets_admin_links_others_do_not(self, region, client_for):
        admin_text = client_for("city_admin").get(reverse("home")).text
        clerk_text = client_for("a1_clerk").get(reverse("home")).text
        assert reverse("admin:index") in admin_text
        assert reverse("admin:index") not in clerk_text


class TestLanguage:
    def test_chinese_is_the_default(self, client_for):
        text = client_for("a_leader").get(reverse("home")).text
        assert "首页" in text
        assert '<html lang="zh-hans">' in text

    def test_switching_to_english_gives_english_text(self, client_for):
        client: Client = client_for("a_leader")
        response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
        assert response.status_code == 302
        text = client.get(reverse("home")).text
        assert '<html lang="en">' in text
        assert "Welcome, a_leader" in text
        assert "Organisation" in text
        assert "首页" not in text

    def test_english_page_shows_english_unit_names_when_known(self, region, client_for):
        client: Client = client_for("city_admin")
        client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
        assert "Chongqing" in client.get(reverse("home")).text


class TestNavigation:
    def test_staff_only_items_are_hidden_from_other_users(self, region: SmallRegion):
        admin_item = next(item for item in NAV_ITEMS if item.key == "admin")
        assert admin_item.visible_to(region.users["city_admin"])
        assert not admin_item.visible_to(region.users["a_leader"])

    def test_an_item_limited_to_roles_is_shown_to_those_roles_only(self, region: SmallRegion):
        item = NavItem("queue", "Queue", "home", roles=frozenset({Role.CLERK, Role.MEDIATOR}))
        assert item.visible_to(region.users["a1_clerk"])
        assert not item.visible_to(region.users["a_leader"])

    def test_current_section_is_marked_active(self, client_for):
        response = client_for("a_leader").get(reverse("orgs:tree"))
        active = [link.key for link in response.context["nav_links"] if link.active]
        assert active == ["org"]
