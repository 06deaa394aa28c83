"""The daily counts table: one aggregate rebuild, and the incremental recount that matches it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

from fengqiao.hotspots.counts import count_matrix, daily_counts_rebuild
from fengqiao.hotspots.models import CategoryLevel, DailyCaseCount
from fengqiao.hotspots.selectors import daily_counts
from fengqiao.hotspots.tests.conftest import (
    A1_G2_POINT,
    NEIGHBOURS,
    SEPTIC,
    HotWorld,
    local_noon,
    register,
)
from fengqiao.taxonomy.models import Category
from fengqiao.testing.cases import A1_POINT


def table() -> set[tuple[date, int, int, int, int]]:
    return set(
        DailyCaseCount.objects.values_list("day", "grid_id", "category_id", "major_id", "count")
    )


class TestRebuild:
    def test_counts_cases_per_local_day_grid_and_category(self, hot: HotWorld) -> None:
        written = daily_counts_rebuild()
        neighbours = Category.objects.get(code=NEIGHBOURS)
        grid = hot.unit("A1a-g1")
        rows = DailyCaseCount.objects.filter(grid=grid).order_by("day")
        assert [(r.day, r.count) for r in rows] == [
            (hot.today - timedelta(days=2), 2),
            (hot.today - timedelta(days=1), 2),
            (hot.today, 2),
        ]
        assert {r.category_id for r in rows} == {neighbours.pk}
        assert {r.major_id for r in rows} == {neighbours.parent_id}
        assert {r.grid_path for r in rows} == {grid.path}
        assert written == DailyCaseCount.objects.count() == 3 + 5 + 10

    def test_the_day_is_the_local_day(self, world) -> None:
        # 17:30 UTC is 01:30 the next day in Asia/Shanghai.
        at = datetime(2025, 3, 1, 17, 30, tzinfo=UTC)
        register(world, user="a1_clerk", point=A1_POINT, category=SEPTIC, at=at)
        daily_counts_rebuild()
        assert list(DailyCaseCount.objects.values_list("day", flat=True)) == [date(2025, 3, 2)]

    def test_cases_not_located_to_a_grid_are_not_counted(self, world) -> None:
        village = world.region.unit("A1a")
        register(
            world,
            user="a1_clerk",
            point={"unit_id": village.pk, "lng": None, "lat": None},
            category=SEPTIC,
            at=timezone.now(),
        )
        assert daily_counts_rebuild() == 0

    def test_an_incremental_recount_equals_a_full_rebuild(self, hot: HotWorld) -> None:
        daily_counts_rebuild()
        since = hot.today - timedelta(days=3)
        # New cases after the last count: one today, one on an already counted day.
        register(
            hot.world, user="a1_clerk", point=A1_POINT, category=SEPTIC, at=local_noon(hot.today)
        )
        register(
            hot.world,
            user="a1_clerk",
            point=A1_G2_POINT,
            category=NEIGHBOURS,
            at=local_noon(since),
        )
        daily_counts_rebuild(since=since)
        incremental = table()
        daily_counts_rebuild()
        assert incremental == table()
        assert DailyCaseCount.objects.get(day=since, grid=hot.unit("A1a-g2")).count == 2


class TestReads:
    def test_the_matrix_rolls_minor_categories_up_to_major(self, hot: HotWorld) -> None:
        daily_counts_rebuild()
        first = hot.today - timedelta(days=90)
        matrix = count_matrix(first_day=first, last_day=hot.today, level=CategoryLevel.MAJOR)
        major = Category.objects.get(code=NEIGHBOURS).parent_id
        assert matrix.counts.shape == (3, 91)
        row = [
            i
            for i, (g, c) in enumerate(zip(matrix.grid_ids, matrix.category_ids, strict=True))
            if g == hot.unit("A1a-g1").pk and c == major
        ]
        assert matrix.counts[row[0], -3:].tolist() == [2, 2, 2]

    def test_people_read_only_their_jurisdiction(self, hot: HotWorld) -> None:
        daily_counts_rebuild()
        b1_grids = set(daily_counts(actor=hot.user("b1_clerk")).values_list("grid_id", flat=True))
        assert b1_grids == {hot.unit("B1a-g1").pk}
        assert daily_counts(actor=hot.user("city_admin")).count() == DailyCaseCount.objects.count()


class TestCommand:
    def test_counts_then_run_from_the_command_line(self, hot: HotWorld) -> None:
        from io import StringIO

        from django.core.management import call_command

        out = StringIO()
        call_command("hotspots", "counts", stdout=out)
        call_command("hotspots", "run", "--method", "nb", stdout=out)
        lines = out.getvalue().splitlines()
        assert lines[0] == "18 daily count rows written"
        assert lines[1].endswith(
            f"3 series, 2 hotspots ({hot.today - timedelta(days=6)} – {hot.today}, nb)"
        )
