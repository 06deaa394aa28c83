from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from fengqiao.signals.models import Signal, SignalBatch
from fengqiao.signals.partitions import (
    DEFAULT,
    month_start,
    partition_name,
    partitions,
    signals_maintain,
)
from fengqiao.signals.services import signals_store
from fengqiao.signals.validation import ParsedSignal

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions exist on PostgreSQL only"
)


def store(*moments: datetime, device: str = "d") -> int:
    """Store readings at the given times, bypassing intake's retention check (as old data)."""
    parsed = [
        ParsedSignal("s", f"{device}{i}", "level", 1.0, None, None, moment)
        for i, moment in enumerate(moments)
    ]
    return signals_store(parsed=parsed, now=max(moments)).batch_id


def rows_in(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
        return int(cursor.fetchone()[0])


class TestMonthStart:
    def test_months_roll_over_years(self) -> None:
        moment = datetime(2026, 11, 25, 10, tzinfo=UTC)
        assert month_start(moment) == datetime(2026, 11, 1, tzinfo=UTC)
        assert month_start(moment, 3) == datetime(2027, 2, 1, tzinfo=UTC)
        assert month_start(moment, -11) == datetime(2025, 12, 1, tzinfo=UTC)
        assert partition_name(datetime(2027, 2, 1, tzinfo=UTC)) == "signals_signal_y2027m02"


@pytest.mark.django_db
class TestRetention:
    def test_signals_past_retention_are_deleted_and_newer_kept(self) -> None:
        now = timezone.now()
        old = store(now - timedelta(days=50), now - timedelta(days=45), device="old")
        mixed = store(now - timedelta(days=41), now - timedelta(days=5), device="mixed")
        result = signals_maintain(now=now, retention_days=40)
        assert result.deleted == 3
        assert list(Signal.objects.values_list("device_id", flat=True)) == ["mixed1"]
        # The batch whose signals are all gone goes too; one that keeps a signal stays.
        assert set(SignalBatch.objects.values_list("pk", flat=True)) == {mixed}
        assert old not in set(SignalBatch.objects.values_list("pk", flat=True))

    def test_running_again_changes_nothing(self) -> None:
        now = timezone.now()
        store(now - timedelta(days=1))
        signals_maintain(now=now, retention_days=40)
        again = signals_maintain(now=now, retention_days=40)
        assert (again.deleted, again.created, again.dropped) == (0, [], [])
        assert Signal.objects.count() == 1

    def test_the_hourly_job_is_registered(self) -> None:
        from fengqiao.core import schedule

        jobs = schedule.jobs()
        assert jobs["signals.retention"].every == timedelta(hours=1)
        assert jobs["signals.recover"].every == timedelta(minutes=1)


@postgresql_only
@pytest.mark.django_db
class TestPartitions:
    def test_the_table_is_partitioned_by_month_with_a_default(self) -> None:
        now = timezone.now()
        existing = partitions()
        assert partition_name(month_start(now)) in existing
        assert partition_name(month_start(now, 3)) in existing
        assert rows_in(DEFAULT) == 0

    def test_a_signal_outside_every_month_lands_in_default_and_is_moved_later(self) -> None:
        now = timezone.now()
        far = month_start(now, -8) + timedelta(days=3)
        assert partition_name(month_start(far)) not in partitions()
        store(far)
        assert rows_in(DEFAULT) == 1
        result = signals_maintain(now=now, retention_days=400)
        assert partition_name(month_start(far)) in result.created
        assert result.moved == 1
        assert rows_in(DEFAULT) == 0
        assert rows_in(partition_name(month_start(far))) == 1
        # Still one table to Django, and still unique across the move.
        assert Signal.objects.filter(observed_at=far).count() == 1
        store(far)
        assert Signal.objects.filter(observed_at=far).count() == 1

    def test_months_wholly_past_retention_are_dropped(self) -> None:
        now = timezone.now()
        signals_maintain(now=now, retention_days=400)
        old_month = month_start(now, -6)
        store(old_month + timedelta(days=1), old_month + timedelta(days=2))
        result = signals_maintain(now=now, retention_days=120)
        assert partition_name(old_month) in result.dropped
        assert partition_name(old_month) not in partitions()
        assert partition_name(month_start(now, 3)) in partitions()
        assert result.deleted >= 2
        assert not Signal.objects.filter(observed_at__lt=now - timedelta(days=120)).exists()
