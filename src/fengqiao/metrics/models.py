"""Pre-aggregated case statistics: what the cockpit, exports and API read instead of the cases.

The tables, all maintained by :mod:`fengqiao.metrics.aggregate` (never edited by hand):

- :class:`DailyStat`: per local registration day and unit, the counts and time histograms every
  metric needs. ``BASE`` rows sit at the case's own place (usually a grid) with all three
  dimensions (major category, first channel, level of the lead unit); roll-up rows for every
  unit above grid level carry one dimension or none, so a district's month is ~30 rows.
- :class:`OpenCase`: one small row per case that is still open (risk colour, overdue flag,
  leading official), for the red/orange/green counts and the watch list.
- :class:`DirtyDay`: (day, place) pairs whose cases changed since the last refresh.
- :class:`StatsVersion`: one row whose token changes whenever a refresh or rebuild writes, the
  key of the cockpit's cached panels.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.orgs.models import Level
from fengqiao.taxonomy.models import RiskColour

# Units that carry roll-up rows. A village has a handful of grids, whose base rows are few
# enough to sum on the fly; roll-ups there would double the table for little gain.
ROLLUP_LEVELS = frozenset({Level.CITY, Level.DISTRICT, Level.TOWNSHIP})
OPEN_COUNT_FIELDS = ("open_red", "open_orange", "open_green", "open_overdue", "open_leader")
# A stat row "still holds an open case" when one of these is positive: the condition of the
# partial index below, which the reads repeat (statsql) so the planner can use it.
OPEN_COLOUR_FIELDS = OPEN_COUNT_FIELDS[:3]


class StatKind(models.IntegerChoices):
    TOTAL = 0, _("Total")
    MAJOR = 1, _("By major category")
    CHANNEL = 2, _("By channel")
    LEVEL = 3, _("By level of the lead unit")
    BASE = 4, _("Per place, category, channel and level")


class DailyStat(models.Model):
    day = models.DateField(_("day"))
    unit = models.ForeignKey("orgs.OrgUnit", models.CASCADE, related_name="+", db_index=False)
    unit_path = models.CharField(max_length=24)
    kind = models.PositiveSmallIntegerField(choices=StatKind.choices)
    major = models.ForeignKey(
        "taxonomy.Category", models.CASCADE, null=True, related_name="+", db_index=False
    )
    channel = models.ForeignKey(
        "taxonomy.Channel", models.CASCADE, null=True, related_name="+", db_index=False
    )
    lead_level = models.PositiveSmallIntegerField(null=True)
    registered = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    one_time = models.PositiveIntegerField(default=0)
    proactive = models.PositiveIntegerField(default=0)
    known = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    escalated = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    # Cases of the row still open now, by risk colour, flagged overdue, led by an official:
    # the colour counts and the risk map sum these over the days that have any.
    open_red = models.PositiveIntegerField(default=0)
    open_orange = models.PositiveIntegerField(default=0)
    open_green = models.PositiveIntegerField(default=0)
    open_overdue = models.PositiveIntegerField(default=0)
    open_leader = models.PositiveIntegerField(default=0)
    # Sparse histograms {bucket: cases}; buckets in fengqiao.metrics.stats.EDGES_MINUTES.
    accept_hist = models.JSONField(default=dict)
    resolve_hist = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("daily case statistic")
        verbose_name_plural = _("daily case statistics")
        indexes = [
            models.Index(fields=["unit_path", "kind", "day"], name="metrics_stat_path_kind_day"),
            models.Index(fields=["day", "kind"], name="metrics_stat_day_kind"),
            # The open-case counts (colour panel, risk map): only rows still holding an open
            # case, with the counts in the index itself, so the sums read no table rows.
            models.Index(
                fields=["unit_path", "kind", *OPEN_COUNT_FIELDS],
                name="metrics_stat_open",
                condition=models.Q(
                    *((f"{name}__gt", 0) for name in OPEN_COLOUR_FIELDS), _connector=models.Q.OR
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_path} k{self.kind}: {self.registered}"


class OpenCase(models.Model):
    case = models.OneToOneField("cases.Case", models.CASCADE, primary_key=True, related_name="+")
    day = models.DateField()
    territory_path = models.CharField(max_length=24)
    risk_colour = models.CharField(max_length=8, choices=RiskColour.choices)
    overdue = models.BooleanField(default=False)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", db_index=False
    )
    resolve_deadline = models.DateTimeField()

    class Meta:
        verbose_name = _("open case (statistics)")
        verbose_name_plural = _("open cases (statistics)")
        indexes = [
            models.Index(fields=["territory_path", "risk_colour"], name="metrics_open_path_colour"),
            models.Index(fields=["territory_path", "day"], name="metrics_open_path_day"),
            # The oldest day still holding an open case: the colour counts sum stat rows from it.
            models.Index(fields=["day"], name="metrics_open_day"),
            # The watch list: flagged cases by deadline, read in order and cut at a dozen.
            models.Index(
                fields=["resolve_deadline"],
                name="metrics_open_watch",
                condition=models.Q(overdue=True) | models.Q(leader__isnull=False),
            ),
            # The same cases by place: a smaller unit's watch list reads only its own flagged
            # cases (SQLite otherwise sorts every open case of the place).
            models.Index(
                fields=["territory_path", "resolve_deadline"],
                name="metrics_open_watch_path",
                condition=models.Q(overdue=True) | models.Q(leader__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.risk_colour}"


class DirtyDay(models.Model):
    day = models.DateField()
    unit_path = models.CharField(max_length=24)
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "unit_path"], name="metrics_dirty_day_path_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_path}"


class Watermark(models.Model):
    """How far a refresh has looked at other tables (revisits) for changed cases."""

    key = models.CharField(max_length=32, unique=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key} {self.at:%Y-%m-%d %H:%M}"


class StatsVersion(models.Model):
    """The version of the statistics tables (a single row, ``pk=1``).

    A refresh or rebuild sets a fresh random token in the transaction that writes the tables, so
    a reader that sees the new numbers also sees the new token. So does a safety-index
    computation, whose results the cockpit map shows beside the case figures. Random rather than a counter: a
    rolled-back write (or a test) can never make an old token mean new numbers.
    """

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.token} {self.changed_at:%Y-%m-%d %H:%M:%S}"
