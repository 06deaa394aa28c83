"""Daily case counts per grid and category, and the hotspot runs that read them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.hotspots.detection import DEFAULT_METHOD


class DailyCaseCount(models.Model):
    """Cases registered per local day, grid and category (the case's own, usually minor).

    ``major`` is the category's major category, copied so a roll-up to the 18 major categories
    is one GROUP BY; ``grid_path`` is copied so a jurisdiction filter is one index range. The
    cockpit reads this table too.
    """

    day = models.DateField(_("day"))
    grid = models.ForeignKey("orgs.OrgUnit", models.CASCADE, related_name="+")
    grid_path = models.CharField(max_length=24)
    category = models.ForeignKey("taxonomy.Category", models.CASCADE, related_name="+")
    major = models.ForeignKey("taxonomy.Category", models.CASCADE, related_name="+")
    count = models.PositiveIntegerField(_("cases"))

    class Meta:
        verbose_name = _("daily case count")
        verbose_name_plural = _("daily case counts")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "grid", "category"], name="hotspots_daily_day_grid_cat_uniq"
            )
        ]
        indexes = [
            models.Index(fields=["grid_path", "day"], name="hotspots_daily_path_day_idx"),
            models.Index(fields=["major", "day"], name="hotspots_daily_major_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.grid_id}/{self.category_id}: {self.count}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RunTrigger(models.TextChoices):
    NIGHTLY = "nightly", _("Nightly")
    ON_DEMAND = "on_demand", _("On demand")


class CategoryLevel(models.TextChoices):
    MAJOR = "major", _("Major categories")
    MINOR = "minor", _("Minor categories")


class HotspotRun(models.Model):
    status = models.CharField(
        _("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    trigger = models.CharField(_("trigger"), max_length=12, choices=RunTrigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    method = models.CharField(_("method"), max_length=16, default=DEFAULT_METHOD)
    category_level = models.CharField(
        _("categories"), max_length=8, choices=CategoryLevel.choices, default=CategoryLevel.MAJOR
    )
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    window_start = models.DateField(_("window start"))
    window_end = models.DateField(_("window end"))
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    series_evaluated = models.PositiveIntegerField(_("series evaluated"), default=0)
    flagged = models.PositiveIntegerField(_("hotspots"), default=0)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("hotspot run")
        verbose_name_plural = _("hotspot runs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "-finished_at"], name="hotspots_run_status_idx")]

    def __str__(self) -> str:
        return f"{self.method} {self.window_start}..{self.window_end} ({self.status})"

    @property
    def in_progress(self) -> bool:
        return self.status in {RunStatus.QUEUED, RunStatus.RUNNING}


class Hotspot(models.Model):
    run = models.ForeignKey(HotspotRun, models.CASCADE, related_name="hotspots")
    grid = models.ForeignKey("orgs.OrgUnit", models.CASCADE, related_name="+")
    grid_path = models.CharField(max_length=24)
    category = models.ForeignKey("taxonomy.Category", models.CASCADE, related_name="+")
    window_start = models.DateField(_("window start"))
    window_end = models.DateField(_("window end"))
    observed = models.PositiveIntegerField(_("cases"))
    expected = models.FloatField(_("expected"))
    p_value = models.FloatField(_("p-value"), null=True, blank=True)
    q_value = models.FloatField(_("q-value"), null=True, blank=True)
    score = models.FloatField(_("score"))
    rank = models.PositiveIntegerField(_("rank"))
    explanation = models.CharField(_("explanation"), max_length=255)
    # Daily counts of the 8 weeks ending with the window, for the sparkline.
    history = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("hotspot")
        verbose_name_plural = _("hotspots")
        ordering = ["run", "rank"]
        indexes = [models.Index(fields=["run", "grid_path"], name="hotspots_run_path_idx")]

    def __str__(self) -> str:
        return self.explanation

    @property
    def window_days(self) -> int:
        return (self.window_end - self.window_start).days + 1

    @property
    def ratio(self) -> float:
        return self.observed / self.expected if self.expected > 0 else float("inf")
