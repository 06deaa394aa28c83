from __future__ import annotations

import json

from django.test import Client

from fengqiao.orgs.models import Level, OrgUnit
from fengqiao.orgs.services import org_unit_create
from fengqiao.public.places import unit_from_address


class TestPages:
    def test_home_has_the_public_header_and_no_staff_menu(self, world, client_for_staff):
        for client in (Client(), client_for_staff):
            body = client.get("/public/").content.decode()
            assert 'href="/public/submit/"' in body
            assert 'href="/public/status/"' in body
            assert "/admin/" not in body
            assert "logout" not in body

    def test_pages_are_chinese_by_default(self, world):
        body = Client().get("/public/submit/").content.decode()
        assert '<html lang="zh-hans">' in body
        assert '<optgroup label="劳动争议与欠薪纠纷">' in body


class TestGridMap:
    def test_grids_are_served_as_geojson_with_boundaries_and_names_only(self, world):
        response = Client().get("/public/grids.geojson")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/geo+json"
        data = json.loads(response.content)
        assert data["type"] == "FeatureCollection"
        assert len(data["features"]) == 8
        names = {feature["properties"]["name"] for feature in data["features"]}
        assert "红旗社区第1网格" in names
        for feature in data["features"]:
            assert set(feature["properties"]) == {"name"}
            assert feature["geometry"]["type"] == "Polygon"

    def test_the_layer_is_cached_until_a_grid_changes(self, world):
        first = Client().get("/public/grids.geojson")
        etag = first["ETag"]
        assert "max-age=300" in first["Cache-Control"]
        assert Client().get("/public/grids.geojson", HTTP_IF_NONE_MATCH=etag).status_code == 304
        grid = OrgUnit.objects.filter(level=Level.GRID).first()
        assert grid is not None
        grid.is_active = False
        grid.save()
        changed = Client().get("/public/grids.geojson", HTTP_IF_NONE_MATCH=etag)
        assert changed.status_code == 200
        assert len(json.loads(changed.content)["features"]) == 7


class TestPlaces:
    def test_the_most_specific_named_unit_wins(self, region):
        units = OrgUnit.objects.all()
        assert unit_from_address("永川区胜利路街道红旗社区3栋", units) == region.unit("A1a")
        assert unit_from_address("中山路街道 萱花社区", units) == region.unit("A2a")
        assert unit_from_address("渝北区某某小区", units) == region.unit("B")

    def test_nothing_named_is_none(self, region):
        assert unit_from_address("某某路88号", OrgUnit.objects.all()) is None
        assert unit_from_address(" ", OrgUnit.objects.all()) is None

    def test_only_units_in_the_given_scope_are_considered(self, region):
        in_b = OrgUnit.objects.filter(path__startswith=region.unit("B").path)
        assert unit_from_address("胜利路街道红旗社区", in_b) is None

    def test_equally_good_matches_in_two_places_give_their_common_ancestor(self, region):
        org_unit_create(
            code="500118002002",
            name="红旗社区",
            level=Level.VILLAGE,
            parent=region.unit("A2"),
        )
        units = OrgUnit.objects.all()
        assert unit_from_address("红旗社区", units) == region.unit("A")
        assert unit_from_address("中山路街道红旗社区", units).parent == region.unit("A2")
