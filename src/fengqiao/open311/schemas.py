"""Open311 GeoReport v2 parameters, parsed and checked; a bad one is a 400 naming the field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from fengqiao.cases.pii import normalise_phone
from fengqiao.core.errors import ValidationFailed

MAX_REQUESTS = 1000
# The spec's default and longest date range of a request search.
SEARCH_WINDOW = timedelta(days=90)
DEFAULT_CHANNEL = "12345"
STATUSES = ("open", "closed")
DESCRIPTION_MAX = 4000  # the spec's limit
FIELD_MAX = 255


def _text(params: dict[str, str], name: str, *, max_length: int = FIELD_MAX) -> str:
    value = params.get(name, "").strip()
    if len(value) > max_length:
        raise ValidationFailed(f"{name} is longer than {max_length} characters", field=name)
    return value


def _list(params: dict[str, str], name: str) -> list[str]:
    return [item.strip() for item in params.get(name, "").split(",") if item.strip()]


def _datetime(params: dict[str, str], name: str) -> datetime | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw.replace(" ", "+"))
        day: date | None = None if value is not None else parse_date(raw)
    except ValueError:
        value, day = None, None
    if value is None and day is not None:
        value = datetime.combine(day, time.min)
    if value is None:
        raise ValidationFailed(
            f"{name} must be an ISO 8601 date and time, e.g. 2025-01-31T08:00:00+08:00",
            field=name,
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _coordinate(params: dict[str, str], name: str, bound: float) -> float | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not -bound <= value <= bound:
        raise ValidationFailed(f"{name} must be a number between -{bound} and {bound}", field=name)
    return value


@dataclass(frozen=True)
class RequestQuery:
    """GET requests: by id (the other filters are then ignored), or by code, dates and status."""

    ids: list[str]
    service_codes: list[str]
    start: datetime
    end: datetime
    statuses: list[str]


def parse_request_query(params: dict[str, str]) -> RequestQuery:
    ids = _list(params, "service_request_id")
    if len(ids) > MAX_REQUESTS:
        raise ValidationFailed(
            f"at most {MAX_REQUESTS} service_request_id values", field="service_request_id"
        )
    start = _datetime(params, "start_date")
    end = _datetime(params, "end_date")
    if end is None:
        end = start + SEARCH_WINDOW if start is not None else timezone.now()
    if start is None:
        start = end - SEARCH_WINDOW
    if start > end:
        raise ValidationFailed("start_date is after end_date", field="start_date")
    if end - start > SEARCH_WINDOW:
        raise ValidationFailed(
            f"start_date and end_date may not span more than {SEARCH_WINDOW.days} days",
            field="start_date",
        )
    statuses = [status.lower() for status in _list(params, "status")]
    unknown = sorted(set(statuses) - set(STATUSES))
    if unknown:
        raise ValidationFailed(
            f"status must be open or closed, not {', '.join(unknown)}", field="status"
        )
    return RequestQuery(
        ids=ids,
        service_codes=_list(params, "service_code"),
        start=start,
        end=end,
        statuses=statuses,
    )


@dataclass(frozen=True)
class RequestPost:
    service_code: str
    lat: float | None
    lng: float | None
    address: str
    description: str
    first_name: str
    last_name: str
    phone: str
    email: str
    device_id: str
    account_id: str
    media_url: str
    channel: str

    @property
    def reporter_name(self) -> str:
        """Chinese names put the family name first, without a space; Latin names the other way."""
        first, last = self.first_name, self.last_name
        if not (first and last):
            return first or last
        if (first + last).isascii():
            return f"{first} {last}"
        return f"{last}{first}"


def parse_request_post(params: dict[str, str]) -> RequestPost:
    service_code = _text(params, "service_code", max_length=16)
    if not service_code:
        raise ValidationFailed("service_code is required", field="service_code")
    lat = _coordinate(params, "lat", 90)
    lng = _coordinate(params, "long", 180)
    if (lat is None) != (lng is None):
        raise ValidationFailed(
            "give both lat and long, or neither", field="lat" if lat is None else "long"
        )
    address = _text(params, "address_string")
    if lat is None and not address:
        raise ValidationFailed(
            "a location is required: lat and long, or address_string", field="lat"
        )
    description = _text(params, "description", max_length=DESCRIPTION_MAX)
    if len(description) < 2:
        raise ValidationFailed("description is required", field="description")
    phone = _text(params, "phone", max_length=32)
    if phone:
        try:
            phone = normalise_phone(phone)
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, field="phone") from exc
    email = _text(params, "email", max_length=254)
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ValidationFailed("email is not a valid address", field="email") from exc
    media_url = _text(params, "media_url", max_length=1000)
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError as exc:
            raise ValidationFailed("media_url must be an http(s) URL", field="media_url") from exc
    return RequestPost(
        service_code=service_code,
        lat=lat,
        lng=lng,
        address=address,
        description=description,
        first_name=_text(params, "first_name", max_length=50),
        last_name=_text(params, "last_name", max_length=50),
        phone=phone,
        email=email,
        device_id=_text(params, "device_id", max_length=100),
        account_id=_text(params, "account_id", max_length=100),
        media_url=media_url,
        channel=_text(params, "channel", max_length=32) or DEFAULT_CHANNEL,
    )
