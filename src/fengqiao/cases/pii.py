"""Chinese resident ID numbers and phone numbers: validation and masking."""

from __future__ import annotations

import re
from datetime import date

from django.utils.translation import gettext

from fengqiao.core.errors import ValidationFailed

_ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Landlines: area code 0 + 2–3 digits, then 7–8 digits, optional extension.
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def id_check_digit(first17: str) -> str:
    """GB 11643-1999 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalise_id_number(raw: str, *, today: date | None = None) -> str:
    """Upper-cased, validated 18-character resident ID number, or ValidationFailed saying why."""
    value = raw.strip().upper()
    if not _ID_PATTERN.match(value):
        raise ValidationFailed(
            gettext("ID number must be 17 digits followed by a digit or X"), field="id_number"
        )
    if value[:2] not in _PROVINCE_PREFIXES:
        raise ValidationFailed(gettext("ID number has an unknown province code"), field="id_number")
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as exc:
        raise ValidationFailed(
            gettext("ID number contains an impossible birth date"), field="id_number"
        ) from exc
    if born.year < 1900 or born > (today or date.today()):  # noqa: DTZ011 (a calendar date, not an instant)
        raise ValidationFailed(gettext("ID number's birth date is out of range"), field="id_number")
    if id_check_digit(value[:17]) != value[17]:
        raise ValidationFailed(gettext("ID number's check digit is wrong"), field="id_number")
    return value


def birth_date_of(id_number: str) -> date:
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def normalise_phone(raw: str) -> str:
    value = re.sub(r"[\s()]", "", raw.strip())
    if value.startswith("+86"):
        value = value[3:]
    if _MOBILE.match(value) or _LANDLINE.match(value):
        return value
    raise ValidationFailed(
        gettext(
            "phone must be an 11-digit mobile number starting with 1, or a landline with area code"
        ),
        field="phone",
    )


def mask_id_number(value: str) -> str:
    """``110***********1234``: the region of issue and the last four stay visible."""
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str) -> str:
    """``138****5678`` for mobiles; landlines keep the area code and last four."""
    if len(value) == 11 and value.isdigit():
        return value[:3] + "****" + value[-4:]
    if len(value) <= 4:
        return value
    return value[: max(0, len(value) - 8)] + "****" + value[-4:]


def mask_address(value: str) -> str:
    """Keep the district/street part a handler needs for orientation; hide the house number."""
    if not value:
        return value
    keep = max(4, len(value) // 2)
    return value[:keep] + "…" if len(value) > keep else value


_PROVINCE_PREFIXES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
        "91",
    }
)
