"""Dispute categories (18 major, ~150 minor by default) and intake channels."""

from __future__ import annotations

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fengqiao.core.models import TimestampedModel


class RiskColour(models.TextChoices):
    RED = "red", _("Red")
    ORANGE = "orange", _("Orange")
    GREEN = "green", _("Green")


class CategoryKind(models.TextChoices):
    MAJOR = "major", _("Major category")
    MINOR = "minor", _("Minor category")


class BilingualNameMixin(models.Model):
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        """The name in the active UI language."""
        language = get_language() or "zh-hans"
        return self.name_en if language.startswith("en") and self.name_en else self.name_zh

    def __str__(self) -> str:
        return self.name


class Category(BilingualNameMixin, TimestampedModel):
    code = models.CharField(
        _("code"),
        max_length=16,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Z0-9][A-Z0-9.\-]*$", _("upper-case letters, digits, '.' and '-'"))
        ],
    )
    kind = models.CharField(_("kind"), max_length=8, choices=CategoryKind.choices)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("major category"),
    )
    # {"grid": "community", "village": "mediation_committee", "township": "justice", ...}:
    # which department type screens and resolves this kind of dispute at each level.
    responsible = models.JSONField(
        _("responsible department type per level"), default=dict, blank=True
    )
    acceptance_minutes = models.PositiveIntegerField(
        _("acceptance deadline (minutes)"), default=15, validators=[MinValueValidator(1)]
    )
    resolution_days = models.PositiveIntegerField(
        _("resolution deadline (days)"), default=30, validators=[MinValueValidator(1)]
    )
    default_risk = models.CharField(
        _("default risk colour"), max_length=8, choices=RiskColour.choices, default=RiskColour.GREEN
    )
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "code"]


class Channel(BilingualNameMixin, TimestampedModel):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    # Reports from self-identifying channels (patrols, sensors, screening) count as "identified"
    # rather than "reported by a party" in the identification rate.
    is_proactive = models.BooleanField(_("proactive discovery"), default=False)
    sort_order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["sort_order", "code"]
