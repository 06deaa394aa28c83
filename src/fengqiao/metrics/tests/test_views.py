"""The cockpit page, its panels, map and export: figures shown, jurisdiction enforced."""

from __future__ import annotations

import csv
import io

import pytest
from django.db.models import Q
from django.urls import reverse

from fengqiao.cases.models import Case
from fengqiao.cases.selectors import case_queryset, visible_among
from fengqiao.metrics.models import OpenCase
from fengqiao.metrics.selectors import watch_list
from fengqiao.metrics.tests.history import DAY

PERIOD = {"start": DAY.isoformat(), "end": DAY.isoformat()}


def get(client, world, who, url, **params):
    client.force_login(world.user(who))
    return client.get(url, params)


def unit_id(world, key):
    return world.region.unit(key).pk


class TestPage:
    def test_opens_on_the_leaders_district(self, client, world):
        response = get(client, world, "a_leader", reverse("metrics:cockpit"))
        assert response.status_code == 200
        assert "永川区" in response.content.decode()
        for panel in ("figures", "trend", "map", "colours", "hotspots", "watch", "breakdown"):
            assert reverse("metrics:panel", args=[unit_id(world, "A"), panel]) in (
                response.content.decode()
            )

    def test_breadcrumb_shows_the_way_back_up(self, client, world):
        url = reverse("metrics:cockpit_unit", args=[unit_id(world, "A1a-g1")])
        body = get(client, world, "a_leader", url).content.decode()
        for name in ("永川区", "胜利路街道", "红旗社区"):
            assert name in body
        assert "重庆市" not in body  # above the leader's jurisdiction

    def test_wall_mode_refreshes_itself_without_chrome(self, client, world):
        url = reverse("metrics:cockpit_unit", args=[unit_id(world, "A")])
        body = get(client, world, "a_leader", url, wall="1").content.decode()
        assert 'class="cockpit wall"' in body
        assert "every 60s" in body

    def test_other_township_gets_404(self, client, world):
        url = reverse("metrics:cockpit_unit", args=[unit_id(world, "A1")])
        assert get(client, world, "a2_clerk", url).status_code == 404
        assert get(client, world, "b1_clerk", url).status_code == 404

    def test_invalid_period_shows_a_form_error(self, client, world):
        url = reverse("metrics:cockpit_unit", args=[unit_id(world, "A")])
        response = get(client, world, "a_leader", url, start="2026-03-10", end="2026-03-01")
        assert response.status_code == 200
        assert "field-error" in response.content.decode()

    def test_menu_item_for_leaders_not_clerks(self, client, world):
        assert reverse("metrics:cockpit") in get(client, world, "a_leader", "/").content.decode()
        assert (
            reverse("metrics:cockpit") not in get(client, world, "a1_clerk", "/").content.decode()
        )


class TestPanels:
    def test_figures_panel_shows_the_service_figures(self, client, world, history):
        url = reverse("metrics:panel", args=[unit_id(world, "A1"), "figures"])
        body = get(client, world, "a_leader", url, **PERIOD).content.decode()
        assert "75.0%" in body  # resolution rate 3 / 4
        assert "33.3%" in body  # one-time 1 / 3

    def test_colours_and_watch_list(self, client, world, history):
        colours = reverse("metrics:panel", args=[unit_id(world, "A"), "colours"])
        body = get(client, world, "a_leader", colours).content.decode()
        assert 'data-colour="red">1<' in body
        watch = reverse("metrics:panel", args=[unit_id(world, "A"), "watch"])
        c4 = history["c4"]
        c4.refresh_from_db()
        assert c4.number in get(client, world, "a_leader", watch).content.decode()

    def test_watch_list_hides_a_restricted_case_from_who_may_not_see_it(self, world, history):
        c4 = history["c4"]
        Case.objects.filter(pk=c4.pk).update(restricted=True)
        unit = world.region.unit("A")

        def listed(who):
            return [c.pk for c in watch_list(actor=world.user(who), unit=unit)]

        assert c4.pk in listed("a_leader")  # leaders see restricted cases of their units
        assert c4.pk not in listed("a_analyst")
        Case.objects.filter(pk=c4.pk).update(restricted=False)
        assert c4.pk in listed("a_analyst")

    @pytest.mark.parametrize("restricted", [False, True])
    @pytest.mark.parametrize("who", ["a_leader", "a_analyst", "a_auditor", "city_admin"])
    def test_watch_list_equals_the_case_visibility_rule(self, world, history, who, restricted):
        Case.objects.filter(pk=history["c4"].pk).update(restricted=restricted)
        actor, unit = world.user(who), world.region.unit("A")
        flagged = OpenCase.objects.filter(territory_path__startswith=unit.path).filter(
            Q(overdue=True) | Q(leader__isnull=False)
        )
        expected = case_queryset(actor).filter(pk__in=flagged.values("case_id"))
        listed = [c.pk for c in watch_list(actor=actor, unit=unit)]
        assert listed == list(
            expected.order_by("resolve_deadline", "pk").values_list("pk", flat=True)
        )
        assert listed or (restricted and who != "a_leader")  # only leaders see it restricted

    @pytest.mark.parametrize("restricted", ["c4", "c5"])
    @pytest.mark.parametrize(
        "who", ["a_leader", "a_analyst", "a1_clerk", "b1_clerk", "a_liaison", "city_admin"]
    )
    def test_visible_among_equals_the_case_visibility_rule(self, world, history, who, restricted):
        # Cases of both districts, one of them restricted: the short cut and the full rule agree
        # for readers inside and outside each case's units.
        Case.objects.filter(pk=history[restricted].pk).update(restricted=True)
        actor = world.user(who)
        everything = [case.pk for case in history.values()]
        in_a = list(
            Case.objects.filter(
                pk__in=everything, territory_path__startswith=world.region.unit("A").path
            )
            .exclude(restricted=True)
            .values_list("pk", flat=True)
        )
        assert in_a  # unrestricted cases of one district: the short cut's own case
        for pks in (everything, in_a):
            shown = [c.pk for c in visible_among(actor, pks, fields=("number",))]
            expected = case_queryset(actor).filter(pk__in=pks).order_by("pk")
            assert shown == list(expected.values_list("pk", flat=True))

    def test_breakdown_links_down_to_children(self, client, world, history):
        url = reverse("metrics:panel", args=[unit_id(world, "A"), "breakdown"])
        body = get(client, world, "a_leader", url, **PERIOD).content.decode()
        assert reverse("metrics:cockpit_unit", args=[unit_id(world, "A1")]) in body

    @pytest.mark.parametrize("panel", ["figures", "trend", "map", "colours", "hotspots", "watch"])
    def test_every_panel_is_scoped(self, client, world, panel):
        url = reverse("metrics:panel", args=[unit_id(world, "A1"), panel])
        assert get(client, world, "a_leader", url).status_code == 200
        assert get(client, world, "b1_clerk", url).status_code == 404


class TestMapAndExport:
    def test_map_has_the_children_with_counts_and_links(self, client, world, history):
        url = reverse("metrics:map", args=[unit_id(world, "A")])
        data = get(client, world, "a_leader", url, **PERIOD).json()
        props = {f["properties"]["name"]: f["properties"] for f in data["features"]}
        assert props["胜利路街道"]["registered"] == 4
        assert props["胜利路街道"]["risk"] == "red"
        assert props["中山路街道"]["registered"] == 0
        assert props["胜利路街道"]["url"].startswith(
            reverse("metrics:cockpit_unit", args=[unit_id(world, "A1")])
        )
        assert get(client, world, "b1_clerk", url).status_code == 404

    def test_csv_export_matches_the_breakdown(self, client, world, history):
        url = reverse("metrics:export", args=[unit_id(world, "A"), "csv"])
        response = get(client, world, "a_leader", url, **PERIOD)
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = {row[1]: row for row in csv.reader(io.StringIO(text))}
        assert rows["胜利路街道"][2] == "4"
        assert rows["胜利路街道"][3] == "0.75"
        assert get(client, world, "b1_clerk", url).status_code == 404

    def test_xlsx_export(self, client, world, history):
        url = reverse("metrics:export", args=[unit_id(world, "A"), "xlsx"])
        response = get(client, world, "a_leader", url, **PERIOD, by="channel")
        assert response.status_code == 200
        assert response.content[:2] == b"PK"
