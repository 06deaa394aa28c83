"""Typed inputs of the case services, shared by the API, the web forms and the importers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from fengqiao.cases.pii import normalise_id_number, normalise_phone
from fengqiao.core.errors import ValidationFailed


def _checked(normalise: Callable[[str], str], *, required: bool) -> Callable[[str], str]:
    """A pydantic validator from a ``pii`` normaliser; its message becomes the field's error."""

    def check(value: str) -> str:
        if not value and not required:
            return value
        try:
            return normalise(value)
        except ValidationFailed as exc:
            raise ValueError(exc.message) from exc

    return check


PhoneNumber = Annotated[str, AfterValidator(_checked(normalise_phone, required=False))]
RequiredPhoneNumber = Annotated[str, AfterValidator(_checked(normalise_phone, required=True))]
IdNumber = Annotated[str, AfterValidator(_checked(normalise_id_number, required=False))]


class PartyIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: Literal["person", "organisation"] = "person"
    role: Literal["applicant", "respondent", "third_party"]
    name: Annotated[str, Field(min_length=1, max_length=100)]
    id_number: IdNumber = ""
    org_code: Annotated[str, Field(max_length=18)] = ""
    phone: PhoneNumber = ""
    address: Annotated[str, Field(max_length=255)] = ""


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    channel: Annotated[
        str, Field(min_length=1, max_length=32, description="channel code, e.g. 12345")
    ]
    external_id: Annotated[str, Field(max_length=64)] = ""
    received_at: datetime | None = None
    reporter_name: Annotated[str, Field(max_length=100)] = ""
    reporter_phone: PhoneNumber = ""
    content: str = ""


class CaseIn(BaseModel):
    """Everything intake needs. Location is a point, a unit id, or both."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Annotated[str, Field(min_length=2, max_length=200)]
    description: Annotated[str, Field(min_length=2, max_length=20000)]
    category: Annotated[str, Field(description="category code, e.g. M10.01")]
    report: ReportIn
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lng: Annotated[float, Field(ge=-180, le=180)] | None = None
    unit_id: int | None = Field(None, description="where it happened, when there is no point")
    address: Annotated[str, Field(max_length=255)] = ""
    people_involved: Annotated[int, Field(ge=1, le=1_000_000)] = 1
    amount: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)] = Decimal("0")
    risk_colour: Literal["red", "orange", "green"] | None = None
    risk_reason: Annotated[str, Field(max_length=255)] = ""
    cross_region: bool = False
    partner_unit_ids: list[int] = Field(default_factory=list)
    parties: list[PartyIn] = Field(default_factory=list, max_length=200)


class CaseUpdate(BaseModel):
    """All optional; only the fields sent are changed (``exclude_unset``)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Annotated[str, Field(min_length=2, max_length=200)] | None = None
    description: Annotated[str, Field(min_length=2, max_length=20000)] | None = None
    category: str | None = None
    address: Annotated[str, Field(max_length=255)] | None = None
    people_involved: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    amount: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)] | None = None
    risk_colour: Literal["red", "orange", "green"] | None = None
    risk_reason: Annotated[str, Field(max_length=255)] | None = None
    leader_id: int | None = None


UPDATABLE_FIELDS = frozenset(CaseUpdate.model_fields)
