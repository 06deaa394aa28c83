"""Joint handling and mediation: assignments, sessions, agreements, confirmations, referrals,
protective orders."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core.models import TimestampedModel


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    CO = "co", _("Co-handler")


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DONE = "done", _("Done")
    RETURNED = "returned", _("Returned")
    CANCELLED = "cancelled", _("Cancelled")


class Assignment(TimestampedModel):
    """A case handed to one department (交办), with its own deadline and status."""

    case = models.ForeignKey("cases.Case", models.CASCADE, related_name="assignments")
    department = models.ForeignKey(
        "orgs.Department", models.PROTECT, related_name="assignments", verbose_name=_("department")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("assignee"),
    )
    role = models.CharField(_("role"), max_length=8, choices=AssignmentRole.choices)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.PENDING,
    )
    task = models.TextField(_("task"), blank=True)
    deadline = models.DateTimeField(_("deadline"))
    notes = models.TextField(_("progress notes"), blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["deadline"]
        indexes = [
            models.Index(
                fields=["department", "status", "deadline"], name="handling_asg_dept_status_idx"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(role="lead") & ~Q(status__in=["returned", "cancelled"]),
                name="handling_one_active_lead_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.department_id} ({self.role})"


class MediationSession(TimestampedModel):
    case = models.ForeignKey("cases.Case", models.CASCADE, related_name="mediation_sessions")
    held_at = models.DateTimeField(_("held at"), default=timezone.now)
    place = models.CharField(_("place"), max_length=200)
    participants = models.TextField(_("participants"))
    record = models.TextField(_("record"))
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("mediator")
    )

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["held_at"]


class AgreementStatus(models.TextChoices):
    SIGNED = "signed", _("Signed")
    PERFORMED = "performed", _("Performed")
    REFUSED = "refused", _("Performance refused")


class Agreement(TimestampedModel):
    case = models.ForeignKey("cases.Case", models.CASCADE, related_name="agreements")
    terms = models.TextField(_("terms"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2, default=0)
    performance_deadline = models.DateField(_("performance deadline"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=16, choices=AgreementStatus.choices, default=AgreementStatus.SIGNED
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("mediation agreement")
        verbose_name_plural = _("mediation agreements")
        ordering = ["signed_at"]


class ConfirmationStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    CONFIRMED = "confirmed", _("Confirmed by the court")
    REJECTED = "rejected", _("Rejected by the court")


class JudicialConfirmation(TimestampedModel):
    """A request to the court to confirm a mediation agreement (司法确认)."""

    agreement = models.ForeignKey(Agreement, models.CASCADE, related_name="confirmations")
    court = models.ForeignKey(
        "orgs.Department", models.PROTECT, related_name="+", verbose_name=_("court")
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=16, choices=ConfirmationStatus.choices, default=ConfirmationStatus.REQUESTED
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("judicial confirmation")
        verbose_name_plural = _("judicial confirmations")


class ReferralKind(models.TextChoices):
    LITIGATION = "litigation", _("Litigation")
    ARBITRATION = "arbitration", _("Arbitration")
    LABOUR_ARBITRATION = "labour_arbitration", _("Labour arbitration")
    RECONSIDERATION = "reconsideration", _("Administrative reconsideration")


class Referral(TimestampedModel):
    case = models.ForeignKey("cases.Case", models.CASCADE, related_name="referrals")
    kind = models.CharField(_("referred to"), max_length=24, choices=ReferralKind.choices)
    body = models.CharField(_("receiving body"), max_length=150, blank=True)
    reason = models.TextField(_("reason"))
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")


class ProtectiveOrder(TimestampedModel):
    """A personal safety protection order (人身安全保护令) in a domestic-violence case."""

    case = models.ForeignKey("cases.Case", models.CASCADE, related_name="protective_orders")
    court = models.ForeignKey(
        "orgs.Department", models.PROTECT, related_name="+", verbose_name=_("issuing court")
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    valid_until = models.DateField(_("valid until"))
    measures = models.TextField(_("measures"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("protective order")
        verbose_name_plural = _("protective orders")
