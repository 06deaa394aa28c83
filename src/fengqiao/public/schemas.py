"""Typed input of the citizen service."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from fengqiao.cases.schemas import IdNumber, RequiredPhoneNumber


class PublicSubmissionIn(BaseModel):
    """What a citizen tells us about a dispute, already checked by the form."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    category: Annotated[str, Field(min_length=1, max_length=16)]
    description: Annotated[str, Field(min_length=10, max_length=5000)]
    address: Annotated[str, Field(min_length=2, max_length=255)]
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lng: Annotated[float, Field(ge=-180, le=180)] | None = None
    name: Annotated[str, Field(min_length=1, max_length=100)]
    phone: RequiredPhoneNumber
    id_number: IdNumber = ""
