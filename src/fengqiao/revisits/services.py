"""State changes of the revisits domain: plans, draws, recorded revisits, acting on flags.

Each is one transaction that checks the role and the jurisdiction first; a revisit's result is
written to the case's timeline, and reopening or referring a case goes through the case
lifecycle (``cases.lifecycle.case_transition``) so its rules and events stay in one place.
"""

from __future__ import annotations

import secrets
from collections import Counter
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.accounts.models import Role, User
from fengqiao.cases.handling.models import AgreementStatus, ReferralKind
from fengqiao.cases.handling.services import agreement_set_performance
from fengqiao.cases.lifecycle import case_transition
from fengqiao.cases.models import Case, EventKind
from fengqiao.cases.permissions import role_of
from fengqiao.cases.selectors import case_get
from fengqiao.cases.services import event_write
from fengqiao.cases.states import Action, CaseStatus
from fengqiao.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fengqiao.core.text import system_text
from fengqiao.orgs.models import Level, subtree_range_kwargs
from fengqiao.revisits import selectors
from fengqiao.revisits.flags import flag_list
from fengqiao.revisits.models import (
    Revisit,
    RevisitDraw,
    RevisitLevel,
    RevisitStatus,
    SamplingPlan,
)
from fengqiao.revisits.sampling import parse_period, sample
from fengqiao.revisits.schemas import PlanIn, PlanPatch, ResultIn

PLAN_LEVELS = frozenset({Level.CITY, Level.DISTRICT})
# Where each revisiting level usually sits; an auditor of that level is preferred for its share.
LEVEL_UNIT = {
    RevisitLevel.MEDIATOR: Level.VILLAGE,
    RevisitLevel.COMMITTEE_HEAD: Level.VILLAGE,
    RevisitLevel.JUDICIAL_OFFICE: Level.TOWNSHIP,
    RevisitLevel.DISTRICT_BUREAU: Level.DISTRICT,
}
PLAN_FIELDS = (
    "name",
    "amount_threshold",
    "people_threshold",
    "shares",
    "agreement_required",
    "long_mediation_days",
    "is_active",
)


def _require_auditor(actor: Any) -> None:
    if not selectors.may_audit(actor):
        raise PermissionDenied(gettext("only auditors and administrators manage revisits"))


@transaction.atomic
def plan_create(*, actor: Any, data: PlanIn) -> SamplingPlan:
    _require_auditor(actor)
    unit = Jurisdiction.of(actor).units().filter(pk=data.unit_id).first()
    if unit is None:
        raise NotFound(gettext("organisation unit not found"))
    if unit.level not in PLAN_LEVELS:
        raise ValidationFailed(
            gettext("a sampling plan belongs to a district or the city"), field="unit_id"
        )
    try:
        with transaction.atomic():
            return SamplingPlan.objects.create(
                unit=unit,
                unit_path=unit.path,
                created_by=actor,
                **{name: getattr(data, name) for name in PLAN_FIELDS},
            )
    except IntegrityError as exc:
        raise Conflict(
            gettext("%(unit)s already has a sampling plan") % {"unit": unit.name}, field="unit_id"
        ) from exc


@transaction.atomic
def plan_update(*, actor: Any, plan_id: int, data: PlanPatch) -> SamplingPlan:
    plan = selectors.plan_get(actor=actor, plan_id=plan_id, for_update=True)
    if not selectors.plan_editable(actor, plan):
        raise PermissionDenied(gettext("you may not edit this sampling plan"))
    changes = {
        name: value
        for name, value in data.model_dump(exclude_unset=True).items()
        if name in PLAN_FIELDS and value is not None
    }
    updated = SamplingPlan.objects.filter(pk=plan.pk, version=data.version).update(
        version=F("version") + 1, updated_at=timezone.now(), **changes
    )
    if updated != 1:
        raise Conflict(
            gettext("the plan was changed by someone else; reload it and try again"),
            field="version",
            current_version=plan.version,
        )
    plan.refresh_from_db()
    return plan


def _auditors(unit_path: str) -> list[tuple[int, str, str, int]]:
    """(user id, username, unit path, unit level) of the active auditors inside the plan's unit."""
    links = User.units.through.objects.filter(
        user__role=Role.AUDITOR,
        user__is_active=True,
        orgunit__is_active=True,
        **subtree_range_kwargs("orgunit__path", unit_path),
    ).values_list("user_id", "user__username", "orgunit__path", "orgunit__level")
    return sorted(links, key=lambda row: (row[1], row[2]))


def _assign(
    auditors: list[tuple[int, str, str, int]], level: str, path: str, load: Counter[int]
) -> int | None:
    eligible = [a for a in auditors if path.startswith(a[2])]
    if not eligible:
        return None
    target = LEVEL_UNIT[RevisitLevel(level)]
    best = min(eligible, key=lambda a: (abs(a[3] - target), load[a[0]], a[1]))
    load[best[0]] += 1
    return best[0]


def draw_create(*, actor: Any, plan_id: int, period: str, seed: int | None = None) -> RevisitDraw:
    """Draw the plan's sample for one month (``actor=None``: the monthly schedule)."""
    parse_period(period)
    with transaction.atomic():
        if actor is None:
            plan = SamplingPlan.objects.select_for_update().get(pk=plan_id)
        else:
            plan = selectors.plan_get(actor=actor, plan_id=plan_id, for_update=True)
            if not selectors.plan_editable(actor, plan):
                raise PermissionDenied(gettext("you may not draw samples for this plan"))
        if RevisitDraw.objects.filter(plan=plan, period=period).exists():
            raise Conflict(
                gettext("the sample of %(period)s has already been drawn") % {"period": period},
                field="period",
            )
        # Unpredictable by default, so nobody can know in advance which cases will be checked.
        seed = secrets.randbelow(2**31) if seed is None else seed
        drawn = sample(plan, period, seed)
        draw = RevisitDraw.objects.create(
            plan=plan,
            period=period,
            seed=seed,
            drawn_at=timezone.now(),
            drawn_by=actor,
            automatic=actor is None,
            plan_snapshot={
                "amount_threshold": str(plan.amount_threshold),
                "people_threshold": plan.people_threshold,
                "shares": plan.shares,
                "agreement_required": plan.agreement_required,
            },
            sizes=drawn.sizes,
            candidate_count=drawn.candidate_count,
        )
        auditors = _auditors(plan.unit_path)
        load: Counter[int] = Counter()
        Revisit.objects.bulk_create(
            Revisit(
                draw=draw,
                case_id=candidate.case_id,
                territory_path=candidate.territory_path,
                level=level,
                grade=grade,
                assigned_to_id=_assign(auditors, level, candidate.territory_path, load),
            )
            for level, grade, candidate in drawn.pairs()
        )
        return draw


def _validate_result(revisit: Revisit, result: ResultIn) -> None:
    if not result.reached:
        for name in ("satisfied", "agreement_performed"):
            if getattr(result, name) is not None:
                raise ValidationFailed(
                    gettext("leave this empty when the party was not reached"), field=name
                )
    else:
        if result.satisfied is None:
            raise ValidationFailed(gettext("say whether the party is satisfied"), field="satisfied")
        if result.agreement_performed is None and revisit.case.agreements.exists():
            raise ValidationFailed(
                gettext("say whether the agreement was performed"), field="agreement_performed"
            )
    if result.reopen and not result.problem_found.strip():
        raise ValidationFailed(
            gettext("describe the problem found to reopen the case"), field="problem_found"
        )


@transaction.atomic
def revisit_record(*, actor: Any, revisit_id: int, result: ResultIn) -> Revisit:
    """Record one revisit's result; optionally reopen the case when a problem was found."""
    revisit = selectors.revisit_get(actor=actor, revisit_id=revisit_id)
    _require_auditor(actor)
    if revisit.assigned_to_id not in (None, actor.pk) and role_of(actor) != Role.ADMIN:
        raise PermissionDenied(gettext("this revisit is assigned to another auditor"))
    _validate_result(revisit, result)
    fields = {
        "reached": result.reached,
        "satisfied": result.satisfied,
        "agreement_performed": result.agreement_performed,
        "problem_found": result.problem_found.strip(),
        "note": result.note.strip(),
    }
    now = timezone.now()
    updated = Revisit.objects.filter(pk=revisit.pk, version=result.version).update(
        version=F("version") + 1,
        status=RevisitStatus.DONE,
        revisited_at=now,
        recorded_by=actor,
        assigned_to=revisit.assigned_to_id or actor.pk,
        updated_at=now,
        **fields,
    )
    if updated != 1:
        raise Conflict(
            gettext("the revisit was changed by someone else; reload it and try again"),
            field="version",
            current_version=revisit.version,
        )
    case = revisit.case
    event_write(
        case=case,
        actor=actor,
        kind=EventKind.NOTE,
        action="revisit",
        message=_result_text(revisit.level, result),
        revisit_id=revisit.pk,
        level=revisit.level,
        reached=result.reached,
        satisfied=result.satisfied,
        agreement_performed=result.agreement_performed,
    )
    if result.agreement_performed is not None:
        agreement = case.agreements.order_by("-signed_at", "-pk").first()
        if agreement is not None and agreement.status == AgreementStatus.SIGNED:
            agreement_set_performance(
                actor=actor,
                agreement_id=agreement.pk,
                performed=result.agreement_performed,
                note=system_text(gettext_noop("found on a revisit")),
            )
    if result.reopen:
        case_transition(
            actor=actor,
            case_id=case.pk,
            action=Action.REOPEN,
            expected_version=None,
            reason=system_text(
                gettext_noop("revisit found a problem: %(problem)s"),
                problem=fields["problem_found"],
            ),
        )
    revisit.refresh_from_db()
    return revisit


def _result_text(level: str, result: ResultIn) -> str:
    if not result.reached:
        return system_text(
            gettext_noop("%(level)s revisit: party not reached. %(problem)s"),
            level=RevisitLevel(level).label,
            problem=result.problem_found,
        ).strip()
    return system_text(
        gettext_noop("%(level)s revisit: %(satisfied)s. %(problem)s"),
        level=RevisitLevel(level).label,
        satisfied=gettext_lazy("satisfied") if result.satisfied else gettext_lazy("not satisfied"),
        problem=result.problem_found,
    ).strip()


@transaction.atomic
def flag_refer(
    *, actor: Any, case_id: int, expected_version: int, kind: str | None = None, reason: str = ""
) -> Case:
    """Act on a flag through the lifecycle: a closed case is reopened first, then referred."""
    case = case_get(actor=actor, case_id=case_id, for_update=True)
    flags = flag_list(actor=actor, case_ids=[case.pk])
    if not flags:
        raise Conflict(gettext("this case is not flagged for referral"), field="case_id")
    kind = kind or flags[0].suggested
    if kind not in ReferralKind.values:
        raise ValidationFailed(
            gettext("referral kind must be one of %(kinds)s")
            % {"kinds": ", ".join(ReferralKind.values)},
            field="kind",
        )
    reason = reason.strip() or system_text(
        gettext_noop("suggested by the revisit flags: %(reason)s"),
        reason=str(flags[0].reason_label),
    )
    version: int | None = expected_version
    if case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        case_transition(
            actor=actor,
            case_id=case.pk,
            action=Action.REOPEN,
            expected_version=version,
            reason=reason,
        )
        version = None
    return case_transition(
        actor=actor,
        case_id=case.pk,
        action=Action.REFER,
        expected_version=version,
        reason=reason,
        referral_kind=kind,
    )


def plans_to_draw(period: str) -> list[int]:
    """Active plans without a draw for the period (the monthly job draws these)."""
    drawn = RevisitDraw.objects.filter(period=period).values("plan_id")
    return list(
        SamplingPlan.objects.filter(is_active=True)
        .exclude(pk__in=drawn)
        .order_by("unit_path")
        .values_list("pk", flat=True)
    )
