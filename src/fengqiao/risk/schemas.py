"""Typed inputs of the risk services, shared by the API and the pages."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Colour = Literal["red", "orange", "green"]


class RiskColourIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    colour: Colour
    reason: Annotated[str, Field(max_length=255)] = ""
    version: int


class DecisionIn(BaseModel):
    """One item reviewed at a meeting: exactly one of ``case_id`` and ``warning_id``."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    case_id: int | None = None
    warning_id: int | None = None
    decision: Annotated[str, Field(min_length=1, max_length=2000)]
    owner_text: Annotated[str, Field(max_length=100)] = ""
    owner_user_id: int | None = None
    due_on: date | None = None

    @model_validator(mode="after")
    def _one_item(self) -> DecisionIn:
        if (self.case_id is None) == (self.warning_id is None):
            raise ValueError("give exactly one of case_id and warning_id")
        return self


class MeetingIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    colour: Colour
    unit_id: int
    held_on: date
    chair_id: int | None = Field(None, description="the chair; empty: the person recording")
    notes: Annotated[str, Field(max_length=20000)] = ""
    next_review_on: date
    decisions: Annotated[list[DecisionIn], Field(min_length=1, max_length=500)]
