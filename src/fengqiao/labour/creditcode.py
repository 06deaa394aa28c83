"""Unified social credit codes (统一社会信用代码, GB 32100-2015) and construction project codes."""

from __future__ import annotations

import re

from django.utils.translation import gettext

from fengqiao.core.errors import ValidationFailed

# 31 characters: the digits and the capitals without I, O, S, V, Z (easily misread).
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Position i (0-based) weighs 3**i mod 31.
CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_CREDIT_PATTERN = re.compile(rf"^[{CREDIT_ALPHABET}]{{18}}$")
# Project codes of the investment project approval platform look like 2023-500118-47-01-123456;
# local housing systems use other shapes, so only the alphabet and length are checked.
_PROJECT_PATTERN = re.compile(r"^[0-9A-Z][0-9A-Z-]{5,39}$")


def credit_check_char(first17: str) -> str:
    """The 18th (check) character for the first 17 characters of a credit code."""
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def normalise_credit_code(raw: str, *, field: str = "code") -> str:
    """Upper-cased, validated 18-character credit code, or ValidationFailed saying why."""
    value = raw.strip().upper()
    if len(value) != 18:
        raise ValidationFailed(
            gettext("a unified social credit code has 18 characters, not %(n)d")
            % {"n": len(value)},
            field=field,
        )
    if not _CREDIT_PATTERN.match(value):
        raise ValidationFailed(
            gettext("a unified social credit code uses digits and capitals except I, O, S, V, Z"),
            field=field,
        )
    if credit_check_char(value[:17]) != value[17]:
        raise ValidationFailed(
            gettext("the check character of this unified social credit code is wrong"),
            field=field,
        )
    return value


def normalise_project_code(raw: str, *, field: str = "code") -> str:
    value = raw.strip().upper()
    if not _PROJECT_PATTERN.match(value):
        raise ValidationFailed(
            gettext("a project code has 6 to 40 digits, capitals and hyphens"), field=field
        )
    return value
