"""Output and action schemas of the cases API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field


class CaseSummaryOut(Schema):
    id: int
    number: str
    title: str
    status: str
    category_code: str
    category_name: str
    channel_code: str
    risk_colour: str
    territory_id: int
    lead_unit_id: int
    lead_unit_name: str
    lead_department_id: int | None
    people_involved: int
    amount: Decimal
    accept_deadline: datetime
    resolve_deadline: datetime
    overdue: bool
    restricted: bool
    created_at: datetime
    version: int


class PartyOut(Schema):
    id: int
    kind: str
    role: str
    name: str
    id_number: str
    org_code: str
    phone: str
    address: str
    masked: bool


class ReportOut(Schema):
    id: int
    channel_code: str
    external_id: str
    received_at: datetime
    reporter_name: str
    reporter_phone: str
    content: str


class AssignmentOut(Schema):
    id: int
    case_id: int
    department_id: int
    department_name: str
    assignee_id: int | None
    role: str
    status: str
    task: str
    deadline: datetime
    notes: str
    version: int


class CaseDetailOut(CaseSummaryOut):
    description: str
    address: str
    lat: float | None
    lng: float | None
    risk_reason: str
    routing_explanation: str
    leader_id: int | None
    accepted_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    escalation_count: int
    reopen_count: int
    merged_into_id: int | None
    tracking_code: str
    partner_unit_ids: list[int]
    parties: list[PartyOut]
    reports: list[ReportOut]
    assignments: list[AssignmentOut]
    allowed_actions: list[str]


class EventOut(Schema):
    id: int
    case_id: int
    at: datetime
    actor: str | None
    kind: str
    action: str
    from_status: str
    to_status: str
    message: str
    data: dict[str, object]


class TransitionIn(Schema):
    action: Literal[
        "accept", "start", "escalate", "resolve", "close", "reopen", "refer", "withdraw", "merge"
    ]
    version: int
    reason: Annotated[str, Field(max_length=2000)] = ""
    referral_kind: Literal[
        "", "litigation", "arbitration", "labour_arbitration", "reconsideration"
    ] = ""
    referral_body: Annotated[str, Field(max_length=150)] = ""
    merge_into_id: int | None = None
    public_note: Annotated[str, Field(max_length=500)] = ""


class AssignmentIn(Schema):
    department_id: int
    task: Annotated[str, Field(min_length=2, max_length=2000)]
    deadline: datetime | None = None
    role: Literal["lead", "co"] = "co"
    assignee_id: int | None = None


class AssignmentUpdateIn(Schema):
    version: int
    move: Literal["accept", "complete", "return"] | None = None
    note: Annotated[str, Field(max_length=2000)] = ""
    assignee_id: int | None = None


class RoutingOut(Schema):
    lead_unit_id: int
    lead_unit_name: str
    lead_department_id: int | None
    lead_department_name: str | None
    co_departments: list[dict[str, object]]
    accept_minutes: int
    resolve_days: int
    rule: str | None
    restricted: bool
    reasons: list[str]


class DuplicateOut(Schema):
    case: CaseSummaryOut
    score: float
    reasons: list[str]


class MediationSessionIn(Schema):
    held_at: datetime
    place: Annotated[str, Field(min_length=1, max_length=200)]
    participants: Annotated[str, Field(min_length=1, max_length=2000)]
    record: Annotated[str, Field(min_length=1, max_length=20000)]


class AgreementIn(Schema):
    terms: Annotated[str, Field(min_length=2, max_length=20000)]
    amount: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)] = Decimal("0")
    performance_deadline: date | None = None


class CreatedOut(Schema):
    id: int


class PerformanceIn(Schema):
    performed: bool
    note: Annotated[str, Field(max_length=2000)] = ""


class ConfirmationRequestIn(Schema):
    court_id: int


class ConfirmationDecisionIn(Schema):
    confirmed: bool
    note: Annotated[str, Field(max_length=2000)] = ""


class ProtectiveOrderIn(Schema):
    court_id: int
    valid_until: date
    measures: Annotated[str, Field(min_length=2, max_length=5000)]
    issued_at: datetime | None = None


class NotificationOut(Schema):
    id: int
    kind: str
    case_id: int | None
    message: str
    created_at: datetime
    read_at: datetime | None


class MarkReadIn(Schema):
    ids: list[int] | None = None
