"""Rate-limit ledger of the citizen service, kept in the database so every server process counts.

One row per attempt that reached the service: an online submission, or a status lookup that did
not (yet) succeed. Phones are stored as a keyed digest, never in clear.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AttemptKind(models.TextChoices):
    SUBMIT = "submit", _("Online submission")
    STATUS = "status", _("Status lookup")


class PublicAttempt(models.Model):
    kind = models.CharField(max_length=8, choices=AttemptKind.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    phone_digest = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("citizen service attempt")
        verbose_name_plural = _("citizen service attempts")
        indexes = [
            models.Index(fields=["kind", "ip_address", "at"], name="public_attempt_ip_idx"),
            models.Index(fields=["kind", "phone_digest", "at"], name="public_attempt_phone_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.ip_address} {self.at:%Y-%m-%d %H:%M}"
