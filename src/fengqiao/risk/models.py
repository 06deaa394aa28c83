"""Dispatch meetings (亮牌调度) and the decisions taken at them on red, orange and green items."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fengqiao.core.models import TimestampedModel
from fengqiao.taxonomy.models import RiskColour


class DispatchMeeting(TimestampedModel):
    """One sitting of a board: the district leader's red dispatch, the district safety office's
    weekly orange dispatch, or a township's weekly green dispatch."""

    colour = models.CharField(_("board"), max_length=8, choices=RiskColour.choices)
    unit = models.ForeignKey(
        "orgs.OrgUnit", models.PROTECT, related_name="dispatch_meetings", verbose_name=_("unit")
    )
    # Copied so that jurisdiction filters are one index range on this table, as for cases.
    unit_path = models.CharField(max_length=24, editable=False, db_index=True)
    held_on = models.DateField(_("held on"))
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("chair")
    )
    notes = models.TextField(_("notes"), blank=True)
    next_review_on = models.DateField(_("next review on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        verbose_name = _("dispatch meeting")
        verbose_name_plural = _("dispatch meetings")
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(fields=["unit_path", "held_on"], name="risk_meeting_path_held_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_colour_display()} {self.held_on:%Y-%m-%d}"


class DispatchDecision(TimestampedModel):
    """What a meeting decided on one item: a case, or an early warning.

    Warnings are referred to by id: the boards read them through the early-warning app's
    selector, and a plain id keeps this table free of a schema dependency on that app.
    """

    meeting = models.ForeignKey(DispatchMeeting, models.CASCADE, related_name="decisions")
    case = models.ForeignKey(
        "cases.Case", models.CASCADE, null=True, blank=True, related_name="dispatch_decisions"
    )
    warning_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    # The item's title as it stood at the meeting, for the record of the sitting.
    item_title = models.CharField(_("item"), max_length=200)
    decision = models.TextField(_("decision"))
    owner_text = models.CharField(_("owner"), max_length=100, blank=True)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner (user)"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)

    class Meta:
        verbose_name = _("dispatch decision")
        verbose_name_plural = _("dispatch decisions")
        ordering = ["meeting", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(case__isnull=False) & Q(warning_id__isnull=True))
                | (Q(case__isnull=True) & Q(warning_id__isnull=False)),
                name="risk_decision_one_item",
            ),
            models.UniqueConstraint(
                fields=["meeting", "case"],
                condition=Q(case__isnull=False),
                name="risk_decision_case_once_per_meeting",
            ),
            models.UniqueConstraint(
                fields=["meeting", "warning_id"],
                condition=Q(warning_id__isnull=False),
                name="risk_decision_warning_once_per_meeting",
            ),
        ]

    def __str__(self) -> str:
        return self.item_title

    @property
    def item_key(self) -> str:
        return f"case:{self.case_id}" if self.case_id else f"warning:{self.warning_id}"
