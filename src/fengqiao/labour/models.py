"""Employers under watch for labour disputes, their monthly indicators and their risk scores."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core.models import TimestampedModel
from fengqiao.taxonomy.models import RiskColour


class EmployerKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    PROJECT = "project", _("Construction project")


class Employer(TimestampedModel):
    """An enterprise (by its unified social credit code) or a construction project (by its
    project code), placed in a grid, or in a larger unit when its location is not known."""

    kind = models.CharField(_("kind"), max_length=16, choices=EmployerKind.choices)
    code = models.CharField(
        _("credit or project code"),
        max_length=40,
        unique=True,
        help_text=_("Unified social credit code of an enterprise, or the project code."),
    )
    name = models.CharField(_("name"), max_length=200)
    industry = models.CharField(_("industry"), max_length=64, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    unit = models.ForeignKey(
        "orgs.OrgUnit",
        models.PROTECT,
        related_name="+",
        verbose_name=_("organisation unit"),
        help_text=_("The grid containing the location, or the unit given when there is none."),
    )
    # Copy of ``unit.path``: jurisdiction is a range scan on it.
    unit_path = models.CharField(max_length=24, editable=False, db_index=True)
    workers = models.PositiveIntegerField(_("workers"), default=0)
    contractor = models.CharField(_("(general) contractor"), max_length=200, blank=True)
    contractor_code = models.CharField(_("contractor's credit code"), max_length=18, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        ordering = ["unit_path", "name"]

    def __str__(self) -> str:
        return self.name


class IndicatorSource(models.TextChoices):
    IMPORT = "import", _("Imported industry data")
    CASES = "cases", _("Computed from Fengqiao's cases")


class IndicatorValue(TimestampedModel):
    """One indicator of one employer for one month (``period`` is the month's first day)."""

    employer = models.ForeignKey(Employer, models.CASCADE, related_name="indicators")
    period = models.DateField(_("month"))
    indicator = models.CharField(_("indicator"), max_length=48)
    value = models.FloatField(_("value"))
    source = models.CharField(max_length=8, choices=IndicatorSource.choices)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["employer", "period", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "period", "indicator"], name="labour_indicator_once"
            )
        ]
        indexes = [models.Index(fields=["period", "indicator"], name="labour_ind_period_idx")]

    def __str__(self) -> str:
        return f"{self.indicator}={self.value}"


class LabourScore(models.Model):
    """An employer's score for a month with every indicator's contribution, as computed then."""

    employer = models.ForeignKey(Employer, models.CASCADE, related_name="scores")
    period = models.DateField(_("month"))
    score = models.FloatField(_("score"))
    colour = models.CharField(_("risk colour"), max_length=8, choices=RiskColour.choices)
    # [{"indicator", "value" (None when not reported), "normalised", "weight", "points"}, ...]
    contributions = models.JSONField(default=list)
    # Which configuration produced the score: a re-score under another one is visible.
    config_digest = models.CharField(max_length=16)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("labour risk score")
        verbose_name_plural = _("labour risk scores")
        ordering = ["period", "-score", "employer_id"]
        constraints = [
            models.UniqueConstraint(fields=["employer", "period"], name="labour_score_once")
        ]
        indexes = [models.Index(fields=["period", "-score"], name="labour_score_rank_idx")]

    def __str__(self) -> str:
        return f"{self.employer_id} {self.period:%Y-%m} {self.score}"

    def __repr__(self) -> str:
        return f"<LabourScore {self.pk}>"
