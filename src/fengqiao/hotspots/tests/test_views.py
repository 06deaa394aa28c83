"""The hotspot page, its map data and the run button, scoped by jurisdiction."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django.urls import reverse

from fengqiao.hotspots.models import HotspotRun, RunStatus
from fengqiao.hotspots.services import hotspot_run_execute, hotspot_run_request
from fengqiao.hotspots.tests.conftest import HotWorld


@pytest.fixture
def browse(hot: HotWorld):
    def client_for(username: str) -> Client:
        client = Client()
        client.force_login(hot.user(username))
        return client

    return client_for


@pytest.fixture
def done(hot: HotWorld) -> HotspotRun:
    run = hotspot_run_request(actor=hot.user("city_admin"))
    return hotspot_run_execute(run_id=run.pk)


class TestPage:
    def test_the_analyst_sees_the_hotspot_explained_with_a_link_to_its_cases(
        self, hot: HotWorld, browse, done: HotspotRun
    ) -> None:
        response = browse("a_analyst").get(reverse("hotspots:list"))
        assert response.status_code == 200
        rows = response.context["rows"]
        assert [row["hotspot"].grid_id for row in rows] == [hot.unit("A1a-g1").pk]
        hotspot = rows[0]["hotspot"]
        page = response.content.decode()
        assert hotspot.explanation in page
        assert hot.unit("B1a-g1").name not in page
        assert "data-hotspot-map" in page
        assert response.context["may_run"] is True
        link = urlparse(rows[0]["cases_url"])
        assert link.path == reverse("cases:list")
        query = parse_qs(link.query)
        assert query["unit"] == [str(hot.unit("A1a-g1").pk)]
        assert query["category"] == ["M02"]
        # The link leads to the cluster's cases.
        cases = browse("a_analyst").get(rows[0]["cases_url"])
        assert cases.context["page"].paginator.count == hotspot.observed

    def test_another_township_sees_neither_row_nor_grid_on_the_map(
        self, hot: HotWorld, browse, done: HotspotRun
    ) -> None:
        client = browse("a2_clerk")
        page = client.get(reverse("hotspots:list"))
        assert page.context["rows"] == []
        assert hot.unit("A1a-g1").name not in page.content.decode()
        assert page.context["may_run"] is False
        features = client.get(reverse("hotspots:map")).json()["features"]
        assert {f["properties"]["id"] for f in features} == {
            hot.unit("A2a-g1").pk,
            hot.unit("A2a-g2").pk,
        }
        assert all(f["properties"]["score"] == 0 for f in features)

    def test_the_map_colours_hotspot_grids(self, hot: HotWorld, browse, done: HotspotRun) -> None:
        features = browse("a1_clerk").get(reverse("hotspots:map")).json()["features"]
        scores = {f["properties"]["id"]: f["properties"]["score"] for f in features}
        assert scores[hot.unit("A1a-g1").pk] > 0
        assert scores[hot.unit("A1a-g2").pk] == 0
        assert hot.unit("B1a-g1").pk not in scores

    def test_a_unit_filter_outside_the_jurisdiction_is_a_form_error(
        self, hot: HotWorld, browse, done: HotspotRun
    ) -> None:
        response = browse("b1_clerk").get(reverse("hotspots:list"), {"unit": hot.unit("A1").pk})
        assert response.status_code == 200
        assert "unit" in response.context["form"].errors
        assert response.context["rows"] == []

    def test_a_category_filter_narrows_the_list(
        self, hot: HotWorld, browse, done: HotspotRun
    ) -> None:
        from fengqiao.taxonomy.models import Category

        m09 = Category.objects.get(code="M09").pk
        response = browse("city_admin").get(reverse("hotspots:list"), {"category": m09})
        assert [r["hotspot"].grid_id for r in response.context["rows"]] == [hot.unit("B1a-g1").pk]


class TestRunButton:
    def test_the_analyst_starts_a_run_and_the_page_polls_it(self, hot: HotWorld, browse) -> None:
        client = browse("a_analyst")
        response = client.post(reverse("hotspots:run_start"), HTTP_HX_REQUEST="true")
        run = HotspotRun.objects.get()
        assert run.status == RunStatus.QUEUED
        assert reverse("hotspots:run_status", args=[run.pk]) in response.content.decode()
        polled = client.get(reverse("hotspots:run_status", args=[run.pk]), HTTP_HX_REQUEST="true")
        assert "HX-Refresh" not in polled
        hotspot_run_execute(run_id=run.pk)
        finished = client.get(reverse("hotspots:run_status", args=[run.pk]), HTTP_HX_REQUEST="true")
        assert finished["HX-Refresh"] == "true"

    def test_a_clerk_cannot_start_a_run(self, hot: HotWorld, browse) -> None:
        response = browse("a1_clerk").post(reverse("hotspots:run_start"))
        assert response.status_code == 403
        assert not HotspotRun.objects.exists()

    def test_a_missing_run_is_a_404(self, hot: HotWorld, browse) -> None:
        response = browse("a1_clerk").get(reverse("hotspots:run_status", args=[4242]))
        assert response.status_code == 404
