"""Cases and what arrives for them: reports, parties, the timeline and the personal-data access log."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.states import CaseStatus
from fengqiao.core.models import TimestampedModel
from fengqiao.taxonomy.models import RiskColour


class Case(TimestampedModel):
    number = models.CharField(_("case number"), max_length=32, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    # Indexed by cases_category_created_idx, whose first column it is (one index to keep up at
    # every insert instead of two).
    category = models.ForeignKey(
        "taxonomy.Category",
        models.PROTECT,
        related_name="cases",
        verbose_name=_("category"),
        db_index=False,
    )
    channel = models.ForeignKey(
        "taxonomy.Channel", models.PROTECT, related_name="cases", verbose_name=_("first channel")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.REGISTERED
    )

    # Where it happened. ``territory`` is the smallest unit the location resolves to (usually a
    # grid); its path is copied so jurisdiction filters are one index range on this table.
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    territory = models.ForeignKey(
        "orgs.OrgUnit", models.PROTECT, related_name="cases_here", verbose_name=_("place (unit)")
    )
    # Indexed by cases_territory_created_idx; subtree filters are ranges (``subtree_range``), so
    # no LIKE (pattern-ops) index is needed either.
    territory_path = models.CharField(max_length=24, editable=False)

    # Who leads. Escalation moves the lead one level up; the lead unit's path is copied too.
    lead_unit = models.ForeignKey(
        "orgs.OrgUnit", models.PROTECT, related_name="cases_led", verbose_name=_("lead unit")
    )
    lead_unit_path = models.CharField(max_length=24, editable=False)  # cases_lead_path_status_idx
    lead_department = models.ForeignKey(
        "orgs.Department",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_led",
        verbose_name=_("lead department"),
    )
    # Cross-region disputes: the other jurisdiction(s) see the case too; the lead unit coordinates.
    partner_units = models.ManyToManyField(
        "orgs.OrgUnit",
        blank=True,
        related_name="cases_partnered",
        verbose_name=_("partner jurisdictions"),
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases_led_personally",
        verbose_name=_("leading official (包案领导)"),
    )

    people_involved = models.PositiveIntegerField(_("people involved"), default=1)
    amount = models.DecimalField(
        _("amount involved (yuan)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    risk_colour = models.CharField(
        _("risk colour"), max_length=8, choices=RiskColour.choices, default=RiskColour.GREEN
    )
    risk_reason = models.CharField(_("risk reason"), max_length=255, blank=True)

    # Domestic violence and similar: only named handlers and leaders may see the case.
    restricted = models.BooleanField(_("restricted visibility"), default=False)
    handlers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="restricted_cases",
        verbose_name=_("named handlers"),
    )

    routing_rule = models.ForeignKey(
        "routing.RoutingRule", models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    routing_explanation = models.TextField(_("routing explanation"), blank=True)

    accept_deadline = models.DateTimeField(_("acceptance deadline"))
    resolve_deadline = models.DateTimeField(_("resolution deadline"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    overdue = models.BooleanField(_("overdue"), default=False)
    escalation_count = models.PositiveSmallIntegerField(default=0)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    merged_into = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="merged_cases"
    )

    # Citizens follow a case with this code plus the last four digits of their phone.
    tracking_code = models.CharField(max_length=16, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases_created",
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "resolve_deadline"], name="cases_status_deadline_idx"),
            models.Index(fields=["lead_unit_path", "status"], name="cases_lead_path_status_idx"),
            models.Index(
                fields=["territory_path", "created_at"], name="cases_territory_created_idx"
            ),
            models.Index(fields=["category", "created_at"], name="cases_category_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Report(TimestampedModel):
    """One arrival through one channel. A case has one or more."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="reports")
    channel = models.ForeignKey(
        "taxonomy.Channel", models.PROTECT, related_name="reports", verbose_name=_("channel")
    )
    external_id = models.CharField(_("external id"), max_length=64, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    reporter_name = models.CharField(_("reporter"), max_length=100, blank=True)
    reporter_phone = models.CharField(_("reporter phone"), max_length=20, blank=True)
    content = models.TextField(_("content"), blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~Q(external_id=""),
                name="cases_report_channel_extid_uniq",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.external_id or self.pk}"


class PartyKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    RESPONDENT = "respondent", _("Respondent")
    THIRD_PARTY = "third_party", _("Third party")


class Party(TimestampedModel):
    case = models.ForeignKey(Case, models.CASCADE, related_name="parties")
    kind = models.CharField(
        _("kind"), max_length=16, choices=PartyKind.choices, default=PartyKind.PERSON
    )
    role = models.CharField(_("role"), max_length=16, choices=PartyRole.choices)
    name = models.CharField(_("name"), max_length=100)
    id_number = models.CharField(_("resident ID number"), max_length=18, blank=True, db_index=True)
    org_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    address = models.CharField(_("address"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["case", "role", "pk"]

    def __str__(self) -> str:
        return self.name


class EventKind(models.TextChoices):
    CREATED = "created", _("Registered")
    TRANSITION = "transition", _("Status change")
    REPORT = "report", _("Another report linked")
    ASSIGNMENT = "assignment", _("Assignment")
    NOTE = "note", _("Note")
    RISK = "risk", _("Risk colour changed")
    MERGE = "merge", _("Merge")
    DEADLINE = "deadline", _("Deadline")
    MEDIATION = "mediation", _("Mediation")
    UPDATE = "update", _("Details changed")


class TimelineEvent(models.Model):
    case = models.ForeignKey(Case, models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True)
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    action = models.CharField(max_length=32, blank=True)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Shown to the citizen on the public status page.
    public = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["case", "at"], name="cases_event_case_at_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class PersonalDataAccess(models.Model):
    """Every time a user sees an unmasked ID number, phone or address."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, models.CASCADE, related_name="+", null=True)
    party = models.ForeignKey(Party, models.CASCADE, related_name="+", null=True)
    fields = models.CharField(max_length=100)
    purpose = models.CharField(max_length=32)  # "detail", "export", "api"…
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data access log")


class IdempotencyRecord(models.Model):
    """The first answer to a request carrying an Idempotency-Key, replayed to retries."""

    key = models.CharField(max_length=128)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    endpoint = models.CharField(max_length=64)
    request_hash = models.CharField(max_length=64)
    case = models.ForeignKey(Case, models.CASCADE, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "endpoint", "key"], name="cases_idem_user_endpoint_key_uniq"
            )
        ]


class DeadlineKind(models.TextChoices):
    ACCEPT = "accept", _("Acceptance")
    RESOLVE = "resolve", _("Resolution")


class DeadlineStage(models.TextChoices):
    REMINDER = "reminder", _("Reminder at 80%")
    BREACH = "breach", _("Breach")


class DeadlineMark(models.Model):
    """A timer that has acted. The unique key makes a timer that fires twice act once."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="deadline_marks")
    kind = models.CharField(max_length=8, choices=DeadlineKind.choices)
    stage = models.CharField(max_length=8, choices=DeadlineStage.choices)
    due_at = models.DateTimeField()
    fired_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "stage", "due_at"], name="cases_deadline_mark_uniq"
            )
        ]
