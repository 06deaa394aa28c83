"""Retention of raw signals, and the monthly partitions of the signal table on PostgreSQL.

PostgreSQL: one partition per calendar month (UTC) named ``signals_signal_yYYYYmMM`` plus a
``DEFAULT`` partition that catches anything no month covers yet, so a signal is always stored.
The hourly job creates the months from the retention cut-off to a few months ahead, moves rows
that landed in the default partition into their month, drops months wholly past retention and
deletes the older rows of the month the cut-off falls in. SQLite keeps one table and deletes
past-retention rows in chunks.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from fengqiao.signals.models import Signal, SignalBatch

logger = logging.getLogger(__name__)

PARENT = "signals_signal"
DEFAULT = f"{PARENT}_default"
MONTHS_AHEAD = 3
DELETE_CHUNK = 5000
_NAME = re.compile(rf"^{PARENT}_y(\d{{4}})m(\d{{2}})$")
# Any constant works; it only has to be the same for every process running maintenance.
_LOCK_KEY = 0x5167_6E61


@dataclass
class MaintenanceResult:
    created: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    moved: int = 0
    deleted: int = 0
    batches_deleted: int = 0

    def summary(self) -> str:
        return (
            f"partitions created {len(self.created)}, dropped {len(self.dropped)}; "
            f"rows moved from default {self.moved}, signals deleted {self.deleted}, "
            f"batches deleted {self.batches_deleted}"
        )


def month_start(moment: datetime, offset: int = 0) -> datetime:
    utc = moment.astimezone(UTC)
    index = utc.year * 12 + utc.month - 1 + offset
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def partition_name(start: datetime) -> str:
    return f"{PARENT}_y{start:%Y}m{start:%m}"


def is_partitioned() -> bool:
    return connection.vendor == "postgresql"


def partitions() -> dict[str, datetime]:
    """Monthly partitions that exist: name → first instant of the month."""
    if not is_partitioned():
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [PARENT],
        )
        names = [row[0] for row in cursor.fetchall()]
    found: dict[str, datetime] = {}
    for name in names:
        match = _NAME.match(name)
        if match:
            found[name] = datetime(int(match[1]), int(match[2]), 1, tzinfo=UTC)
    return found


def _create_month(start: datetime, result: MaintenanceResult) -> None:
    name, end = partition_name(start), month_start(start, 1)
    bounds = [start, end]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {DEFAULT} WHERE observed_at >= %s AND observed_at < %s",  # noqa: S608
            bounds,
        )
        strays = int(cursor.fetchone()[0])
        if not strays:
            cursor.execute(
                f"CREATE TABLE {name} PARTITION OF {PARENT} FOR VALUES FROM (%s) TO (%s)", bounds
            )
        else:
            # A new month may not overlap rows already in the default partition: move them in
            # first, then attach (PostgreSQL checks the default holds none of the range).
            cursor.execute(f"CREATE TABLE {name} (LIKE {PARENT} INCLUDING DEFAULTS)")
            cursor.execute(
                f"WITH moved AS (DELETE FROM {DEFAULT} "  # noqa: S608
                "WHERE observed_at >= %s AND observed_at < %s RETURNING *) "
                f"INSERT INTO {name} SELECT * FROM moved",
                bounds,
            )
            cursor.execute(
                f"ALTER TABLE {PARENT} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)",
                bounds,
            )
            result.moved += strays
    result.created.append(name)


def _maintain_postgresql(now: datetime, cutoff: datetime, result: MaintenanceResult) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        # Two maintainers at once (the hourly job and an operator) would race on DDL.
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        existing = partitions()
        first, last = month_start(cutoff), month_start(now, MONTHS_AHEAD)
        month = first
        while month <= last:
            if partition_name(month) not in existing:
                _create_month(month, result)
            month = month_start(month, 1)
        for name, start in sorted(existing.items(), key=lambda item: item[1]):
            if month_start(start, 1) <= cutoff:
                cursor.execute(f"SELECT count(*) FROM {name}")  # noqa: S608
                result.deleted += int(cursor.fetchone()[0])
                cursor.execute(f"DROP TABLE {name}")
                result.dropped.append(name)
        # The month the cut-off falls in, and the default partition, keep rows on both sides.
        result.deleted += Signal.objects.filter(observed_at__lt=cutoff).delete()[0]


def _maintain_sqlite(cutoff: datetime, result: MaintenanceResult) -> None:
    while True:
        # Small transactions so the web server and the consumer are never blocked for long.
        with transaction.atomic():
            ids = list(
                Signal.objects.filter(observed_at__lt=cutoff).values_list("pk", flat=True)[
                    :DELETE_CHUNK
                ]
            )
            if not ids:
                return
            result.deleted += Signal.objects.filter(pk__in=ids).delete()[0]


def signals_maintain(
    *, now: datetime | None = None, retention_days: int | None = None
) -> MaintenanceResult:
    """Create upcoming partitions and drop or delete signals past retention (idempotent)."""
    now = now or timezone.now()
    days = retention_days or settings.FENGQIAO_SIGNAL_RETENTION_DAYS
    cutoff = now - timedelta(days=days)
    result = MaintenanceResult()
    if is_partitioned():
        _maintain_postgresql(now, cutoff, result)
    else:
        _maintain_sqlite(cutoff, result)
    with transaction.atomic():
        # A batch outlives its signals only as long as they could still be re-sent.
        emptied = SignalBatch.objects.filter(received_at__lt=cutoff).exclude(
            Exists(Signal.objects.filter(batch_id=OuterRef("pk")))
        )
        result.batches_deleted = emptied.delete()[0]
    if result.created or result.dropped or result.deleted:
        logger.info("signal maintenance: %s", result.summary())
    return result
