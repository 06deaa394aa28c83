from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from fengqiao.notifications.models import Notification
from fengqiao.notifications.senders import get_sender


@task()
def deliver_notifications(notification_ids: list[int]) -> int:
    """Push notifications out through the configured sender; each is sent at most once."""
    sender = get_sender()
    sent = 0
    for notification_id in notification_ids:
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update()
                .filter(pk=notification_id, sent_at__isnull=True)
                .first()
            )
            if notification is None:
                continue
            sender.send(notification)
            notification.sent_at = timezone.now()
            notification.save(update_fields=["sent_at"])
            sent += 1
    return sent
