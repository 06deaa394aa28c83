"""Declarative, ordered routing rules: which level and department lead a case, who co-handles."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.core.models import TimestampedModel


class LeadLevel(models.TextChoices):
    """Where the lead sits, relative to the place the case happened."""

    GRID = "grid", _("Grid / community team")
    VILLAGE = "village", _("Village / community")
    TOWNSHIP = "township", _("Township centre")
    DISTRICT = "district", _("District centre")
    CITY = "city", _("City centre")


class RoutingRule(TimestampedModel):
    """A rule matches when every condition it sets holds; the first match by ``priority`` wins.

    Empty list conditions and null thresholds match anything.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    priority = models.PositiveIntegerField(
        _("priority"), default=100, help_text=_("Lower runs first.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("why this rule exists"), blank=True)

    category_codes = models.JSONField(
        _("categories"),
        default=list,
        blank=True,
        help_text=_("Category codes; a major code matches all its minor categories."),
    )
    channel_codes = models.JSONField(_("channels"), default=list, blank=True)
    risk_colours = models.JSONField(_("risk colours"), default=list, blank=True)
    min_people = models.PositiveIntegerField(_("at least this many people"), null=True, blank=True)
    min_amount = models.DecimalField(
        _("at least this amount (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    cross_region = models.BooleanField(
        _("cross-region"), null=True, blank=True, help_text=_("Empty: either.")
    )

    lead_level = models.CharField(_("lead level"), max_length=16, choices=LeadLevel.choices)
    lead_department_type = models.CharField(_("lead department type"), max_length=32, blank=True)
    co_department_types = models.JSONField(
        _("co-handling department types"), default=list, blank=True
    )
    accept_minutes = models.PositiveIntegerField(
        _("acceptance deadline (minutes)"), null=True, blank=True
    )
    resolve_days = models.PositiveIntegerField(
        _("resolution deadline (days)"), null=True, blank=True
    )
    restrict_visibility = models.BooleanField(
        _("restricted visibility"),
        default=False,
        help_text=_("Only named handlers and leaders see matching cases (e.g. domestic violence)."),
    )

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["priority", "pk"]

    def __str__(self) -> str:
        return self.name
