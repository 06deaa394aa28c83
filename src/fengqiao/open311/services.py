"""Open311 GeoReport v2 on top of the case services.

Service codes are the taxonomy's minor category codes (``M10.01``); a service request is a case,
its id the case number. Reads go through the jurisdiction-scoped case selectors of the API key's
user; a new request is registered with ``case_register`` like any other report.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from typing import Any

from django.db.models import FilteredRelation, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.cases.models import Case
from fengqiao.cases.schemas import CaseIn, ReportIn
from fengqiao.cases.selectors import case_get_by_number, case_list
from fengqiao.cases.services import case_register
from fengqiao.cases.states import OPEN_STATUSES, CaseStatus
from fengqiao.core.errors import NotFound, ValidationFailed
from fengqiao.open311.schemas import MAX_REQUESTS, RequestPost, RequestQuery
from fengqiao.orgs import geometry
from fengqiao.public.places import unit_from_address
from fengqiao.taxonomy.models import Category, CategoryKind

TITLE_LENGTH = 40
EXTERNAL_ID_LENGTH = 64  # Report.external_id
# Reports registered here carry external ids with this prefix, apart from the order numbers that
# integrations push on the same channel through /api/v1.
EXTERNAL_ID_PREFIX = "o311:"
CLOSED_STATUSES = [status for status in CaseStatus.values if status not in OPEN_STATUSES]


def _services() -> QuerySet[Category]:
    return (
        Category.objects.filter(kind=CategoryKind.MINOR, is_active=True, parent__is_active=True)
        .select_related("parent")
        .order_by("parent__sort_order", "parent__code", "sort_order", "code")
    )


def _service_out(category: Category) -> dict[str, Any]:
    parent = category.parent
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": f"{category.name_zh} / {category.name_en}",
        "metadata": False,
        "type": "realtime",
        "keywords": ",".join(str(keyword) for keyword in category.keywords or []),
        "group": parent.name if parent is not None else "",
    }


def service_list() -> list[dict[str, Any]]:
    return [_service_out(category) for category in _services()]


def service_definition(*, service_code: str) -> dict[str, Any]:
    if not _services().filter(code=service_code).exists():
        raise NotFound(f"service_code {service_code} is unknown")
    # metadata is false for every service: there are no extra attributes to describe.
    return {"service_code": service_code, "attributes": []}


def _iso(value: datetime | None) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def _request_out(case: Case, status_notes: dict[int, str]) -> dict[str, Any]:
    return {
        "service_request_id": case.number,
        "status": "open" if case.status in OPEN_STATUSES else "closed",
        "status_notes": status_notes.get(case.pk, ""),
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": case.description,
        "agency_responsible": case.lead_unit.name,
        "service_notice": "",
        "requested_datetime": _iso(case.created_at),
        "updated_datetime": _iso(case.updated_at),
        "expected_datetime": _iso(case.resolve_deadline),
        "address": case.address,
        "address_id": "",
        "zipcode": "",
        "lat": case.lat,
        "long": case.lng,
        "media_url": "",
    }


def _status_notes(cases: QuerySet[Case], ids: list[int]) -> dict[int, str]:
    """Each case's latest ``public_note`` (what staff wrote for the public on a status change)."""
    rows = (
        cases.filter(pk__in=ids)
        .annotate(
            note_event=FilteredRelation(
                "events", condition=Q(events__public=True, events__data__has_key="public_note")
            )
        )
        .filter(note_event__isnull=False)
        .values_list("pk", "note_event__at", "note_event__pk", "note_event__data")
    )
    latest: dict[int, tuple[datetime, int, str]] = {}
    for case_id, at, event_id, data in rows:
        note = data.get("public_note") if isinstance(data, dict) else None
        if isinstance(note, str) and (
            case_id not in latest or (at, event_id) > latest[case_id][:2]
        ):
            latest[case_id] = (at, event_id, note)
    return {case_id: note for case_id, (_at, _id, note) in latest.items()}


def _render(cases: list[Case], scope: QuerySet[Case]) -> list[dict[str, Any]]:
    notes = _status_notes(scope, [case.pk for case in cases])
    return [_request_out(case, notes) for case in cases]


def request_list(*, actor: Any, query: RequestQuery) -> list[dict[str, Any]]:
    """Cases in the actor's jurisdiction, newest first, at most ``MAX_REQUESTS``."""
    scope = case_list(actor=actor)
    if query.ids:
        cases = scope.filter(number__in=query.ids)
    else:
        statuses: list[str] = []
        if "open" in query.statuses:
            statuses += list(OPEN_STATUSES)
        if "closed" in query.statuses:
            statuses += CLOSED_STATUSES
        cases = case_list(
            actor=actor,
            status=statuses or None,
            created_from=query.start,
            created_to=query.end + timedelta(microseconds=1),
            order="newest",
        )
        if query.service_codes:
            cases = cases.filter(category__code__in=query.service_codes)
    page = cases.select_related("category", "lead_unit").order_by("-created_at", "-pk")
    return _render(list(page[:MAX_REQUESTS]), scope)


def request_get(*, actor: Any, service_request_id: str) -> list[dict[str, Any]]:
    case = case_get_by_number(actor=actor, number=service_request_id)
    return _render([case], case_list(actor=actor))


def _title(description: str) -> str:
    first_line = re.sub(r"\s+", " ", description.strip().splitlines()[0]).strip()
    if len(first_line) < 2:
        first_line = re.sub(r"\s+", " ", description.strip())
    if len(first_line) <= TITLE_LENGTH:
        return first_line
    return first_line[: TITLE_LENGTH - 1] + "…"


def _external_id(actor: Any, data: RequestPost) -> str:
    """Who sent the report and what it says: a retry of the same POST gets the same id.

    ``device_id`` and ``account_id`` name the sender; the digest of the report's content (and of
    the API user) tells a retry from the same sender's next, different report.
    """
    if not (data.device_id or data.account_id):
        return ""
    sender = f"{data.device_id}|{data.account_id}"
    content = "\x1f".join(
        [
            str(actor.pk),
            data.service_code,
            str(data.lat),
            str(data.lng),
            data.address,
            data.description,
            data.phone,
        ]
    )
    digest = hashlib.sha256(content.encode()).hexdigest()[:16]
    room = EXTERNAL_ID_LENGTH - len(EXTERNAL_ID_PREFIX) - len(digest) - 1
    if len(sender) > room:
        sender = hashlib.sha256(sender.encode()).hexdigest()[:room]
    return f"{EXTERNAL_ID_PREFIX}{sender}#{digest}"


def _starting_unit(actor: Any, data: RequestPost) -> int | None:
    """Where to register a report whose point is on no grid (or that has no point): the unit
    its address names, else the top of the actor's jurisdiction."""
    if data.lat is not None and data.lng is not None:
        (grid_id,) = geometry.resolve_grid_ids([(data.lng, data.lat)])
        if grid_id is not None:
            return None
    jurisdiction = Jurisdiction.of(actor)
    unit = unit_from_address(data.address, jurisdiction.units())
    if unit is None:
        unit = jurisdiction.root_units().filter(is_active=True).order_by("path").first()
    if unit is None:
        raise ValidationFailed("the API key's user has no organisation unit", field="api_key")
    return unit.pk


def _content(data: RequestPost) -> str:
    lines = [data.description]
    if data.media_url:
        lines.append(f"media_url: {data.media_url}")
    return "\n".join(lines)


def _notice(case: Case, data: RequestPost, status_url: str) -> str:
    if not data.phone:
        return ""
    return _(
        "Tracking code %(code)s: the caller can follow the request at %(url)s with this code "
        "and the last four digits of their phone."
    ) % {"code": case.tracking_code, "url": status_url}


def request_create(
    *, actor: Any, data: RequestPost, status_url: str
) -> tuple[dict[str, Any], bool]:
    """Register a service request; a retry carrying the same device/account and content returns
    the first request's id instead of registering a second case."""
    if not _services().filter(code=data.service_code).exists():
        raise ValidationFailed(f"service_code {data.service_code} is unknown", field="service_code")
    report = ReportIn(
        channel=data.channel,
        external_id=_external_id(actor, data),
        reporter_name=data.reporter_name[:100],
        reporter_phone=data.phone,
        content=_content(data),
    )
    registration = case_register(
        actor=actor,
        data=CaseIn(
            title=_title(data.description),
            description=data.description,
            category=data.service_code,
            report=report,
            lat=data.lat,
            lng=data.lng,
            unit_id=_starting_unit(actor, data),
            address=data.address,
        ),
    )
    case = registration.case
    out = {
        "service_request_id": case.number,
        "service_notice": _notice(case, data, status_url),
        "account_id": data.account_id,
    }
    return out, registration.created
