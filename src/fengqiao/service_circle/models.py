"""Computed coverage of the service circle: one run per (mode, minutes, kind, version of the
stations and units), and one row per grid and village with its covered share and population."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RunStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the worker")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class CoverageStatus(models.TextChoices):
    COVERED = "covered", _("Covered")
    PARTLY = "partly", _("Partly covered")
    NOT_COVERED = "not_covered", _("Not covered")


class CoverageRun(models.Model):
    mode = models.CharField(pgettext_lazy("travel", "mode"), max_length=16)
    minutes = models.PositiveSmallIntegerField(_("minutes"))
    # "" = stations of every kind.
    kind = models.CharField(_("station kind"), max_length=32, blank=True)
    # Digest of the stations, grid/village layer and travel settings the run was computed from.
    version = models.CharField(max_length=64)
    status = models.CharField(
        _("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.PENDING
    )
    requested_at = models.DateTimeField(default=timezone.now)
    computed_at = models.DateTimeField(null=True, blank=True)
    station_count = models.PositiveIntegerField(default=0)
    unit_count = models.PositiveIntegerField(default=0)
    sample_count = models.PositiveIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("coverage run")
        verbose_name_plural = _("coverage runs")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["mode", "minutes", "kind", "version"], name="service_run_key_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mode} {self.minutes} min {self.kind or '*'} ({self.status})"

    def __repr__(self) -> str:
        return f"<CoverageRun {self.pk}>"


class CoverageCell(models.Model):
    run = models.ForeignKey(CoverageRun, models.CASCADE, related_name="cells")
    unit = models.ForeignKey("orgs.OrgUnit", models.CASCADE, related_name="+")
    # Copied from the unit so a jurisdiction's cells are one index range of the run.
    unit_path = models.CharField(max_length=24)
    level = models.PositiveSmallIntegerField()
    samples = models.PositiveIntegerField()
    covered_samples = models.PositiveIntegerField()
    share = models.FloatField()
    status = models.CharField(max_length=16, choices=CoverageStatus.choices)
    # The unit's representative point and the travel time from it to the nearest station.
    lat = models.FloatField()
    lng = models.FloatField()
    centre_minutes = models.FloatField(null=True)
    population = models.PositiveIntegerField(null=True)
    covered_population = models.FloatField(null=True)
    uncovered_population = models.FloatField(null=True)

    class Meta:
        verbose_name = _("coverage cell")
        verbose_name_plural = _("coverage cells")
        constraints = [
            models.UniqueConstraint(fields=["run", "unit"], name="service_cell_run_unit_uniq")
        ]
        indexes = [models.Index(fields=["run", "level", "unit_path"], name="service_cell_scope")]

    def __str__(self) -> str:
        return f"{self.unit_path} {self.share:.2f}"

    def __repr__(self) -> str:
        return f"<CoverageCell {self.pk}>"
