"""Cases to suggest for referral to litigation or arbitration (computed, never stored).

Two reasons: mediation has gone on too long without an agreement (the covering plan's
``long_mediation_days``, 60 without a plan), or an agreement was refused / found not performed on
a revisit. A case already referred, withdrawn or merged is not flagged. Acting on a flag goes
through the lifecycle's refer action (see ``services.flag_refer``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, Min, OuterRef, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.handling.models import Agreement, AgreementStatus, ReferralKind
from fengqiao.cases.models import Case
from fengqiao.cases.selectors import case_queryset
from fengqiao.cases.states import OPEN_STATUSES, CaseStatus
from fengqiao.revisits.models import Revisit, RevisitStatus, SamplingPlan

DEFAULT_LONG_DAYS = 60
LONG_MEDIATION = "long_mediation"
AGREEMENT_REFUSED = "agreement_refused"
REASONS: dict[str, Promise] = {
    LONG_MEDIATION: _("Mediated too long without result"),
    AGREEMENT_REFUSED: _("Agreement refused or not performed"),
}
# Labour disputes go to labour arbitration first (it is a precondition of suing); others to court.
LABOUR_PREFIX = "M10"
_NOT_FLAGGED = (CaseStatus.REFERRED, CaseStatus.WITHDRAWN, CaseStatus.MERGED)


@dataclass(frozen=True)
class Flag:
    case: Case
    reason: str
    suggested: str
    since: datetime | None
    days: int | None

    @property
    def reason_label(self) -> Promise:
        return REASONS[self.reason]

    @property
    def suggested_label(self) -> str:
        return str(ReferralKind(self.suggested).label)


def suggested_referral(case: Case) -> str:
    code = case.category.code if case.category_id else ""
    if code.startswith(LABOUR_PREFIX):
        return ReferralKind.LABOUR_ARBITRATION
    return ReferralKind.LITIGATION


def _long_days(path: str, plans: list[tuple[str, int]]) -> int:
    # The nearest plan above the case decides: plans are sorted deepest first.
    for unit_path, days in plans:
        if path.startswith(unit_path):
            return days
    return DEFAULT_LONG_DAYS


def flag_list(*, actor: Any, case_ids: list[int] | None = None, limit: int = 300) -> list[Flag]:
    now = timezone.now()
    plans = sorted(
        SamplingPlan.objects.filter(is_active=True).values_list("unit_path", "long_mediation_days"),
        key=lambda p: -len(p[0]),
    )
    shortest = min([days for _, days in plans] + [DEFAULT_LONG_DAYS])
    visible = case_queryset(actor).exclude(status__in=_NOT_FLAGGED).filter(referrals__isnull=True)
    if case_ids is not None:
        visible = visible.filter(pk__in=case_ids)
    has_agreement = Agreement.objects.filter(case=OuterRef("pk"))
    long_running = (
        visible.filter(status__in=OPEN_STATUSES)
        .annotate(first_session=Min("mediation_sessions__held_at"))
        .filter(first_session__lte=now - timedelta(days=shortest))
        .exclude(Exists(has_agreement))
        .select_related("category")
        .order_by("first_session", "pk")[:limit]
    )
    refused = Exists(Agreement.objects.filter(case=OuterRef("pk"), status=AgreementStatus.REFUSED))
    not_performed = Exists(
        Revisit.objects.filter(
            case=OuterRef("pk"), status=RevisitStatus.DONE, agreement_performed=False
        )
    )
    broken = (
        visible.filter(Q(refused) | Q(not_performed))
        .select_related("category")
        .order_by("-updated_at", "pk")[:limit]
    )
    flags: list[Flag] = []
    for running in long_running:
        first: datetime = running.first_session
        limit_days = _long_days(running.territory_path, plans)
        if first <= now - timedelta(days=limit_days):
            flags.append(
                Flag(
                    running, LONG_MEDIATION, suggested_referral(running), first, (now - first).days
                )
            )
    seen = {f.case.pk for f in flags}
    for case in broken:
        if case.pk not in seen:
            flags.append(Flag(case, AGREEMENT_REFUSED, suggested_referral(case), None, None))
    return flags
