from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from fengqiao.core.queue import Call
from fengqiao.notifications.models import Notification

if TYPE_CHECKING:
    from fengqiao.cases.models import Case


def notify(
    *, users: Iterable[Any], kind: str, message: str, case: Case | None = None
) -> list[Notification]:
    """Write in-app notifications now; deliver them outward only after the transaction commits."""
    return notify_many([(users, message)], kind=kind, case=case)


def notify_many(
    groups: list[tuple[Iterable[Any], str]],
    *,
    kind: str,
    case: Case | None = None,
    deliveries: list[Call] | None = None,
) -> list[Notification]:
    """Several messages of one kind, each to its users, in one INSERT.

    Outward delivery is a task: added to ``deliveries`` when the caller batches its tasks (it is
    then enqueued in the caller's transaction), otherwise enqueued once the transaction commits.
    """
    rows: list[Notification] = []
    for users, message in groups:
        recipients = {user.pk for user in users if user is not None and user.is_active}
        rows.extend(
            Notification(user_id=user_id, kind=kind, message=message[:255], case=case)
            for user_id in recipients
        )
    rows = Notification.objects.bulk_create(rows)
    if rows:
        from fengqiao.notifications.tasks import deliver_notifications

        ids = [row.pk for row in rows]
        if deliveries is not None:
            deliveries.append(Call(deliver_notifications, (ids,)))
        else:
            transaction.on_commit(lambda: deliver_notifications.enqueue(ids))
    return rows


def notification_mark_read(*, user: Any, notification_ids: list[int] | None = None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
