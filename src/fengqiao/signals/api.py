"""JSON API of signals (mounted under /api/v1/): batch intake and scoped time-range reads."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Router, Schema, Status
from ninja.params.functions import Query
from ninja.security import HttpBearer, django_auth

from fengqiao.accounts.auth import api_token_authenticate
from fengqiao.core.errors import ValidationFailed
from fengqiao.signals.selectors import SignalFilters, signal_list
from fengqiao.signals.services import signals_ingest
from fengqiao.signals.validation import MAX_BATCH

router = Router(tags=["signals"])

# 10,000 readings with a few extra fields each; far above any sane batch, far below harm.
MAX_BODY_BYTES = 16 * 1024 * 1024
NDJSON_TYPES = frozenset({"application/x-ndjson", "application/jsonl", "application/jsonlines"})


class IntegrationToken(HttpBearer):
    """The API's bearer token, remembering that the caller came as an integration."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
            request.fengqiao_via_token = True  # type: ignore[attr-defined]
        return user


class IngestOut(Schema):
    batch_id: int
    accepted: int
    duplicates: int


class SignalOut(Schema):
    id: int
    batch_id: int
    source: str
    device_id: str
    kind: str
    value: float | None
    lng: float | None
    lat: float | None
    grid_id: int | None
    observed_at: datetime
    received_at: datetime
    payload: dict[str, Any]


def _body(request: HttpRequest) -> bytes:
    # Read the stream ourselves: Django's request.body caps at 2.5 MB, below a full batch.
    if hasattr(request, "_body"):
        data: bytes = request._body
    else:
        data = request.read(MAX_BODY_BYTES + 1)
    if len(data) > MAX_BODY_BYTES:
        raise ValidationFailed(gettext("request body is too large"), field="body")
    return data


def parse_body(request: HttpRequest) -> list[Any]:
    """A JSON array (or one object), or JSON lines when the content type says so."""
    data = _body(request)
    content_type = request.content_type or ""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed(gettext("body must be UTF-8"), field="body") from None
    if content_type in NDJSON_TYPES:
        items: list[Any] = []
        for number, line in enumerate(text.splitlines()):
            if not line.strip():
                continue
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValidationFailed(
                    gettext("line %(line)s is not JSON: %(error)s")
                    % {"line": number + 1, "error": exc.msg},
                    field="item",
                    index=len(items),
                    line=number + 1,
                ) from None
            if len(items) > MAX_BATCH:
                break  # enough to be refused by the batch limit; stop parsing
        return items
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            gettext("body is not JSON: %(error)s") % {"error": exc.msg}, field="body"
        ) from None
    return [parsed] if isinstance(parsed, dict) else parsed


@router.post(
    "/signals",
    response={202: IngestOut},
    auth=[IntegrationToken(), django_auth],
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                "application/x-ndjson": {"schema": {"type": "string"}},
            }
        }
    },
)
def post_signals(request: HttpRequest, source: str = "") -> Any:
    """Accept up to 10,000 signals (``source``, ``device_id`` or ``lng``/``lat``, ``kind``,
    ``value``, ``observed_at`` ISO 8601 with zone; other fields are kept as payload). Re-sent
    signals are counted as duplicates and not stored again. Any bad item rejects the whole batch
    with 422 naming its index and field. ``?source=`` fills items that name no source."""
    result = signals_ingest(
        actor=request.user,
        items=parse_body(request),
        source_hint=source,
        via_token=getattr(request, "fengqiao_via_token", False),
    )
    return Status(202, vars(result))


@router.get("/signals", response=list[SignalOut])
def list_signals(
    request: HttpRequest,
    device_id: str = "",
    kind: str = "",
    source: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    grid: int | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> Any:
    """Signals in your jurisdiction, newest first; ``grid`` is a grid or any unit above grids."""
    filters = SignalFilters(
        device_id=device_id, kind=kind, source=source, since=since, until=until, unit_id=grid
    )
    return list(signal_list(actor=request.user, filters=filters)[offset : offset + limit])
