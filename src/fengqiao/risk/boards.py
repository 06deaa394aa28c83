"""The boards: open cases and warnings of one colour, each with its "under control" verdict.

An item is under control when someone owns it, a dispatch meeting reviewed it within the
colour's review period, and none of its tasks is overdue. Every failing condition is named, so
the board says why an item is not under control.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.cases.exports import overdue_now
from fengqiao.cases.handling.models import Assignment, AssignmentRole, AssignmentStatus
from fengqiao.cases.models import Case
from fengqiao.cases.selectors import case_list
from fengqiao.orgs.models import OrgUnit
from fengqiao.risk import warning_items
from fengqiao.risk.models import DispatchDecision
from fengqiao.risk.policy import review_period
from fengqiao.risk.selectors import colour_settings, latest_decisions

OPEN_ASSIGNMENT = (AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED)
INACTIVE_LEAD = (AssignmentStatus.RETURNED, AssignmentStatus.CANCELLED)

# Why an item is not under control; the codes are part of the API.
NO_OWNER = "no_owner"
NOT_REVIEWED = "not_reviewed"
REVIEW_STALE = "review_stale"
OVERDUE_TASK = "overdue_task"


@dataclass(frozen=True)
class Failure:
    code: str
    message: str


@dataclass
class BoardItem:
    kind: str  # "case" or "warning"
    pk: int
    number: str
    title: str
    category: str
    unit: OrgUnit | None
    unit_path: str
    colour: str
    reason: str
    set_by: str
    set_at: datetime | None
    deadline: datetime | None
    url: str
    owners: list[str] = field(default_factory=list)
    overdue_tasks: list[str] = field(default_factory=list)
    last_decision: DispatchDecision | None = None
    failures: list[Failure] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.pk}"

    @property
    def under_control(self) -> bool:
        return not self.failures

    @property
    def last_review_on(self) -> date | None:
        return self.last_decision.meeting.held_on if self.last_decision else None

    @property
    def next_review_on(self) -> date | None:
        return self.last_decision.meeting.next_review_on if self.last_decision else None


@dataclass
class Board:
    colour: str
    items: list[BoardItem]

    @property
    def under_control_count(self) -> int:
        return sum(1 for item in self.items if item.under_control)

    @property
    def case_count(self) -> int:
        return sum(1 for item in self.items if item.kind == "case")

    @property
    def warning_count(self) -> int:
        return sum(1 for item in self.items if item.kind == "warning")


def control_failures(
    *, colour: str, owners: list[str], last_review_on: date | None, overdue: int, today: date
) -> list[Failure]:
    failures = []
    if not owners:
        failures.append(Failure(NO_OWNER, _("no owner is named")))
    if last_review_on is None:
        failures.append(Failure(NOT_REVIEWED, _("never reviewed at a dispatch meeting")))
    else:
        period = review_period(colour).days
        if (today - last_review_on).days > period:
            failures.append(
                Failure(
                    REVIEW_STALE,
                    _("last reviewed on %(date)s, more than %(days)d days ago")
                    % {"date": last_review_on.isoformat(), "days": period},
                )
            )
    if overdue:
        failures.append(Failure(OVERDUE_TASK, _("%(n)d overdue task(s)") % {"n": overdue}))
    return failures


def board(*, actor: Any, colour: str, unit: OrgUnit | None = None) -> Board:
    """The board of one colour as the actor may see it, optionally narrowed to one unit."""
    now = timezone.now()
    items = case_items(actor=actor, colour=colour, unit=unit, now=now)
    items += warning_items.items(actor=actor, colour=colour, unit=unit, now=now)
    decisions = latest_decisions(
        case_ids=[i.pk for i in items if i.kind == "case"],
        warning_ids=[i.pk for i in items if i.kind == "warning"],
    )
    today = timezone.localdate(now)
    for item in items:
        item.last_decision = decisions.get(item.key)
        if item.last_decision is not None:
            owner = item.last_decision.owner_user or item.last_decision.owner_text
            if owner:
                item.owners.append(_("Dispatch owner: %(name)s") % {"name": owner})
        item.failures = control_failures(
            colour=colour,
            owners=item.owners,
            last_review_on=item.last_review_on,
            overdue=len(item.overdue_tasks),
            today=today,
        )
    # What needs attention first: items out of control, then the soonest deadline.
    items.sort(key=lambda i: (i.under_control, i.deadline or now, i.kind, i.pk))
    return Board(colour, items)


def case_items(*, actor: Any, colour: str, unit: OrgUnit | None, now: datetime) -> list[BoardItem]:
    cases: list[Case] = list(
        case_list(actor=actor, open_only=True, risk_colour=colour, unit=unit).select_related(
            "leader", "category__parent"
        )
    )
    ids = [case.pk for case in cases]
    settings = colour_settings(actor=actor, case_ids=ids)
    leads: dict[int, Assignment] = {
        a.case_id: a
        for a in Assignment.objects.filter(case_id__in=ids, role=AssignmentRole.LEAD)
        .exclude(status__in=INACTIVE_LEAD)
        .select_related("department", "assignee")
    }
    late: dict[int, list[str]] = {}
    for a in (
        Assignment.objects.filter(case_id__in=ids, status__in=OPEN_ASSIGNMENT, deadline__lt=now)
        .select_related("department")
        .order_by("deadline", "pk")
    ):
        late.setdefault(a.case_id, []).append(
            _("%(department)s: due %(deadline)s")
            % {
                "department": a.department.name,
                "deadline": timezone.localtime(a.deadline).strftime("%Y-%m-%d %H:%M"),
            }
        )
    rows = []
    for case in cases:
        setting = settings.get(case.pk)
        item = BoardItem(
            kind="case",
            pk=case.pk,
            number=case.number,
            title=case.title,
            category=case.category.name,
            unit=case.territory,
            unit_path=case.territory_path,
            colour=case.risk_colour,
            reason=case.risk_reason,
            set_by=setting.by if setting else "",
            set_at=setting.at if setting else None,
            deadline=case.resolve_deadline,
            url=reverse("cases:detail", args=[case.pk]),
            owners=case_owners(case, leads.get(case.pk)),
        )
        if overdue_now(case, now):
            item.overdue_tasks.append(
                _("the case is past its resolution deadline (%(deadline)s)")
                % {"deadline": timezone.localtime(case.resolve_deadline).strftime("%Y-%m-%d")}
            )
        item.overdue_tasks += late.get(case.pk, [])
        rows.append(item)
    return rows


def case_owners(case: Case, lead: Assignment | None) -> list[str]:
    owners = []
    if case.leader is not None:
        owners.append(_("Leading official: %(name)s") % {"name": case.leader})
    if lead is not None:
        name = (
            f"{lead.department.name} · {lead.assignee}" if lead.assignee else lead.department.name
        )
        owners.append(_("Lead handler: %(name)s") % {"name": name})
    elif case.lead_department is not None:
        owners.append(_("Lead department: %(name)s") % {"name": case.lead_department.name})
    return owners
