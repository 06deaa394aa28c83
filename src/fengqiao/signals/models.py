"""Raw signals from sensors and other departments' systems, and the batches they arrived in.

On PostgreSQL ``signals_signal`` is partitioned by month on ``observed_at`` (see
``migrations/0001_initial.py`` and :mod:`fengqiao.signals.partitions`): its real primary key is
``(id, observed_at)``, so no other table may hold a foreign key to it — refer to a signal by id.
Django still sees ``id`` as the primary key, which is true in practice: ids come from one sequence.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SignalBatch(models.Model):
    """One ingest call (API) or one MQTT poll; the unit the early-warning engine evaluates."""

    source = models.CharField(_("source"), max_length=64)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    count = models.PositiveIntegerField(_("signals stored"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates ignored"), default=0)
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("signal batch")
        verbose_name_plural = _("signal batches")
        indexes = [models.Index(fields=["received_at"], name="sig_batch_received_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.source} ({self.count})"

    def __repr__(self) -> str:
        return f"<SignalBatch {self.pk}>"


class Signal(models.Model):
    """One reading: a value of a kind from a device (or a bare point) at a time."""

    id = models.BigAutoField(primary_key=True)
    # Plain columns on the database side (no constraint): the signal table is partitioned and
    # pruned by dropping partitions, which must not cascade into or wait on other tables.
    batch = models.ForeignKey(
        SignalBatch,
        models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="signals",
        verbose_name=_("batch"),
    )
    source = models.CharField(_("source"), max_length=64)
    device_id = models.CharField(_("device id"), max_length=100)
    kind = models.CharField(_("type"), max_length=40)
    value = models.FloatField(_("value"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    grid = models.ForeignKey(
        "orgs.OrgUnit",
        models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("grid"),
    )
    observed_at = models.DateTimeField(_("observed at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    payload = models.JSONField(_("other fields"), default=dict, blank=True)

    class Meta:
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        constraints = [
            # Includes the partition key, as PostgreSQL requires of a partitioned unique key.
            models.UniqueConstraint(
                fields=["source", "device_id", "kind", "observed_at"], name="sig_signal_once"
            )
        ]
        indexes = [
            models.Index(fields=["observed_at"], name="sig_signal_observed_idx"),
            models.Index(fields=["device_id", "observed_at"], name="sig_signal_device_idx"),
            models.Index(fields=["grid", "observed_at"], name="sig_signal_grid_idx"),
            models.Index(fields=["batch"], name="sig_signal_batch_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source}/{self.device_id} {self.kind}={self.value} @ {self.observed_at}"

    def __repr__(self) -> str:
        return f"<Signal {self.pk}>"
