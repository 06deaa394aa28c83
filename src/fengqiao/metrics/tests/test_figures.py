"""Each metric on the hand-made history (tests/history.py), the expected values worked out here."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Sum

from fengqiao.core.errors import ValidationFailed
from fengqiao.metrics import selectors, statsql
from fengqiao.metrics.models import DailyStat, OpenCase, StatKind
from fengqiao.metrics.services import breakdown, registered_by_place, trend, unit_figures
from fengqiao.metrics.tests.history import DAY


def figures(world, unit="A1", who="a_leader", **kwargs):
    period = {"start": DAY, "end": DAY, **kwargs}
    return unit_figures(actor=world.user(who), unit=world.region.unit(unit), **period)


class TestUnitFigures:
    def test_cases_registered_and_last_year(self, world, history):
        f = figures(world)
        # c1–c4 in 胜利路街道 on DAY; c5 is in 龙塔街道; c6 is a year earlier, the same day.
        assert f.registered.value == 4
        assert f.registered.last_year == 1
        assert f.registered.change == 3

    def test_a_period_longer_than_a_year_overlaps_last_years(self, world, history):
        # 2025-03-01 – 2026-03-31 holds c1–c4 and c6 (2025-03-10); the same days a year
        # earlier, 2024-03-01 – 2025-03-31, hold c6 too: it counts in both.
        f = figures(world, start=date(2025, 3, 1), end=date(2026, 3, 31))
        assert f.registered.value == 5
        assert f.registered.last_year == 1

    def test_resolution_rate(self, world, history):
        f = figures(world)
        assert (f.resolution_rate.numerator, f.resolution_rate.denominator) == (3, 4)
        assert f.resolution_rate.value == 0.75
        assert f.resolution_rate.last_year == 0.0  # c6 is open

    def test_one_time_rate_excludes_escalated_and_reopened(self, world, history):
        f = figures(world)
        # Resolved: c1, c2 (escalated), c3 (reopened) → only c1 resolved at first handling.
        assert (f.one_time_rate.numerator, f.one_time_rate.denominator) == (1, 3)
        assert f.one_time_rate.value == round(1 / 3, 4)

    def test_identification_rate(self, world, history):
        f = figures(world)
        assert (f.identification_rate.numerator, f.identification_rate.denominator) == (1, 4)

    def test_in_database_rate(self, world, history):
        # c3's party phone was on c1, registered two hours earlier; nobody else was known.
        f = figures(world)
        assert (f.in_database_rate.numerator, f.in_database_rate.denominator) == (1, 4)

    def test_acceptance_percentiles(self, world, history):
        f = figures(world)
        # 30 min, 1 h, 3 h → buckets ending 0.5 h, 1 h, 4 h; median = 2nd = 1 h, p90 = 3rd = 4 h.
        assert f.acceptance_p50_hours.value == 1.0
        assert f.acceptance_p90_hours.value == 4.0
        assert f.acceptance_p50_hours.denominator == 3

    def test_resolution_percentiles(self, world, history):
        f = figures(world)
        # 2, 5 and 10 days → buckets ending 48 h, 120 h, 240 h.
        assert f.resolution_p50_hours.value == 120.0
        assert f.resolution_p90_hours.value == 240.0

    def test_overdue_count(self, world, history):
        assert figures(world).overdue.value == 1

    def test_category_and_channel_filters(self, world, history):
        assert figures(world, channel="grid-patrol").registered.value == 1
        assert figures(world, category="M02").registered.value == 4
        both = figures(world, category="M02.04", channel="12345")
        assert both.registered.value == 1
        assert both.resolution_rate.value == 1.0

    def test_grid_and_city(self, world, history):
        assert figures(world, "A1a-g1").registered.value == 4
        assert figures(world, "A1b-g1").registered.value == 0
        assert figures(world, "city", "city_admin").registered.value == 5


class TestBreakdown:
    def test_by_child(self, world, history):
        rows = breakdown(
            actor=world.user("city_admin"),
            unit=world.region.unit("city"),
            start=DAY,
            end=DAY,
            by="child",
        )
        assert [(r.label, r.figures.registered.value) for r in rows] == [
            ("永川区", 4),
            ("渝北区", 1),
        ]

    def test_by_channel(self, world, history):
        rows = breakdown(
            actor=world.user("a_leader"),
            unit=world.region.unit("A"),
            start=DAY,
            end=DAY,
            by="channel",
        )
        assert {r.key: r.figures.registered.value for r in rows} == {
            "visit": 2,
            "grid-patrol": 1,
            "12345": 1,
        }

    def test_by_level_of_the_lead_unit(self, world, history):
        rows = breakdown(
            actor=world.user("a_leader"),
            unit=world.region.unit("A1"),
            start=DAY,
            end=DAY,
            by="level",
        )
        assert sum(r.figures.registered.value for r in rows) == 4
        assert len(rows) == 2  # c2 is led one level above where the others are


class TestSummedInTheDatabase:
    """The map's sums (registered, open counts) agree with the figures and with the cases."""

    @pytest.mark.parametrize(
        ("unit", "who", "filters"),
        [
            ("city", "city_admin", {}),
            ("A", "a_leader", {}),
            ("A1", "a_leader", {}),
            ("A1", "a_leader", {"channel": "visit"}),
            ("A1a", "a_leader", {}),  # a village: its grids answer from their base rows
            ("A1a-g1", "a_leader", {}),  # a grid: the map draws the grid itself
        ],
    )
    def test_registered_by_place_equals_the_figures(self, world, history, unit, who, filters):
        actor, place = world.user(who), world.region.unit(unit)
        kids = selectors.children(place) or [place]
        period = {"start": date(2025, 1, 1), "end": DAY, **filters}
        summed = registered_by_place(actor=actor, unit=place, places=kids, **period)
        expected = {
            kid.path: unit_figures(actor=actor, unit=kid, **period).registered.value for kid in kids
        }
        assert summed == expected
        assert (
            sum(summed.values()) == unit_figures(actor=actor, unit=place, **period).registered.value
        )

    @pytest.mark.parametrize(
        ("unit", "kind", "rolled_up"),
        [
            ("city", StatKind.TOTAL, True),
            ("A1", StatKind.TOTAL, True),
            ("A1", StatKind.CHANNEL, True),
            ("A1", None, False),  # a question mixing dimensions: the base rows
            ("A1a", StatKind.TOTAL, False),  # a village has no roll-ups: its subtree's base rows
        ],
    )
    def test_sql_reads_equal_the_orms(self, world, history, unit, kind, rolled_up):
        place = world.region.unit(unit)
        period = (date(2024, 1, 1), DAY)
        if rolled_up:
            orm = DailyStat.objects.filter(kind=kind, unit_path=place.path)
        else:
            orm = DailyStat.objects.filter(kind=StatKind.BASE, unit_path__startswith=place.path)
        orm = orm.filter(day__range=period)
        rows = statsql.rows([place], kind, periods=[period])
        expected = orm.values(*statsql.ROW_FIELDS, *statsql.HIST_FIELDS)

        def key(row):
            return (row["day"], row["unit_path"], row["major_id"] or 0, row["channel_id"] or 0)

        assert sorted(rows, key=key) == sorted(expected, key=key)
        assert any(row["accept_hist"] for row in rows)  # some histogram was decoded
        sums = statsql.sums_by_owner([place], kind, ["registered", "resolved"], periods=[period])
        totals = orm.aggregate(r=Sum("registered"), s=Sum("resolved"))
        assert sums == {place.path: [totals["r"], totals["s"]]}

    def test_a_place_outside_the_unit_is_refused(self, world, history):
        with pytest.raises(ValidationFailed):
            registered_by_place(
                actor=world.user("city_admin"),
                unit=world.region.unit("A1"),
                places=[world.region.unit("B")],
                start=DAY,
                end=DAY,
            )

    def test_the_history_has_open_cases_to_count(self, world, history):
        counts = selectors.colour_counts(
            actor=world.user("city_admin"), unit=world.region.unit("A1")
        )
        assert counts["total"] > 0

    @pytest.mark.parametrize("unit", ["city", "A", "A1", "A1a", "A1a-g1"])
    def test_open_counts_equal_the_open_cases(self, world, history, unit):
        place = world.region.unit(unit)
        counts = selectors.colour_counts(actor=world.user("city_admin"), unit=place)
        open_cases = OpenCase.objects.filter(territory_path__startswith=place.path)
        assert counts["total"] == open_cases.count()
        for colour in ("red", "orange", "green"):
            assert counts[colour] == open_cases.filter(risk_colour=colour).count()
        assert counts["overdue"] == open_cases.filter(overdue=True).count()
        assert counts["leader_led"] == open_cases.exclude(leader=None).count()


class TestTrend:
    def test_daily_points_cover_the_period(self, world, history):
        points = trend(
            actor=world.user("a_leader"),
            unit=world.region.unit("A1"),
            start=DAY.replace(day=9),
            end=DAY.replace(day=11),
            grain="day",
        )
        assert [p.figures.registered.value for p in points] == [0, 4, 0]
