"""Output and action schemas of the early-warning API (inputs of points: ``points.PointIn``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field


class WarningOut(Schema):
    id: int
    rule_code: str
    rule_name: str
    subject_key: str
    status: str
    colour: str
    title: str
    explanation: str
    value: float | None
    fire_count: int
    first_fired_at: datetime
    last_fired_at: datetime
    unit_id: int
    unit_name: str
    assigned_unit_id: int | None
    assigned_unit_name: str | None
    assigned_at: datetime | None
    deadline: datetime | None
    overdue: bool
    risk_point_id: int | None
    case_id: int | None
    version: int


class WarningEventOut(Schema):
    at: datetime
    actor: str | None
    kind: str
    from_status: str
    to_status: str
    message: str
    minutes_since_raised: float


class WarningDetailOut(WarningOut):
    lng: float | None
    lat: float | None
    verified_at: datetime | None
    verified_by: str | None
    verification_note: str
    handled_at: datetime | None
    handling_note: str
    closed_at: datetime | None
    feedback: str
    allowed_actions: list[str]
    events: list[WarningEventOut]


class TransitionIn(Schema):
    action: Literal["assign", "verify", "dismiss", "handle", "close", "convert"]
    version: int
    note: Annotated[str, Field(max_length=4000)] = ""
    feedback: Annotated[str, Field(max_length=4000)] = ""
    category: Annotated[str, Field(max_length=16)] = ""


class DeviceOut(Schema):
    device_id: str
    source: str
    kind: str
    last_seen_at: datetime | None
    last_value: float | None


class RiskPointOut(Schema):
    id: int
    code: str
    name: str
    point_type: str
    lng: float
    lat: float
    grid_id: int
    grid_name: str
    address: str
    owner_org: str
    owner_contact: str
    owner_phone: str  # masked
    maintenance_interval_days: int | None
    last_maintained_on: date | None
    maintenance_due_on: date | None
    is_active: bool
    version: int


class RiskPointDetailOut(RiskPointOut):
    devices: list[DeviceOut]
    open_warnings: int


class MaintenanceIn(Schema):
    done_on: date
    note: Annotated[str, Field(max_length=500)] = ""
    version: int | None = None


class RuleOut(Schema):
    code: str
    name: str
    kind: str
    signal_kind: str
    threshold: float | None
    window_minutes: int | None
    count_n: int | None
    category: str | None
    point_types: list[str]
    colour: str
    deadline_minutes: int
    is_active: bool
