"""The hook the case services call whenever they write a timeline event.

Every change to a case writes an event in the same transaction (``cases.services.event_write``),
so marking the case's (registration day, place) there catches registrations, transitions,
deadline breaches and edits alike; a rolled-back change leaves no mark. Bulk imports write no
events: the nightly rebuild covers them.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from fengqiao.metrics.models import DirtyDay


def case_changed(case: Any) -> None:
    mark_dirty([(timezone.localdate(case.created_at), case.territory_path)])


def mark_dirty(pairs: list[tuple[Any, str]]) -> None:
    """Mark (day, place) pairs; a pair already marked gets a fresh ``marked_at``.

    The refresh deletes only marks it has seen at their ``marked_at``; touching the time here
    means a change committed while a refresh runs is picked up by the next one.
    """
    now = timezone.now()
    DirtyDay.objects.bulk_create(
        [DirtyDay(day=day, unit_path=path, marked_at=now) for day, path in set(pairs)],
        update_conflicts=True,
        unique_fields=["day", "unit_path"],
        update_fields=["marked_at"],
    )
