"""Risk points and their devices, warning rules, warnings with their timeline.

Signals themselves live in ``fengqiao.signals``; nothing here holds a foreign key to them (that
table is time-partitioned), a batch is referred to by id (``BatchEvaluation``).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core.models import TimestampedModel
from fengqiao.early_warning.states import OPEN_STATUSES, WarningStatus
from fengqiao.taxonomy.models import RiskColour


class RiskPointType(models.TextChoices):
    SEPTIC_TANK = "septic_tank", _("Septic tank")
    SLOPE = "slope", _("Slope / landslide")
    GAS_STATION = "gas_station", _("Gas station")
    CONSTRUCTION_SITE = "construction_site", _("Construction site")
    WATER_LEVEL = "water_level", _("Water level station")
    DANGEROUS_BUILDING = "dangerous_building", _("Dangerous building")
    ELEVATOR = "elevator", _("Elevator")
    OTHER = "other", _("Other")


class RiskPoint(TimestampedModel):
    """A place or facility under watch, resolved to the grid it lies in."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    point_type = models.CharField(_("type"), max_length=24, choices=RiskPointType.choices)
    lng = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    grid = models.ForeignKey(
        "orgs.OrgUnit", models.PROTECT, related_name="risk_points", verbose_name=_("grid")
    )
    unit_path = models.CharField(max_length=24, editable=False, db_index=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    owner_org = models.CharField(_("owner organisation"), max_length=150, blank=True)
    owner_contact = models.CharField(_("owner contact"), max_length=50, blank=True)
    owner_phone = models.CharField(_("owner phone"), max_length=20, blank=True)
    maintenance_interval_days = models.PositiveIntegerField(
        _("maintenance interval (days)"), null=True, blank=True
    )
    last_maintained_on = models.DateField(_("last maintained on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("risk point")
        verbose_name_plural = _("risk points")
        ordering = ["unit_path", "code"]
        indexes = [models.Index(fields=["point_type", "is_active"], name="ew_point_type_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def maintenance_due_on(self) -> date | None:
        if self.maintenance_interval_days is None or self.last_maintained_on is None:
            return None
        return self.last_maintained_on + timedelta(days=self.maintenance_interval_days)


class Maintenance(models.Model):
    """One recorded maintenance of a risk point."""

    risk_point = models.ForeignKey(RiskPoint, models.CASCADE, related_name="maintenances")
    done_on = models.DateField(_("done on"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("maintenance")
        verbose_name_plural = _("maintenance records")
        ordering = ["-done_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.risk_point_id} {self.done_on}"


class Device(TimestampedModel):
    """A sensor or another system's feed. Unknown ids seen in signals are registered unlinked."""

    device_id = models.CharField(_("device id"), max_length=100, unique=True)
    source = models.CharField(_("source"), max_length=64, blank=True)
    kind = models.CharField(_("signal type"), max_length=40, blank=True)
    risk_point = models.ForeignKey(
        RiskPoint,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="devices",
        verbose_name=_("risk point"),
    )
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    last_value = models.FloatField(_("last value"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["device_id"]

    def __str__(self) -> str:
        return self.device_id


class RuleKind(models.TextChoices):
    OVER = "over", _("Value over threshold")
    UNDER = "under", _("Value under threshold")
    RATE_OF_CHANGE = "rate_of_change", _("Rate of change per hour over threshold")
    SILENCE = "silence", _("Device silent too long")
    MAINTENANCE_OVERDUE = "maintenance_overdue", _("Maintenance overdue")
    CASE_COUNT = "case_count", _("Cases of a category in a grid within a window")
    EXTERNAL = "external", _("Raised by another module")


# Kinds evaluated on each signal batch; the others run in the periodic sweep (or elsewhere).
SIGNAL_KINDS = frozenset({RuleKind.OVER, RuleKind.UNDER, RuleKind.RATE_OF_CHANGE})


class WarningRule(TimestampedModel):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=24, choices=RuleKind.choices)
    signal_kind = models.CharField(
        _("signal type"),
        max_length=40,
        blank=True,
        help_text=_(
            "Signals of this type are checked (threshold and rate rules). A maintenance rule "
            "with a signal type also fires on such signals (value = days overdue)."
        ),
    )
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    window_minutes = models.PositiveIntegerField(
        _("window (minutes)"),
        null=True,
        blank=True,
        help_text=_("Silence: longest gap allowed. Case count: the counting window."),
    )
    count_n = models.PositiveIntegerField(
        _("N (cases)"), null=True, blank=True, help_text=_("Case count: fires above N cases.")
    )
    category = models.ForeignKey(
        "taxonomy.Category",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
        help_text=_("Case count: the category (a major category counts its minor ones)."),
    )
    point_types = models.JSONField(
        _("risk point types"),
        default=list,
        blank=True,
        help_text=_("Empty: every type."),
    )
    colour = models.CharField(
        _("colour"), max_length=8, choices=RiskColour.choices, default=RiskColour.ORANGE
    )
    deadline_minutes = models.PositiveIntegerField(_("handling deadline (minutes)"), default=30)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("warning rule")
        verbose_name_plural = _("warning rules")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from fengqiao.early_warning.rules import rule_problems

        problems = rule_problems(self)
        if problems:
            raise ValidationError({field: [message] for field, message in problems.items()})

    def applies_to_type(self, point_type: str | None) -> bool:
        return not self.point_types or (point_type is not None and point_type in self.point_types)


class Warning(TimestampedModel):
    rule = models.ForeignKey(
        WarningRule, models.PROTECT, related_name="warnings", verbose_name=_("rule")
    )
    subject_key = models.CharField(_("subject"), max_length=120)
    status = models.CharField(
        _("status"), max_length=16, choices=WarningStatus.choices, default=WarningStatus.RAISED
    )
    colour = models.CharField(_("colour"), max_length=8, choices=RiskColour.choices)
    title = models.CharField(_("title"), max_length=200)
    explanation = models.TextField(_("explanation"), blank=True)
    value = models.FloatField(_("last value"), null=True, blank=True)
    fire_count = models.PositiveIntegerField(_("times fired"), default=1)
    first_fired_at = models.DateTimeField(_("first fired"), default=timezone.now)
    last_fired_at = models.DateTimeField(_("last fired"), default=timezone.now)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    risk_point = models.ForeignKey(
        RiskPoint,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="warnings",
        verbose_name=_("risk point"),
    )
    # Where it is (usually a grid) and who must act (the township); both paths are copied so a
    # jurisdiction filter is one index range.
    unit = models.ForeignKey(
        "orgs.OrgUnit", models.PROTECT, related_name="warnings_here", verbose_name=_("place")
    )
    unit_path = models.CharField(max_length=24, editable=False, db_index=True)
    assigned_unit = models.ForeignKey(
        "orgs.OrgUnit",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="warnings_assigned",
        verbose_name=_("assigned to"),
    )
    assigned_unit_path = models.CharField(max_length=24, blank=True, editable=False)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verification_note = models.TextField(_("verification note"), blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handling_note = models.TextField(_("handling note"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    feedback = models.TextField(_("feedback"), blank=True)
    case = models.ForeignKey(
        "cases.Case",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="warnings",
        verbose_name=_("case"),
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        ordering = ["deadline", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_key"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="ew_warning_one_open_per_subject",
            )
        ]
        indexes = [
            models.Index(fields=["status", "deadline"], name="ew_warning_status_dl_idx"),
            models.Index(fields=["assigned_unit_path", "status"], name="ew_warning_assigned_idx"),
            models.Index(fields=["colour", "status"], name="ew_warning_colour_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class WarningEventKind(models.TextChoices):
    RAISED = "raised", _("Raised")
    FIRED_AGAIN = "fired_again", _("Fired again")
    ASSIGNED = "assigned", _("Assigned")
    VERIFIED = "verified", _("Verified on site")
    FALSE_ALARM = "false_alarm", _("False alarm")
    HANDLED = "handled", _("Handled")
    CLOSED = "closed", _("Closed with feedback")
    CONVERTED = "converted", _("Turned into a case")


class WarningEvent(models.Model):
    warning = models.ForeignKey(Warning, models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=WarningEventKind.choices)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["warning", "at"], name="ew_event_warning_at_idx")]

    def __str__(self) -> str:
        return f"{self.warning_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class BatchEvaluation(models.Model):
    """A signal batch the engine has evaluated: the mark that makes a second evaluation a no-op.
    Written in the same transaction as the warnings the batch raised."""

    batch_id = models.BigIntegerField(unique=True)
    evaluated_at = models.DateTimeField(default=timezone.now)
    signals = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"batch {self.batch_id}"
