from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    ASSIGNMENT = "assignment", _("New assignment")
    DEADLINE = "deadline", _("Deadline approaching")
    OVERDUE = "overdue", _("Deadline breached")
    ESCALATION = "escalation", _("Escalated to your unit")
    STATUS = "status", _("Status change")


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    case = models.ForeignKey("cases.Case", models.CASCADE, null=True, blank=True, related_name="+")
    message = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "read_at", "created_at"], name="notif_user_unread_idx")
        ]

    def __str__(self) -> str:
        return self.message
