"""The safety risk index (平安风险指数): its configuration, the values it reads and its results.

Configuration is data: dimensions and indicators (default 6 and 56, ``data/indicators.yaml``)
and one :class:`IndexSettings` row (colour thresholds, negative-list rule). An indicator's value
per unit and period is either computed from Fengqiao's own records (``computed:<metric>``, see
:mod:`fengqiao.safety.metrics`) or imported (:class:`IndicatorValue`, CSV or API).

The index is a safety score from 0 (every indicator at its worst) to 100 (every indicator at its
best); each indicator's *contribution* is the points it takes off 100, so the reasons for a low
score read directly off the largest contributions.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fengqiao.core.models import TimestampedModel

CODE_VALIDATOR = RegexValidator(
    r"^[A-Z][A-Z0-9]*(\.[0-9A-Z]+)*$", _("upper-case letters and digits, parts joined by '.'")
)
IMPORTED = "imported"
COMPUTED_PREFIX = "computed:"


class Direction(models.TextChoices):
    RISKIER = "riskier", _("Higher is riskier")
    SAFER = "safer", _("Higher is safer")


class Normalisation(models.TextChoices):
    MINMAX = "minmax", _("Min–max across units of the same level and period")
    ZSCORE = "zscore", _("Z-score, clipped")
    FIXED = "fixed", _("Fixed thresholds")


class IndexColour(models.TextChoices):
    RED = "red", _("Red")
    ORANGE = "orange", _("Orange")
    YELLOW = "yellow", _("Yellow")
    BLUE = "blue", _("Blue")


class BilingualName(models.Model):
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        english = (get_language() or "").startswith("en")
        return self.name_en if english and self.name_en else self.name_zh

    def __str__(self) -> str:
        return self.name


class Dimension(BilingualName, TimestampedModel):
    code = models.CharField(_("code"), max_length=16, unique=True, validators=[CODE_VALIDATOR])
    # Relative: the index divides by the sum over active dimensions.
    weight = models.FloatField(_("weight"), validators=[MinValueValidator(0.0)])
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("index dimension")
        verbose_name_plural = _("index dimensions")
        ordering = ["order", "code"]


class Indicator(BilingualName, TimestampedModel):
    code = models.CharField(_("code"), max_length=16, unique=True, validators=[CODE_VALIDATOR])
    dimension = models.ForeignKey(
        Dimension, models.PROTECT, related_name="indicators", verbose_name=_("dimension")
    )
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    unit = models.CharField(_("unit of measure"), max_length=32, blank=True)
    # Share of the dimension in percent; the dimension's active indicators add up to 100.
    weight = models.FloatField(_("weight in dimension (%)"), validators=[MinValueValidator(0.0)])
    normalisation = models.CharField(
        _("normalisation"),
        max_length=8,
        choices=Normalisation.choices,
        default=Normalisation.MINMAX,
    )
    # Fixed thresholds: at ``good_value`` the indicator takes nothing off, at ``bad_value`` all
    # of its weight. Either may be the larger one; it must agree with ``direction``.
    good_value = models.FloatField(_("good value"), null=True, blank=True)
    bad_value = models.FloatField(_("bad value"), null=True, blank=True)
    source = models.CharField(
        _("source"),
        max_length=64,
        default=IMPORTED,
        help_text=_("“imported” (CSV or API, per unit and period) or “computed:<metric>”."),
    )
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("index indicator")
        verbose_name_plural = _("index indicators")
        ordering = ["dimension__order", "order", "code"]

    def clean(self) -> None:
        from fengqiao.safety.config import indicator_problems

        problems = indicator_problems(
            source=self.source,
            normalisation=self.normalisation,
            direction=self.direction,
            good_value=self.good_value,
            bad_value=self.bad_value,
            weight=self.weight,
        )
        if problems:
            raise ValidationError(problems)

    @property
    def is_imported(self) -> bool:
        return self.source == IMPORTED

    @property
    def metric(self) -> str:
        return self.source.removeprefix(COMPUTED_PREFIX) if not self.is_imported else ""


class IndexSettings(models.Model):
    """One row (pk 1): colour thresholds and the negative-list rule."""

    red_below = models.FloatField(_("red below"), default=50.0)
    orange_below = models.FloatField(_("orange below"), default=60.0)
    yellow_below = models.FloatField(_("yellow below"), default=70.0)
    zscore_clip = models.FloatField(
        _("z-score clip"), default=3.0, validators=[MinValueValidator(0.5)]
    )
    negative_include_red = models.BooleanField(
        _("every red unit is on the negative list"), default=True
    )
    negative_bottom_n = models.PositiveSmallIntegerField(
        _("lowest N per district on the negative list"), default=1
    )
    reason_count = models.PositiveSmallIntegerField(
        _("reasons given per unit"), default=3, validators=[MinValueValidator(1)]
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("index settings")
        verbose_name_plural = _("index settings")

    def __str__(self) -> str:
        return str(_("Index settings"))

    def clean(self) -> None:
        from fengqiao.safety.config import settings_problems

        problems = settings_problems(self.red_below, self.orange_below, self.yellow_below)
        if problems:
            raise ValidationError(problems)


class ValueSource(models.TextChoices):
    CSV = "csv", _("CSV import")
    API = "api", _("API")
    DEMO = "demo", _("Demo data")


class IndicatorValue(TimestampedModel):
    """An imported value of one indicator for one unit and period ("2025-03" or "2025-Q1")."""

    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="values")
    unit = models.ForeignKey("orgs.OrgUnit", models.CASCADE, related_name="safety_values")
    period = models.CharField(_("period"), max_length=7)
    value = models.FloatField(_("value"))
    source = models.CharField(_("source"), max_length=8, choices=ValueSource.choices)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "period"], name="safety_value_ind_unit_period_uniq"
            )
        ]
        indexes = [models.Index(fields=["period", "unit"], name="safety_value_period_unit_idx")]


class IndexResult(models.Model):
    """The index of one unit for one period, as last computed."""

    unit = models.ForeignKey("orgs.OrgUnit", models.CASCADE, related_name="safety_results")
    # Copied so jurisdiction filters are one index range on this table.
    unit_path = models.CharField(max_length=24, editable=False)
    level = models.PositiveSmallIntegerField()
    period = models.CharField(_("period"), max_length=7)
    index = models.FloatField(_("index"))
    colour = models.CharField(_("colour"), max_length=8, choices=IndexColour.choices)
    rank = models.PositiveIntegerField(_("rank"))  # 1 = safest of its level in the period
    rank_of = models.PositiveIntegerField()
    district_rank = models.PositiveIntegerField()
    district_rank_of = models.PositiveIntegerField()
    # {dimension code: score 0–100}
    dimension_scores = models.JSONField(default=dict)
    # [[indicator code, raw value or null, normalised risk 0–1, points taken off], ...]
    contributions = models.JSONField(default=list)
    missing = models.PositiveSmallIntegerField(default=0)  # indicators without a value
    negative = models.BooleanField(_("on the negative list"), default=False)
    # [[indicator code, points], ...] — the largest contributions, for the negative list.
    reasons = models.JSONField(default=list)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("index result")
        verbose_name_plural = _("index results")
        ordering = ["period", "level", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period"], name="safety_result_unit_period_uniq"
            )
        ]
        indexes = [
            models.Index(fields=["period", "level", "unit_path"], name="safety_result_scope_idx"),
            models.Index(fields=["unit_path", "period"], name="safety_result_path_idx"),
            models.Index(
                fields=["period", "negative"],
                condition=Q(negative=True),
                name="safety_result_negative_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.period} {self.index:.1f}"
