"""The statistics tables: incremental refresh equals a rebuild, and both equal the cases."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fengqiao.cases.models import Case
from fengqiao.metrics.aggregate import rebuild, refresh
from fengqiao.metrics.dirty import mark_dirty
from fengqiao.metrics.models import DailyStat, DirtyDay, OpenCase, StatKind
from fengqiao.metrics.tests.history import DAY, act, at, place, register
from fengqiao.testing.cases import B1_POINT


def snapshot() -> list[tuple]:
    fields = [f.attname for f in DailyStat._meta.concrete_fields if f.attname not in {"id"}]
    rows = DailyStat.objects.values_list(*fields)
    opens = OpenCase.objects.values_list("case_id", "day", "territory_path", "risk_colour")
    return sorted(map(repr, rows)) + sorted(map(repr, opens))


class TestIncremental:
    def test_every_change_marks_its_day_and_the_refresh_matches_a_rebuild(self, world):
        c1 = register(world, "a1_clerk", phone="13800000011")
        register(world, "b1_clerk", phone="13800000012", point=B1_POINT)
        assert DirtyDay.objects.count() == 2
        assert refresh() == 2
        assert not DirtyDay.objects.exists()
        act(world, "a1_clerk", c1, "accept")
        act(world, "a1_clerk", c1, "escalate", reason="调解无果")
        assert DirtyDay.objects.count() == 1
        refresh()
        incremental = snapshot()
        assert DailyStat.objects.filter(kind=StatKind.TOTAL, unit__level=1).get().registered == 2
        rebuild()
        assert snapshot() == incremental

    def test_a_mark_touched_during_a_refresh_survives_it(self, world):
        c1 = register(world, "a1_clerk", phone="13800000013")
        mark = DirtyDay.objects.get()
        # The refresh read the mark at this time; a later change touches it again.
        DirtyDay.objects.filter(pk=mark.pk).update(marked_at=mark.marked_at + timedelta(seconds=1))
        refresh()
        assert not DirtyDay.objects.exists()  # read and removed in the same run
        mark_dirty([(DAY, c1.territory_path)])
        assert DirtyDay.objects.filter(day=DAY).exists()


@pytest.mark.django_db
class TestAgainstTheCases:
    @settings(
        max_examples=6,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        days=st.lists(
            st.tuples(st.integers(0, 2), st.sampled_from(["visit", "12345", "grid-patrol"])),
            min_size=1,
            max_size=5,
        )
    )
    def test_roll_ups_equal_direct_counts(self, world, days):
        Case.objects.all().delete()
        for offset, channel in days:
            case = register(
                world, "a1_clerk", channel=channel, phone=f"1390000{offset:02d}{len(channel):02d}"
            )
            place(case, created_at=at(DAY + timedelta(days=offset)))
        rebuild()
        expected = Counter(offset for offset, _ in days)
        for unit in ("city", "A", "A1"):
            path = world.region.unit(unit).path
            got = Counter(
                {
                    (row.day - DAY).days: row.registered
                    for row in DailyStat.objects.filter(unit_path=path, kind=StatKind.TOTAL)
                }
            )
            assert got == expected
        # Villages and grids have base rows only; they add up to the same.
        village = world.region.unit("A1a").path
        base: Counter[int] = Counter()
        for row in DailyStat.objects.filter(kind=StatKind.BASE, unit_path__startswith=village):
            base[(row.day - DAY).days] += row.registered
        assert base == expected
        by_channel = Counter(channel for _, channel in days)
        rows = DailyStat.objects.filter(
            unit_path=world.region.unit("A").path, kind=StatKind.CHANNEL
        ).select_related("channel")
        got_channels: Counter[str] = Counter()
        for row in rows:
            got_channels[row.channel.code] += row.registered
        assert got_channels == by_channel
