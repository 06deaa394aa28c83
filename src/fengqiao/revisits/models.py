"""Four-level sampled revisits (四级抽访): the sampling plan, each recorded draw, and the revisits.

A plan belongs to a district (or the city). Each month the closed mediation cases of its territory
are split into two grades (major: over the amount or people threshold; ordinary: the rest) and,
for each of the four revisiting levels, a share of each grade is drawn with a recorded seed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.core.models import TimestampedModel


class RevisitLevel(models.TextChoices):
    MEDIATOR = "mediator", _("Mediator")
    COMMITTEE_HEAD = "committee_head", _("Mediation committee head")
    JUDICIAL_OFFICE = "judicial_office", _("Judicial office")
    DISTRICT_BUREAU = "district_bureau", _("District justice bureau")


class Grade(models.TextChoices):
    MAJOR = "major", _("Major (over a threshold)")
    ORDINARY = "ordinary", _("Ordinary")


LEVELS: tuple[str, ...] = tuple(RevisitLevel.values)
GRADES: tuple[str, ...] = tuple(Grade.values)

# Percent of each grade revisited by each level: the mediator calls back every party, each level
# above checks a smaller sample, and every major case is seen by all but the district bureau.
DEFAULT_SHARES: dict[str, dict[str, int]] = {
    RevisitLevel.MEDIATOR: {Grade.MAJOR: 100, Grade.ORDINARY: 100},
    RevisitLevel.COMMITTEE_HEAD: {Grade.MAJOR: 100, Grade.ORDINARY: 30},
    RevisitLevel.JUDICIAL_OFFICE: {Grade.MAJOR: 100, Grade.ORDINARY: 10},
    RevisitLevel.DISTRICT_BUREAU: {Grade.MAJOR: 50, Grade.ORDINARY: 5},
}


def default_shares() -> dict[str, dict[str, int]]:
    return {level: dict(grades) for level, grades in DEFAULT_SHARES.items()}


class SamplingPlan(TimestampedModel):
    unit = models.OneToOneField(
        "orgs.OrgUnit", models.PROTECT, related_name="sampling_plan", verbose_name=_("unit")
    )
    # Copied from the unit so scoping is an index range like everywhere else.
    unit_path = models.CharField(max_length=24, editable=False, db_index=True)
    name = models.CharField(_("name"), max_length=120)
    amount_threshold = models.DecimalField(
        _("major from amount (yuan)"), max_digits=14, decimal_places=2, default=Decimal("50000")
    )
    people_threshold = models.PositiveIntegerField(_("major from people involved"), default=10)
    shares = models.JSONField(_("shares (percent per level and grade)"), default=default_shares)
    agreement_required = models.BooleanField(
        _("only cases with an agreement count"),
        default=False,
        help_text=_("Otherwise a closed case with a mediation session or an agreement counts."),
    )
    long_mediation_days = models.PositiveSmallIntegerField(
        _("flag mediation without result after (days)"), default=60
    )
    is_active = models.BooleanField(_("draw every month"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("sampling plan")
        verbose_name_plural = _("sampling plans")
        ordering = ["unit_path"]

    def __str__(self) -> str:
        return self.name

    def share(self, level: str, grade: str) -> int:
        value: Any = (self.shares or {}).get(level, {}).get(grade, 0)
        return int(value)


class RevisitDraw(models.Model):
    """One recorded draw: the same plan, period and seed always select the same cases."""

    plan = models.ForeignKey(SamplingPlan, models.PROTECT, related_name="draws")
    period = models.CharField(_("period (month)"), max_length=7)
    seed = models.BigIntegerField(_("seed"))
    drawn_at = models.DateTimeField(_("drawn at"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    automatic = models.BooleanField(default=False)
    # The plan as it was when drawing (thresholds and shares may change later).
    plan_snapshot = models.JSONField(default=dict)
    # {level: {grade: {"candidates": n, "share": pct, "size": k}}}
    sizes = models.JSONField(default=dict)
    candidate_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("revisit draw")
        verbose_name_plural = _("revisit draws")
        ordering = ["-period", "plan_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "period"], name="revisits_draw_plan_period_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.period}"

    @property
    def sample_size(self) -> int:
        return sum(cell["size"] for grades in self.sizes.values() for cell in grades.values())


class RevisitStatus(models.TextChoices):
    PENDING = "pending", _("To revisit")
    DONE = "done", _("Recorded")


class Revisit(TimestampedModel):
    draw = models.ForeignKey(RevisitDraw, models.CASCADE, related_name="revisits")
    case = models.ForeignKey("cases.Case", models.CASCADE, related_name="revisits")
    territory_path = models.CharField(max_length=24, editable=False, db_index=True)
    level = models.CharField(_("level"), max_length=16, choices=RevisitLevel.choices)
    grade = models.CharField(_("grade"), max_length=8, choices=Grade.choices)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="revisits",
        verbose_name=_("auditor"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=RevisitStatus.choices, default=RevisitStatus.PENDING
    )
    reached = models.BooleanField(_("party reached"), default=False)
    satisfied = models.BooleanField(_("satisfied"), null=True, blank=True)
    agreement_performed = models.BooleanField(_("agreement performed"), null=True, blank=True)
    problem_found = models.TextField(_("problem found"), blank=True)
    note = models.TextField(_("note"), blank=True)
    revisited_at = models.DateTimeField(_("revisited at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("revisit")
        verbose_name_plural = _("revisits")
        ordering = ["status", "draw__period", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["draw", "case", "level"], name="revisits_one_per_case_level"
            )
        ]
        indexes = [
            models.Index(fields=["assigned_to", "status"], name="revisits_assignee_status_idx"),
            models.Index(
                fields=["territory_path", "revisited_at"], name="revisits_path_revisited_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.level}"
