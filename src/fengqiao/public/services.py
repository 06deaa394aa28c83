"""The citizen service: online submission and status lookup, both without an account.

Submissions are registered through ``case_register`` like any other report, by a dedicated
system account, on the ``online`` channel. Both actions are rate limited per client address (and
submissions per phone) with a ledger in the database, so the limits hold across server processes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.accounts.models import Role, User
from fengqiao.accounts.services import user_create
from fengqiao.cases.models import Case
from fengqiao.cases.schemas import CaseIn, PartyIn, ReportIn
from fengqiao.cases.services import case_by_tracking, case_register
from fengqiao.core.errors import Conflict, DomainError
from fengqiao.orgs import geometry
from fengqiao.orgs.models import OrgUnit
from fengqiao.public.models import AttemptKind, PublicAttempt
from fengqiao.public.places import unit_from_address
from fengqiao.public.schemas import PublicSubmissionIn
from fengqiao.public.selectors import PublicStatus, status_view

# Limits. A family reporting a few disputes from one home connection stays well inside them;
# a script filling the queue does not.
SUBMISSIONS_PER_IP_PER_HOUR = 5
SUBMISSIONS_PER_PHONE_PER_DAY = 3
# Failed status lookups (wrong code or wrong digits) per client address: stops guessing codes.
STATUS_FAILURES_PER_IP_PER_HOUR = 10
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
# Ledger rows older than the longest window are deleted as new attempts arrive.
LEDGER_RETENTION = DAY

PUBLIC_USERNAME = "system-public"
PUBLIC_DISPLAY_NAME = "群众网上提交（系统账号）"
ONLINE_CHANNEL = "online"
TITLE_LENGTH = 40


class RateLimited(DomainError):
    status_code = 429
    code = "rate_limited"


class ServiceClosed(DomainError):
    """Online submission is switched off (the system account was deactivated) or not set up."""

    status_code = 503
    code = "service_closed"


@dataclass(frozen=True)
class _Limit:
    field: str
    value: str | None
    limit: int
    window: timedelta


def phone_digest(phone: str) -> str:
    """A keyed digest of a normalised phone: the ledger counts phones without storing them."""
    return hmac.new(settings.SECRET_KEY.encode(), phone.encode(), hashlib.sha256).hexdigest()


def _take_slot(kind: str, ip_address: str | None, limits: list[_Limit], phone: str = "") -> int:
    """Record an attempt, then count; over any limit the attempt is removed and refused.

    The row is written (and, outside a surrounding transaction, committed) before counting, so
    two processes racing for the last slot can both be refused but never both let through.
    Returns the ledger row's id, which the caller deletes when the attempt should not count.
    """
    now = timezone.now()
    PublicAttempt.objects.filter(at__lt=now - LEDGER_RETENTION).delete()
    attempt = PublicAttempt.objects.create(
        kind=kind, ip_address=ip_address, phone_digest=phone, at=now
    )
    for limit in limits:
        same_client = (
            Q(**{f"{limit.field}__isnull": True})
            if limit.value is None
            else Q(**{limit.field: limit.value})
        )
        used = PublicAttempt.objects.filter(
            same_client, kind=kind, at__gt=now - limit.window
        ).count()
        if used > limit.limit:
            PublicAttempt.objects.filter(pk=attempt.pk).delete()
            raise RateLimited(
                "too many attempts; try again later",
                field=limit.field,
                retry_after=int(limit.window.total_seconds()),
            )
    return attempt.pk


def _release_slot(attempt_id: int) -> None:
    PublicAttempt.objects.filter(pk=attempt_id).delete()


def public_account() -> User:
    """The system account that registers online submissions, created on first use.

    It is a clerk over every root unit (so any location is in its jurisdiction) with an unusable
    password: nobody signs in as it. Deactivating it in the admin pauses online submission.
    """
    roots = list(OrgUnit.objects.filter(parent__isnull=True, is_active=True).order_by("path"))
    if not roots:
        raise ServiceClosed("no organisation units are set up yet")
    account = User.objects.filter(username=PUBLIC_USERNAME).first()
    if account is None:
        try:
            with transaction.atomic():
                account = user_create(
                    username=PUBLIC_USERNAME,
                    password=secrets.token_urlsafe(32),
                    role=Role.CLERK,
                    units=roots,
                    display_name=PUBLIC_DISPLAY_NAME,
                    is_staff=False,
                    check_password_strength=False,
                )
                account.set_unusable_password()
                account.save(update_fields=["password"])
        except (Conflict, IntegrityError):
            # Another process created it first.
            account = User.objects.get(username=PUBLIC_USERNAME)
    if not account.is_active:
        raise ServiceClosed("online submission is paused")
    missing = {unit.pk for unit in roots} - set(account.units.values_list("pk", flat=True))
    if missing:
        # A root unit added after the account was created must be covered too.
        account.units.add(*missing)
        account = User.objects.get(pk=account.pk)
    return account


def _title(description: str) -> str:
    first_line = re.sub(r"\s+", " ", description.strip().splitlines()[0]).strip()
    if len(first_line) <= TITLE_LENGTH:
        return first_line
    return first_line[: TITLE_LENGTH - 1] + "…"


def _starting_unit(actor: User, data: PublicSubmissionIn) -> int | None:
    """The unit to register under when the point lies on no grid: named by the address, else
    the root (city) unit, which routing then hands on. None when the point is on a grid."""
    if data.lat is not None and data.lng is not None:
        (grid_id,) = geometry.resolve_grid_ids([(data.lng, data.lat)])
        if grid_id is not None:
            return None
    jurisdiction = Jurisdiction.of(actor)
    unit = unit_from_address(data.address, jurisdiction.units())
    if unit is None:
        unit = jurisdiction.root_units().order_by("path").first()
    if unit is None:
        raise ServiceClosed("no organisation units are set up yet")
    return unit.pk


def _case_in(actor: User, data: PublicSubmissionIn) -> CaseIn:
    title = _title(data.description)
    return CaseIn(
        title=title if len(title) >= 2 else data.description[:TITLE_LENGTH],
        description=data.description,
        category=data.category,
        report=ReportIn(
            channel=ONLINE_CHANNEL,
            reporter_name=data.name,
            reporter_phone=data.phone,
            content=data.description,
        ),
        lat=data.lat if data.lng is not None else None,
        lng=data.lng if data.lat is not None else None,
        unit_id=_starting_unit(actor, data),
        address=data.address,
        parties=[
            PartyIn(role="applicant", name=data.name, phone=data.phone, id_number=data.id_number)
        ],
    )


def public_submit(*, data: PublicSubmissionIn, ip_address: str | None) -> Case:
    """Register a citizen's online submission; raises RateLimited over the limits.

    Not one transaction on purpose: the ledger row must be committed before it is counted (see
    ``_take_slot``); the registration itself is atomic inside ``case_register``.
    """
    actor = public_account()
    digest = phone_digest(data.phone)
    attempt_id = _take_slot(
        AttemptKind.SUBMIT,
        ip_address,
        [
            _Limit("ip_address", ip_address, SUBMISSIONS_PER_IP_PER_HOUR, HOUR),
            _Limit("phone_digest", digest, SUBMISSIONS_PER_PHONE_PER_DAY, DAY),
        ],
        phone=digest,
    )
    try:
        registration = case_register(actor=actor, data=_case_in(actor, data))
    except Exception:
        _release_slot(attempt_id)
        raise
    return registration.case


def public_status(*, tracking_code: str, phone_last4: str, ip_address: str | None) -> PublicStatus:
    """The citizen's view of their case; NotFound for a wrong code or wrong digits alike.

    Failed lookups count against the client address; a successful one does not.
    """
    attempt_id = _take_slot(
        AttemptKind.STATUS,
        ip_address,
        [_Limit("ip_address", ip_address, STATUS_FAILURES_PER_IP_PER_HOUR, HOUR)],
    )
    code = re.sub(r"[\s-]", "", tracking_code)
    case = case_by_tracking(tracking_code=code, phone_last4=phone_last4.strip())
    _release_slot(attempt_id)
    return status_view(case)
