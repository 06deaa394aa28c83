"""Organisation model: the five-level unit tree, departments, stations and the centre roster."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fengqiao.core.models import TimestampedModel

# Each tree level adds one fixed-width, digits-only segment to ``OrgUnit.path``. Digits-only keeps
# lexicographic order identical under every database collation, so a subtree is one index range.
PATH_SEGMENT_WIDTH = 4
PATH_SEGMENT_MAX = 10**PATH_SEGMENT_WIDTH - 1


class Level(models.IntegerChoices):
    CITY = 1, _("City")
    DISTRICT = 2, _("District/County")
    TOWNSHIP = 3, _("Township/Street")
    VILLAGE = 4, _("Village/Community")
    GRID = 5, _("Grid")


# Centres (综治中心) exist at the top three levels only.
CENTRE_LEVELS = frozenset({Level.CITY, Level.DISTRICT, Level.TOWNSHIP})


def child_path(parent_path: str, serial: int) -> str:
    """Path of the ``serial``-th child (1-based) of the unit at ``parent_path`` ("" for a root)."""
    if not 1 <= serial <= PATH_SEGMENT_MAX:
        raise ValueError(f"child serial must be 1..{PATH_SEGMENT_MAX}, got {serial}")
    return parent_path + str(serial).zfill(PATH_SEGMENT_WIDTH)


def subtree_range(path: str) -> Q:
    """Q matching the unit with ``path`` and all its descendants, as an index range scan."""
    return Q(**subtree_range_kwargs("path", path))


def subtree_range_kwargs(field: str, path: str) -> dict[str, str]:
    if set(path) == {"9"}:
        # No digit string of this length sorts above an all-nines prefix, so no upper bound.
        return {f"{field}__gte": path}
    upper = str(int(path) + 1).zfill(len(path))
    return {f"{field}__gte": path, f"{field}__lt": upper}


class OrgUnit(TimestampedModel):
    code = models.CharField(
        _("code"),
        max_length=15,
        unique=True,
        validators=[RegexValidator(r"^\d{12}(\d{3})?$", _("12 digits, or 15 for a grid."))],
        help_text=_("12-digit administrative division code; grids append a 3-digit serial."),
    )
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    path = models.CharField(max_length=PATH_SEGMENT_WIDTH * 6, unique=True, editable=False)
    boundary = models.JSONField(
        _("boundary"),
        null=True,
        blank=True,
        help_text=_("GeoJSON Polygon or MultiPolygon (WGS 84)."),
    )
    centroid_lat = models.FloatField(null=True, blank=True, editable=False)
    centroid_lng = models.FloatField(null=True, blank=True, editable=False)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["path"]
        indexes = [models.Index(fields=["level", "path"], name="orgs_unit_level_path_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return len(self.path) // PATH_SEGMENT_WIDTH

    @property
    def has_centre_level(self) -> bool:
        return self.level in CENTRE_LEVELS

    def ancestor_paths(self) -> list[str]:
        return [
            self.path[:end] for end in range(PATH_SEGMENT_WIDTH, len(self.path), PATH_SEGMENT_WIDTH)
        ]

    def subtree(self) -> models.QuerySet[OrgUnit]:
        return OrgUnit.objects.filter(subtree_range(self.path))


class DepartmentType(models.TextChoices):
    COURT = "court", _("People's court")
    PROCURATORATE = "procuratorate", _("Procuratorate")
    POLICE = "police", _("Public security / police station")
    JUSTICE = "justice", _("Justice bureau / judicial office")
    PETITIONS = "petitions", _("Letters and visits (petitions)")
    HRSS = "hrss", _("Human resources and social security")
    HOUSING = "housing", _("Housing and urban-rural development")
    MARKET = "market", _("Market regulation")
    NATURAL_RESOURCES = "natural_resources", _("Planning and natural resources")
    ECOLOGY = "ecology", _("Ecology and environment")
    HEALTH = "health", _("Health commission")
    EDUCATION = "education", _("Education")
    TRANSPORT = "transport", _("Transport")
    AGRICULTURE = "agriculture", _("Agriculture and rural affairs")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    FINANCE_REGULATION = "finance", _("Financial regulation")
    EMERGENCY = "emergency", _("Emergency management")
    WOMEN = "women", _("Women's federation")
    TRADE_UNION = "trade_union", _("Trade union")
    MEDIATION_COMMITTEE = "mediation_committee", _("People's mediation committee")
    INDUSTRY_MEDIATION = "industry_mediation", _("Industry mediation organisation")
    LAW_FIRM = "law_firm", _("Law firm")
    LEGAL_AID = "legal_aid", _("Legal aid centre")
    NOTARY = "notary", _("Notary office")
    ARBITRATION = "arbitration", _("Arbitration commission")
    LABOUR_ARBITRATION = "labour_arbitration", _("Labour dispute arbitration")
    PSYCHOLOGY = "psychology", _("Psychological counselling")
    LAW_SOCIETY = "law_society", _("Law society experts")
    COMMUNITY = "community", _("Community / village committee team")
    GOVERNANCE_OFFICE = "governance_office", _("Comprehensive governance office")
    SAFETY_OFFICE = "safety_office", _("Safety (Ping'an) office")
    OTHER = "other", _("Other")


MEDIATION_DEPARTMENT_TYPES = frozenset(
    {DepartmentType.MEDIATION_COMMITTEE, DepartmentType.INDUSTRY_MEDIATION}
)


class Department(TimestampedModel):
    """A unit that handles cases: a department, a mediation organisation, a law firm…"""

    name = models.CharField(_("name"), max_length=150)
    department_type = models.CharField(_("type"), max_length=32, choices=DepartmentType.choices)
    org_unit = models.ForeignKey(
        OrgUnit, models.PROTECT, related_name="departments", verbose_name=_("organisation unit")
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["org_unit__path", "department_type", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "name"], name="orgs_department_unit_name_uniq"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_mediation_organisation(self) -> bool:
        return self.department_type in MEDIATION_DEPARTMENT_TYPES


class StationKind(models.TextChoices):
    CENTRE = "centre", _("Comprehensive governance centre")
    MEDIATION_ROOM = "mediation_room", _("Mediation room")
    WORKSTATION = "workstation", _("Workstation")
    POLICE_SUBCENTRE = "police_subcentre", _("Police station sub-centre")


class Station(TimestampedModel):
    """A physical place where people are served: a centre, a mediation room, a workstation."""

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=32, choices=StationKind.choices)
    org_unit = models.ForeignKey(
        OrgUnit, models.PROTECT, related_name="stations", verbose_name=_("organisation unit")
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    # Machine-readable week behind the free text above; "open now" is computed from it
    # (``fengqiao.service_circle.hours``). Null: hours not recorded.
    opening_schedule = models.JSONField(
        _("weekly opening hours"),
        null=True,
        blank=True,
        help_text=_('Day to intervals, e.g. {"mon": [["09:00", "12:00"], ["14:00", "17:30"]]}.'),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ["org_unit__path", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class StationingMode(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    ROTATING = "rotating", _("Rotating weekly")
    ON_CALL = "on_call", _("On call")


class Stationing(TimestampedModel):
    """A department's presence in a centre: resident, rotating weekly, or on call ("8 + 18 + N")."""

    station = models.ForeignKey(
        Station, models.CASCADE, related_name="stationings", verbose_name=_("centre")
    )
    department = models.ForeignKey(
        Department, models.CASCADE, related_name="stationings", verbose_name=_("department")
    )
    mode = models.CharField(_("mode"), max_length=16, choices=StationingMode.choices)
    # Rotating departments are present in the ISO weeks where week % period == slot.
    rotation_period_weeks = models.PositiveSmallIntegerField(
        _("rotation period (weeks)"), default=1
    )
    rotation_slot = models.PositiveSmallIntegerField(_("rotation slot"), default=0)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("stationing")
        verbose_name_plural = _("roster")
        ordering = ["station", "mode", "department__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "department"], name="orgs_stationing_station_dept_uniq"
            ),
            models.CheckConstraint(
                condition=Q(rotation_slot__lt=models.F("rotation_period_weeks")),
                name="orgs_stationing_slot_in_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} @ {self.station} ({self.get_mode_display()})"
