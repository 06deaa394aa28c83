"""People: users with a role, their org units and department; API tokens; login attempts."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CLERK = "clerk", _("Front-desk clerk")
    MEDIATOR = "mediator", _("Mediator")
    GRID_WORKER = "grid_worker", _("Grid worker")
    LIAISON = "liaison", _("Department liaison")
    LEADER = "leader", _("Leader")
    AUDITOR = "auditor", _("Quality auditor")
    ANALYST = "analyst", _("Analyst")
    ADMIN = "admin", _("Administrator")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CLERK)
    display_name = models.CharField(_("display name"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    units = models.ManyToManyField(
        "orgs.OrgUnit",
        related_name="members",
        blank=True,
        verbose_name=_("organisation units"),
        help_text=_("The user sees everything in these units' subtrees."),
    )
    department = models.ForeignKey(
        "orgs.Department",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("department"),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username


class ApiToken(models.Model):
    """A bearer token for integrations. Only its SHA-256 is stored; the secret is shown once."""

    user = models.ForeignKey(User, models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class LoginAttempt(models.Model):
    username = models.CharField(max_length=150)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["username", "at"], name="acc_login_user_at_idx"),
            models.Index(fields=["ip_address", "at"], name="acc_login_ip_at_idx"),
        ]
