"""Outbound delivery of notifications (SMS, government messaging apps…) behind one interface.

The in-app notification row is always written; a sender additionally pushes it somewhere. The
sender is chosen by ``FENGQIAO_NOTIFICATION_SENDER`` (a dotted path); the console sender logs.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from fengqiao.notifications.models import Notification

logger = logging.getLogger(__name__)


class Sender(Protocol):
    def send(self, notification: Notification) -> None: ...


class ConsoleSender:
    def send(self, notification: Notification) -> None:
        logger.info(
            "notify user=%s kind=%s case=%s: %s",
            notification.user_id,
            notification.kind,
            notification.case_id,
            notification.message,
        )


class MemorySender:
    """Keeps what it was asked to send; used by tests."""

    outbox: list[Notification] = []

    def send(self, notification: Notification) -> None:
        MemorySender.outbox.append(notification)


def get_sender() -> Sender:
    path = getattr(
        settings, "FENGQIAO_NOTIFICATION_SENDER", "fengqiao.notifications.senders.ConsoleSender"
    )
    sender: Sender = import_string(path)()
    return sender
