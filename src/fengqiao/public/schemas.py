"""Typed input of the citizen service."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from fengqiao.cases.pii import normalise_id_number, normalise_phone
from fengqiao.core.errors import ValidationFailed


class PublicSubmissionIn(BaseModel):
    """What a citizen tells us about a dispute, already checked by the form."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    category: Annotated[str, Field(min_length=1, max_length=16)]
    description: Annotated[str, Field(min_length=10, max_length=5000)]
    address: Annotated[str, Field(min_length=2, max_length=255)]
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lng: Annotated[float, Field(ge=-180, le=180)] | None = None
    name: Annotated[str, Field(min_length=1, max_length=100)]
    phone: str
    id_number: str = ""

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        try:
            return normalise_phone(value)
        except ValidationFailed as exc:
            raise ValueError(exc.message) from exc

    @field_validator("id_number")
    @classmethod
    def _id_number(cls, value: str) -> str:
        if not value:
            return value
        try:
            return normalise_id_number(value)
        except ValidationFailed as exc:
            raise ValueError(exc.message) from exc
