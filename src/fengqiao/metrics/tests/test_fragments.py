"""Cached cockpit panels: never stale after a refresh or an org change, never across scopes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fengqiao.cases.models import Case
from fengqiao.metrics import fragments
from fengqiao.metrics.aggregate import bump_version, rebuild, refresh
from fengqiao.metrics.models import DailyStat
from fengqiao.metrics.tests.history import DAY, register
from fengqiao.taxonomy.models import Channel

PERIOD = {"start": DAY.isoformat(), "end": DAY.isoformat()}


@pytest.fixture(autouse=True)
def _empty_cache():
    fragments.clear()
    yield
    fragments.clear()


def get(client, world, who, url, **params):
    client.force_login(world.user(who))
    return client.get(url, params)


def panel_url(world, key, panel):
    return reverse("metrics:panel", args=[world.region.unit(key).pk, panel])


def open_count(body: str) -> int:
    counts = re.findall(r'data-colour="\w+">(\d+)<', body)
    assert len(counts) == 3, body
    return sum(int(n) for n in counts)


def open_red(body: str) -> int:
    found = re.search(r'data-colour="red">(\d+)<', body)
    assert found is not None, body
    return int(found.group(1))


def stat_queries(captured) -> list[str]:
    table = DailyStat._meta.db_table
    return [q["sql"] for q in captured if table in q["sql"]]


class TestServedFromTheCache:
    def test_a_repeated_request_reads_no_statistics(self, client, world, history):
        url = panel_url(world, "A", "figures")
        first = get(client, world, "a_leader", url, **PERIOD)
        with CaptureQueriesContext(connection) as queries:
            second = get(client, world, "a_leader", url, **PERIOD)
        assert second.content == first.content
        assert stat_queries(queries.captured_queries) == []

    def test_a_refresh_shows_on_the_next_request(self, client, world, history):
        url = panel_url(world, "A", "colours")
        before = open_count(get(client, world, "a_leader", url).content.decode())
        register(world, "a1_clerk", phone="13800000099")  # marks its day dirty, as every change
        # Until the worker's refresh the statistics (and so the panel) are those of the last one.
        assert open_count(get(client, world, "a_leader", url).content.decode()) == before
        assert refresh() >= 1
        assert open_count(get(client, world, "a_leader", url).content.decode()) == before + 1

    def test_a_rebuild_after_a_bulk_change_shows_too(self, client, world, history):
        url = panel_url(world, "A", "colours")
        assert open_red(get(client, world, "a_leader", url).content.decode()) == 1
        Case.objects.filter(pk=history["c4"].pk).update(risk_colour="green")
        rebuild()
        assert open_red(get(client, world, "a_leader", url).content.decode()) == 0


class TestScope:
    @pytest.mark.parametrize("panel", ["figures", "breakdown", "colours", "watch", "hotspots"])
    def test_another_district_never_gets_the_cached_fragment(self, client, world, history, panel):
        url = panel_url(world, "A1", panel)
        assert get(client, world, "a_leader", url, **PERIOD).status_code == 200
        assert get(client, world, "b1_clerk", url, **PERIOD).status_code == 404
        assert get(client, world, "a2_clerk", url, **PERIOD).status_code == 404

    def test_the_map_data_too(self, client, world, history):
        url = reverse("metrics:map", args=[world.region.unit("A").pk])
        assert get(client, world, "a_leader", url, **PERIOD).status_code == 200
        assert get(client, world, "b1_clerk", url, **PERIOD).status_code == 404

    def test_losing_a_unit_takes_effect_on_the_next_request(self, client, world, history):
        url = panel_url(world, "A", "figures")
        assert get(client, world, "a_leader", url, **PERIOD).status_code == 200
        world.user("a_leader").units.clear()
        assert get(client, world, "a_leader", url, **PERIOD).status_code == 404

    def test_scopes_get_keys_of_their_own(self, world):
        version = fragments.Versions(stats="s", reference=(), hotspot_run=None)
        unit = world.region.unit("A1")
        keys = {
            fragments.panel_key(
                "figures",
                version=version,
                unit=unit,
                scope=fragments.scope_of(world.user(who), "figures"),
                filters={},
                query="",
            )
            for who in ("a_leader", "a1_clerk")
        }
        assert len(keys) == 2


class TestOrgChanges:
    def test_a_renamed_child_shows_in_the_breakdown(self, client, world, history):
        url = panel_url(world, "A", "breakdown")
        assert "胜利路街道" in get(client, world, "a_leader", url, **PERIOD).content.decode()
        unit = world.region.unit("A1")
        unit.name = "胜利路新街道"
        unit.save()
        assert "胜利路新街道" in get(client, world, "a_leader", url, **PERIOD).content.decode()

    def test_a_moved_boundary_shows_on_the_map(self, client, world, history):
        url = reverse("metrics:map", args=[world.region.unit("A").pk])
        get(client, world, "a_leader", url, **PERIOD)
        unit = world.region.unit("A1")
        ring = [[106.0, 29.0], [106.01, 29.0], [106.01, 29.01], [106.0, 29.01], [106.0, 29.0]]
        unit.boundary = {"type": "Polygon", "coordinates": [ring]}
        unit.save()
        data = get(client, world, "a_leader", url, **PERIOD).json()
        shapes = {f["properties"]["name"]: f["geometry"] for f in data["features"]}
        assert shapes["胜利路街道"]["coordinates"] == [ring]


class TestFilterFields:
    def test_a_refresh_keeps_them_and_a_renamed_channel_shows(self, client, world, history):
        url = reverse("metrics:cockpit_unit", args=[world.region.unit("A").pk])
        get(client, world, "a_leader", url)
        with transaction.atomic():
            bump_version()  # what every statistics refresh does
        with CaptureQueriesContext(connection) as queries:
            body = get(client, world, "a_leader", url).content.decode()
        # The choices come from the cache: new statistics do not change the taxonomy.
        channel_rows = f'"{Channel._meta.db_table}"."code"'
        assert not [q for q in queries if channel_rows in q["sql"]]
        channel = Channel.objects.get(code="12345")
        assert channel.name_zh in body
        channel.name_zh = "市民热线（新）"
        channel.save()
        assert "市民热线（新）" in get(client, world, "a_leader", url).content.decode()


class TestClock:
    def test_an_entry_past_its_moment_is_rebuilt(self):
        built = []

        def build(expires):
            def make():
                built.append(1)
                return len(built), expires

            return make

        past = timezone.now() - timedelta(seconds=1)
        assert fragments.cached("k-past", build(past)) == 1
        assert fragments.cached("k-past", build(past)) == 2
        future = timezone.now() + timedelta(hours=1)
        assert fragments.cached("k-future", build(future)) == 3
        assert fragments.cached("k-future", build(future)) == 3

    def test_no_version_no_cache(self, world):
        # Statistics never built: every request computes (nothing could tell it is stale).
        assert fragments.versions() is None
        assert fragments.cached(None, lambda: ("a", None)) == "a"
        assert fragments.cached(None, lambda: ("b", None)) == "b"
