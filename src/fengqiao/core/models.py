"""Shared model base and platform-level tables (worker heartbeat)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class TimestampedModel(models.Model):
    """Every table gets UTC-aware creation and update times."""

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.pk}>"


class WorkerHeartbeat(models.Model):
    """One row per running worker process, touched periodically so /healthz can report its age."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id}@{self.hostname}"


class ScheduledSlot(models.Model):
    """One claimed run of a periodic job (see :mod:`fengqiao.core.schedule`)."""

    job = models.CharField(max_length=80)
    slot = models.DateTimeField()
    claimed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="core_scheduled_slot_once")
        ]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot.isoformat()}"
