"""Registering cases, linking further reports, editing details, recording parties.

Every change to a case happens in one of these functions (or in ``lifecycle``), in one
transaction, with a timeline event; nothing else saves a Case.
"""

from __future__ import annotations

import hashlib
import secrets
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.accounts.models import Role, User
from fengqiao.cases import fastwrite
from fengqiao.cases.deadlines import deadline_calls
from fengqiao.cases.handling.models import Assignment, AssignmentRole
from fengqiao.cases.models import (
    Case,
    EventKind,
    IdempotencyRecord,
    Party,
    PartyRole,
    Report,
    TimelineEvent,
)
from fengqiao.cases.permissions import EDIT_ROLES, RISK_ROLES, may_register, role_of
from fengqiao.cases.routing.engine import RoutingDecision, RoutingInput, lineage_of_id, route
from fengqiao.cases.schemas import CaseIn, CaseUpdate, PartyIn, ReportIn
from fengqiao.cases.selectors import case_get
from fengqiao.core import refcache
from fengqiao.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fengqiao.core.queue import Call, enqueue_many
from fengqiao.core.text import system_text
from fengqiao.metrics.dirty import case_changed
from fengqiao.notifications.models import NotificationKind
from fengqiao.notifications.services import notify_many
from fengqiao.orgs import geometry
from fengqiao.orgs.models import PATH_SEGMENT_WIDTH, Department, OrgUnit
from fengqiao.taxonomy.models import Category, Channel, RiskColour

_TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone


def _tracking_code() -> str:
    return "".join(secrets.choice(_TRACKING_ALPHABET) for _ in range(10))


def event_write(
    *,
    case: Case,
    actor: Any,
    kind: str,
    message: str = "",
    public: bool = False,
    action: str = "",
    from_status: str = "",
    to_status: str = "",
    **data: Any,
) -> TimelineEvent:
    case_changed(case)  # every change writes an event: the cockpit statistics follow it
    return TimelineEvent.objects.create(
        case=case,
        actor=actor if getattr(actor, "pk", None) else None,
        kind=kind,
        message=message,
        public=public,
        action=action,
        from_status=from_status,
        to_status=to_status,
        data=data,
    )


def bump_version(case: Case, expected_version: int | None) -> None:
    """Optimistic concurrency: the UPDATE only succeeds on the version the caller saw."""
    queryset = Case.objects.filter(pk=case.pk)
    if expected_version is not None:
        queryset = queryset.filter(version=expected_version)
    if queryset.update(version=F("version") + 1, updated_at=timezone.now()) != 1:
        raise Conflict(
            gettext("the case was changed by someone else; reload it and try again"),
            field="version",
            current_version=Case.objects.filter(pk=case.pk)
            .values_list("version", flat=True)
            .first(),
        )
    case.version = (expected_version or case.version) + 1


def _categories() -> dict[str, Category]:
    return {c.code: c for c in Category.objects.select_related("parent").filter(is_active=True)}


def _channels() -> dict[str, Channel]:
    return {c.code: c for c in Channel.objects.filter(is_active=True)}


def _category(code: str, refs: refcache.Snapshot | None = None) -> Category:
    refs = refs or refcache.snapshot()
    category = refs.get("taxonomy.categories", ("category",), _categories).get(code)
    if category is None:
        raise ValidationFailed(
            gettext("unknown or inactive category %(code)s") % {"code": code}, field="category"
        )
    return category


def _channel(code: str, refs: refcache.Snapshot | None = None) -> Channel:
    refs = refs or refcache.snapshot()
    channel = refs.get("taxonomy.channels", ("channel",), _channels).get(code)
    if channel is None:
        raise ValidationFailed(
            gettext("unknown or inactive channel %(code)s") % {"code": code},
            field="report.channel",
        )
    return channel


def _territory(actor: Any, data: CaseIn, refs: refcache.Snapshot) -> OrgUnit:
    jurisdiction = Jurisdiction.of(actor)
    if data.lat is not None and data.lng is not None:
        (grid_id,) = geometry.resolve_grid_ids([(data.lng, data.lat)], token=refs.key("unit"))
        if grid_id is not None:
            grid = lineage_of_id(grid_id, refs)[0]
            if not jurisdiction.covers_path(grid.path):
                raise ValidationFailed(
                    gettext("the location lies outside your jurisdiction"), field="lat"
                )
            return grid
        if data.unit_id is None:
            raise ValidationFailed(
                gettext("the location lies on no grid; choose the unit instead"), field="lat"
            )
    elif (data.lat is None) != (data.lng is None):
        raise ValidationFailed(gettext("give both latitude and longitude, or neither"), field="lat")
    if data.unit_id is None:
        raise ValidationFailed(gettext("give a location (lat/lng) or a unit"), field="unit_id")
    # The unit comes from the reference cache, as a point's grid does: no query per case.
    try:
        unit: OrgUnit | None = lineage_of_id(data.unit_id, refs)[0]
    except OrgUnit.DoesNotExist:
        unit = None
    if unit is None or not unit.is_active or not jurisdiction.covers_path(unit.path):
        raise ValidationFailed(
            gettext("unknown unit, or outside your jurisdiction"), field="unit_id"
        )
    return unit


def routing_input(
    actor: Any,
    data: CaseIn,
    channel: Channel | None = None,
    refs: refcache.Snapshot | None = None,
) -> RoutingInput:
    refs = refs or refcache.snapshot()
    category = _category(data.category, refs)
    return RoutingInput(
        category=category,
        channel=channel or _channel(data.report.channel, refs),
        territory=_territory(actor, data, refs),
        risk_colour=data.risk_colour or category.default_risk,
        people_involved=data.people_involved,
        amount=data.amount,
        cross_region=data.cross_region or bool(data.partner_unit_ids),
    )


def routing_preview(*, actor: Any, data: CaseIn) -> RoutingDecision:
    """What would happen if this were registered now; writes nothing."""
    return route(routing_input(actor, data))


def _report_row(*, case: Case, channel: Channel, data: ReportIn, actor: Any) -> Report:
    return Report(
        case=case,
        channel=channel,
        external_id=data.external_id,
        received_at=data.received_at or timezone.now(),
        reporter_name=data.reporter_name,
        reporter_phone=data.reporter_phone,
        content=data.content,
        created_by=actor if getattr(actor, "pk", None) else None,
    )


def _existing_report(channel: Channel, external_id: str) -> Report | None:
    if not external_id:
        return None
    return (
        Report.objects.select_related("case")
        .filter(channel=channel, external_id=external_id)
        .first()
    )


@dataclass(frozen=True)
class Registration:
    case: Case
    created: bool
    # What a new registration wrote beside the case (reports, parties, assignments…), for an
    # answer that need not read it back.
    written: dict[str, list[Any]] = field(default_factory=dict)


def case_register(*, actor: Any, data: CaseIn, idempotency_key: str = "") -> Registration:
    """Register a case from its first report, route it, hand it out, start its timers.

    Integrations retry. A retry carrying the same ``Idempotency-Key`` (per user), or a report
    already known by (channel, external id), returns the case the first attempt created, unchanged.
    """
    if not may_register(actor):
        raise PermissionDenied(gettext("your role cannot register cases"))
    request_hash = hashlib.sha256(data.model_dump_json().encode()).hexdigest()
    refs = refcache.snapshot()
    channel = _channel(data.report.channel, refs)
    # A known report (channel, external id) is found by its unique key when the insert below
    # fails; looking for it first would cost every new case a query to spare rare retries one.
    earlier = _earlier_registration(
        actor, channel, data, idempotency_key, request_hash, by_report=False
    )
    if earlier is not None:
        return earlier
    idempotency = (
        IdempotencyRecord(
            key=idempotency_key,
            user=actor,
            endpoint=IDEMPOTENT_REGISTER,
            request_hash=request_hash,
        )
        if idempotency_key
        else None
    )
    try:
        with _one_transaction():
            case, written = _register(actor, data, channel, refs, idempotency)
            return Registration(case, created=True, written=written)
    except IntegrityError:
        # A concurrent retry won the race on the external id or the key: answer with its case.
        earlier = _earlier_registration(actor, channel, data, idempotency_key, request_hash)
        if earlier is None:
            raise
        return earlier


def _one_transaction() -> AbstractContextManager[Any]:
    """The registration's transaction. On PostgreSQL everything is written by one statement,
    which is a transaction by itself: BEGIN and COMMIT around it would only add two round trips.
    Inside a caller's transaction a savepoint keeps a unique-key failure recoverable."""
    if fastwrite.supported() and not transaction.get_connection().in_atomic_block:
        return nullcontext()
    return transaction.atomic()


IDEMPOTENT_REGISTER = "cases.register"


def _earlier_registration(
    actor: Any,
    channel: Channel,
    data: CaseIn,
    key: str,
    request_hash: str,
    *,
    by_report: bool = True,
) -> Registration | None:
    if key:
        record = (
            IdempotencyRecord.objects.select_related("case")
            .filter(user=actor, endpoint=IDEMPOTENT_REGISTER, key=key)
            .first()
        )
        if record is not None:
            if record.request_hash != request_hash:
                raise Conflict(
                    gettext("this Idempotency-Key was used for a different request"),
                    field="Idempotency-Key",
                )
            if record.case is not None:
                return Registration(record.case, created=False)
    existing = _existing_report(channel, data.report.external_id) if by_report else None
    if existing is not None:
        return Registration(existing.case, created=False)
    return None


def _register(
    actor: Any,
    data: CaseIn,
    channel: Channel,
    refs: refcache.Snapshot,
    idempotency: IdempotencyRecord | None,
) -> tuple[Case, dict[str, list[Any]]]:
    inputs = routing_input(actor, data, channel, refs)
    decision = route(inputs, refs)
    partners: list[OrgUnit] = []
    if data.partner_unit_ids:
        # The other jurisdiction need not be ours: that is what cross-region means.
        partners = list(
            OrgUnit.objects.filter(pk__in=data.partner_unit_ids, is_active=True).defer("boundary")
        )
        if len(partners) != len(set(data.partner_unit_ids)):
            raise ValidationFailed(gettext("unknown partner unit"), field="partner_unit_ids")
    now = timezone.now()
    tracking = _tracking_code()
    user = _user(actor)
    case = Case(
        number=f"TMP-{tracking}",
        title=data.title,
        description=data.description,
        category=inputs.category,
        channel=channel,
        lat=data.lat,
        lng=data.lng,
        address=data.address,
        territory=inputs.territory,
        territory_path=inputs.territory.path,
        lead_unit=decision.lead_unit,
        lead_unit_path=decision.lead_unit.path,
        lead_department=decision.lead_department,
        people_involved=data.people_involved,
        amount=data.amount,
        risk_colour=inputs.risk_colour,
        risk_reason=data.risk_reason,
        restricted=decision.restricted,
        routing_rule=decision.rule,
        routing_explanation=decision.explanation,
        accept_deadline=now + decision.accept_within,
        resolve_deadline=now + decision.resolve_within,
        tracking_code=tracking,
        created_by=user,
    )
    # The number carries the district and year a clerk reads it by; the id makes it unique.
    number_prefix = f"{inputs.territory.code[:6]}-{now:%Y}-"
    handlers: list[Any] = [actor] if decision.restricted and user is not None else []
    if fastwrite.supported():
        return _register_in_one_statement(
            actor, data, channel, decision, case, number_prefix, partners, handlers, idempotency
        )
    case.save(force_insert=True)
    case.number = f"{number_prefix}{case.pk:07d}"
    Case.objects.filter(pk=case.pk).update(number=case.number)
    if partners:
        case.partner_units.set(partners)
    if handlers:
        case.handlers.add(*handlers)
    report = _report_row(case=case, channel=channel, data=data.report, actor=actor)
    report.save(force_insert=True)
    parties = Party.objects.bulk_create(_party_rows(case, data))
    calls: list[Call] = []
    assignments = assignments_for_decision(
        case=case, decision=decision, actor=actor, deliveries=calls
    )
    event_write(
        case=case,
        actor=actor,
        kind=EventKind.CREATED,
        public=True,
        message=_created_message(channel),
        to_status=case.status,
        routing=decision.reasons,
    )
    enqueue_many([*deadline_calls(case), *calls])
    if idempotency is not None:
        idempotency.case = case
        idempotency.save(force_insert=True)
    return case, _written(report, parties, assignments, partners, handlers)


def _register_in_one_statement(
    actor: Any,
    data: CaseIn,
    channel: Channel,
    decision: RoutingDecision,
    case: Case,
    number_prefix: str,
    partners: list[OrgUnit],
    handlers: list[Any],
    idempotency: IdempotencyRecord | None,
) -> tuple[Case, dict[str, list[Any]]]:
    """The rows of the ORM path above, built unsaved and written by ``fastwrite``."""
    case.pk = fastwrite.PENDING_ID
    case.number = fastwrite.PENDING_NUMBER
    report = _report_row(case=case, channel=channel, data=data.report, actor=actor)
    parties = list(_party_rows(case, data))
    assignments = _assignment_rows(case=case, decision=decision, actor=actor)
    notices = _assignment_notices(case, assignments)
    if case.restricted:
        restricted = _restricted_notice(case)
        notices = [(department, restricted) for department, _ in notices]
    event = TimelineEvent(
        case=case,
        actor=_user(actor),
        kind=EventKind.CREATED,
        public=True,
        message=_created_message(channel),
        to_status=case.status,
        data={"routing": decision.reasons},
    )
    if idempotency is not None:
        idempotency.case = case
    fastwrite.write(
        fastwrite.Write(
            case=case,
            number_prefix=number_prefix,
            report=report,
            parties=parties,
            assignments=assignments,
            event=event,
            timers=deadline_calls(case),
            dirty=(timezone.localdate(case.created_at), case.territory_path),
            notices=[(department.pk, message) for department, message in notices],
            notice_kind=NotificationKind.ASSIGNMENT,
            notice_only=(Role.LIAISON, [h.pk for h in handlers]) if case.restricted else None,
            partners=partners,
            handlers=handlers,
            idempotency=idempotency,
        )
    )
    return case, _written(report, parties, assignments, partners, handlers)


def _created_message(channel: Channel) -> str:
    return system_text(gettext_noop("registered via %(channel)s"), channel=channel.name_zh)


def _party_rows(case: Case, data: CaseIn) -> list[Party]:
    return [Party(case=case, **party.model_dump()) for party in data.parties]


def _written(
    report: Report,
    parties: list[Party],
    assignments: list[Assignment],
    partners: list[OrgUnit],
    handlers: list[Any],
) -> dict[str, list[Any]]:
    # The answer to the clerk (or the integration) is built from these, not read back.
    return {
        "reports": [report],
        "parties": parties,
        "assignments": assignments,
        "partner_units": partners,
        "handlers": handlers,
    }


def assignments_for_decision(
    *, case: Case, decision: RoutingDecision, actor: Any, deliveries: list[Call] | None = None
) -> list[Assignment]:
    """Hand the case to the routed departments and tell their members, in two statements.

    With ``deliveries`` the outward delivery of the notifications is added there for the caller
    to enqueue with its other tasks; otherwise it is enqueued on commit as usual.
    """
    created = Assignment.objects.bulk_create(
        _assignment_rows(case=case, decision=decision, actor=actor)
    )
    notify_departments(
        _assignment_notices(case, created),
        case=case,
        kind=NotificationKind.ASSIGNMENT,
        deliveries=deliveries,
    )
    return created


def _assignment_rows(*, case: Case, decision: RoutingDecision, actor: Any) -> list[Assignment]:
    rows: list[Assignment] = []
    if decision.lead_department is not None:
        rows.append(
            Assignment(
                case=case,
                department=decision.lead_department,
                role=AssignmentRole.LEAD,
                deadline=case.resolve_deadline,
                task=system_text(gettext_noop("lead handling")),
                created_by=_user(actor),
            )
        )
    for department in decision.co_departments:
        rows.append(
            Assignment(
                case=case,
                department=department,
                role=AssignmentRole.CO,
                deadline=case.resolve_deadline,
                task=system_text(gettext_noop("joint handling")),
                created_by=_user(actor),
            )
        )
    return rows


def _assignment_notices(case: Case, assignments: list[Assignment]) -> list[tuple[Department, str]]:
    return [
        (
            assignment.department,
            system_text(
                gettext_noop("%(number)s %(title)s: new assignment (%(role)s)"),
                number=case.number,
                title=case.title,
                role=AssignmentRole(assignment.role).label,
            ),
        )
        for assignment in assignments
    ]


def eligible_leaders(case: Case) -> QuerySet[User]:
    """Leaders whose units contain the place of the case: any of them may lead it personally."""
    path = case.territory_path
    enclosing = [path[:end] for end in range(PATH_SEGMENT_WIDTH, len(path) + 1, PATH_SEGMENT_WIDTH)]
    return (
        User.objects.filter(role=Role.LEADER, is_active=True, units__path__in=enclosing)
        .distinct()
        .order_by("display_name", "username")
    )


def notify_department(department: Department, *, case: Case, kind: str, message: str) -> None:
    notify_departments([(department, message)], case=case, kind=kind)


def notify_departments(
    notices: list[tuple[Department, str]],
    *,
    case: Case,
    kind: str,
    deliveries: list[Call] | None = None,
) -> None:
    """Tell the active members of each department its message, with one query for all of them."""
    if not notices:
        return
    members = User.objects.filter(
        department_id__in={department.pk for department, _ in notices}, is_active=True
    )
    if case.restricted:
        # Only those who may open a restricted case hear of it, and never its title.
        members = members.filter(Q(role=Role.LIAISON) | Q(pk__in=case.handlers.values("pk")))
    by_department: dict[int, list[User]] = {}
    for member in members:
        by_department.setdefault(cast(int, member.department_id), []).append(member)
    restricted = _restricted_notice(case)
    notify_many(
        [
            (by_department.get(department.pk, []), restricted if case.restricted else message)
            for department, message in notices
        ],
        kind=kind,
        case=case,
        deliveries=deliveries,
    )


def _restricted_notice(case: Case) -> str:
    return gettext("%(number)s: a case with restricted access needs your department") % {
        "number": case.number
    }


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


@transaction.atomic
def case_link_report(*, actor: Any, case_id: int, data: ReportIn) -> tuple[Report, bool]:
    """Attach another arrival of the same dispute; an already-known external id is a no-op."""
    case = case_get(actor=actor, case_id=case_id, for_update=True)
    if not may_register(actor):
        raise PermissionDenied(gettext("your role cannot link reports"))
    channel = _channel(data.channel)
    existing = _existing_report(channel, data.external_id)
    if existing is not None:
        if existing.case_id != case.pk:
            raise Conflict(
                gettext("that report already belongs to case %(number)s")
                % {"number": existing.case.number},
                field="external_id",
            )
        return existing, False
    report = _report_row(case=case, channel=channel, data=data, actor=actor)
    report.save(force_insert=True)
    event_write(
        case=case,
        actor=actor,
        kind=EventKind.REPORT,
        message=system_text(
            gettext_noop("another report via %(channel)s"), channel=channel.name_zh
        ),
        report_id=report.pk,
    )
    bump_version(case, None)
    return report, True


@transaction.atomic
def case_update(*, actor: Any, case_id: int, expected_version: int, changes: CaseUpdate) -> Case:
    case = case_get(actor=actor, case_id=case_id, for_update=True)
    role = role_of(actor)
    if role not in EDIT_ROLES:
        raise PermissionDenied(gettext("your role cannot edit cases"))
    values = changes.model_dump(exclude_unset=True)
    if not values:
        raise ValidationFailed(gettext("nothing to change"))
    if ({"risk_colour", "risk_reason", "leader_id"} & values.keys()) and role not in RISK_ROLES:
        raise PermissionDenied(
            gettext("your role cannot set the risk colour or the leading official")
        )
    bump_version(case, expected_version)
    changed: dict[str, Any] = {}
    if "category" in values:
        case.category = _category(values.pop("category"))
        changed["category"] = case.category.code
    if "leader_id" in values:
        leader_id = values.pop("leader_id")
        leader = eligible_leaders(case).filter(pk=leader_id).first() if leader_id else None
        if leader_id and leader is None:
            raise ValidationFailed(
                gettext("the leading official must be a leader whose jurisdiction covers the case"),
                field="leader_id",
            )
        case.leader = leader
        changed["leader"] = leader.username if leader else None
    old_colour = case.risk_colour
    for name, value in values.items():
        setattr(case, name, value)
        changed[name] = str(value)
    case.save()
    if case.risk_colour != old_colour:
        event_write(
            case=case,
            actor=actor,
            kind=EventKind.RISK,
            from_status=old_colour,
            to_status=case.risk_colour,
            message=system_text(
                gettext_noop("risk colour %(old)s → %(new)s: %(reason)s"),
                old=RiskColour(old_colour).label,
                new=RiskColour(case.risk_colour).label,
                reason=case.risk_reason,
            ),
        )
    event_write(
        case=case,
        actor=actor,
        kind=EventKind.UPDATE,
        message=system_text(gettext_noop("details changed")),
        changes=changed,
    )
    return case


@transaction.atomic
def party_add(*, actor: Any, case_id: int, data: PartyIn) -> Party:
    case = case_get(actor=actor, case_id=case_id, for_update=True)
    if role_of(actor) not in EDIT_ROLES:
        raise PermissionDenied(gettext("your role cannot add parties"))
    party = Party.objects.create(case=case, **data.model_dump())
    event_write(
        case=case,
        actor=actor,
        kind=EventKind.UPDATE,
        message=system_text(
            gettext_noop("party added: %(role)s"), role=PartyRole(party.role).label
        ),
    )
    bump_version(case, None)
    return party


def case_by_tracking(*, tracking_code: str, phone_last4: str) -> Case:
    """The citizen's view: a tracking code plus the last four digits of a phone on the case."""
    case = Case.objects.filter(tracking_code=tracking_code.strip().upper()).first()
    if case is None or len(phone_last4) != 4 or not phone_last4.isdigit():
        raise NotFound(gettext("no case matches that tracking code and phone"))
    phones = [
        *case.parties.values_list("phone", flat=True),
        *case.reports.values_list("reporter_phone", flat=True),
    ]
    if not any(phone.endswith(phone_last4) for phone in phones if phone):
        raise NotFound(gettext("no case matches that tracking code and phone"))
    return case
