"""Reads of notifications: a user only ever sees their own."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from fengqiao.core.errors import NotFound
from fengqiao.notifications.models import Notification


def notification_list(*, actor: Any, unread_only: bool = False) -> QuerySet[Notification]:
    notifications = Notification.objects.filter(user_id=actor.pk)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-pk")


def notification_get(*, actor: Any, notification_id: int) -> Notification:
    notification = Notification.objects.filter(user_id=actor.pk, pk=notification_id).first()
    if notification is None:
        raise NotFound("notification not found")
    return notification


def unread_count(*, actor: Any) -> int:
    return Notification.objects.filter(user_id=actor.pk, read_at__isnull=True).count()
