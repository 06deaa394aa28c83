"""Bulk import of historical cases, and the bulk write path the demo data shares.

``case_register`` costs a dozen queries per case: right for a front desk, far too slow for a
million rows from a previous system. Here a file is checked completely first, plain rows as
columns (``import_columns``) and the rest row by row (``import_rows``), and the valid rows wait
on disk; then they are written in batches, one transaction per batch, each table's rows computed
as columns and sent with one ``COPY`` (``import_write``).

Routing runs through ``routing.engine.route`` but is computed once per distinct situation (see
``RoutingCache``), so a million rows cost a few hundred routing calls rather than a million.
Historical closed cases get no deadline timers; open ones get theirs, as if registered then.
Re-running a file is safe: rows whose (channel, external_id) already exists are skipped.
"""

from __future__ import annotations

import os
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_noop

from fengqiao.cases.deadlines import schedule_deadlines
from fengqiao.cases.handling.models import Assignment, AssignmentRole, Referral
from fengqiao.cases.import_columns import ColumnChecker, FrameSpool
from fengqiao.cases.import_rows import (
    FileProblem,
    ImportResult,
    Lookups,
    RowChecker,
    RowIssue,
    chunks,
    read_table,
)
from fengqiao.cases.models import Case, DeadlineKind, Party, Report, TimelineEvent
from fengqiao.cases.routing.engine import (
    LEVEL_KEY,
    LEVEL_OF,
    RoutingDecision,
    RoutingInput,
    deadline_line,
    lead_line,
    route,
    rule_line,
    rule_match,
)
from fengqiao.cases.routing.models import RoutingRule
from fengqiao.cases.states import CaseStatus
from fengqiao.core.bulk import bulk_insert
from fengqiao.core.text import system_text
from fengqiao.orgs.models import Department, Level, OrgUnit
from fengqiao.taxonomy.models import Category, Channel

DEFAULT_BATCH_SIZE = 5000
# Problems kept for the report; the rest are only counted (a wrong export can fail every row).
MAX_REPORTED_ISSUES = 1000
# The alphabet of case_register's tracking codes (no 0/O, 1/I): read out over the phone. 32
# letters, so ``byte % 32`` picks each one with equal chance.
_TRACKING = bytes.maketrans(bytes(range(256)), b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789" * 8)
_WRITE_ATTEMPTS = 3
_IN_CHUNK = 1000  # keeps "IN (...)" lists inside SQLite's variable limit
_ROUTED_KEPT = 100_000

OPEN_TIMERS: dict[str, tuple[str, ...]] = {
    CaseStatus.REGISTERED: (DeadlineKind.ACCEPT, DeadlineKind.RESOLVE),
    CaseStatus.ESCALATED: (DeadlineKind.ACCEPT, DeadlineKind.RESOLVE),
    CaseStatus.ACCEPTED: (DeadlineKind.RESOLVE,),
    CaseStatus.IN_HANDLING: (DeadlineKind.RESOLVE,),
}

Progress = Callable[[str, int, int | None], None]
"""Called with (phase, rows just done, total rows or None) while an import runs."""


# --- routing, once per situation ----------------------------------------------------------


@dataclass(frozen=True)
class _Choice:
    rule: RoutingRule | None
    accept_minutes: int
    resolve_days: int
    lead_level: int
    # A rule with a people or amount threshold quotes the row's own figures in its reason.
    quotes_figures: bool
    rule_line: str
    deadline_line: str


class RoutingCache:
    """``route`` decisions reused wherever they cannot differ.

    Which rule wins depends on category, channel, risk colour, cross-region and which side of each
    rule's people and amount thresholds a case falls: that is cached per combination, with the
    engine's own ``rule_match``. Who leads then depends on the rule, the lead unit (the unit at
    the rule's lead level above the place) and the departments found from there up: ``route`` runs
    once per rule, department types wanted and the first unit up the line that has one of them,
    so the 800 grids that all look up their township's community team share one call. The lines
    of the explanation that name the case's own category, figures, unit and deadlines are
    written per case, so a shared decision never explains another case.
    """

    def __init__(self) -> None:
        self.rules = list(RoutingRule.objects.filter(is_active=True).order_by("priority", "pk"))
        self._people_cuts = sorted({r.min_people for r in self.rules if r.min_people is not None})
        self._amount_cuts = sorted({r.min_amount for r in self.rules if r.min_amount is not None})
        self.units: dict[int, OrgUnit] = {u.pk: u for u in OrgUnit.objects.defer("boundary")}
        self._types_at: dict[int, set[str]] = {}
        staffed = Department.objects.filter(is_active=True)
        for unit_id, department_type in staffed.values_list("org_unit_id", "department_type"):
            self._types_at.setdefault(unit_id, set()).add(department_type)
        self._choices: dict[tuple[Any, ...], _Choice] = {}
        self._decisions: dict[tuple[Any, ...], RoutingDecision] = {}
        self._routed: dict[tuple[Any, ...], RoutingDecision] = {}  # per situation and lead unit
        self._above: dict[tuple[int, str], Department | None] = {}
        self._lead_lines: dict[int, str] = {}
        self.computed = 0

    def decide(
        self,
        *,
        category: Category,
        channel: Channel,
        territory: OrgUnit,
        risk_colour: str,
        people_involved: int = 1,
        amount: Decimal = Decimal("0"),
        cross_region: bool = False,
    ) -> RoutingDecision:
        return self.decide_input(
            RoutingInput(
                category=category,
                channel=channel,
                territory=territory,
                risk_colour=risk_colour,
                people_involved=people_involved,
                amount=amount,
                cross_region=cross_region,
            )
        )

    def decide_input(self, data: RoutingInput) -> RoutingDecision:
        """``decide`` for a routing input already built."""
        situation, choice = self.choice(data)
        lead_unit = self.lead_unit(data.territory, choice.lead_level)
        key = (situation, lead_unit.pk)
        routed = self._routed.get(key)
        if routed is not None and not choice.quotes_figures:
            return routed
        rule = choice.rule
        lead_type = self.lead_type(rule, data.category, lead_unit.level)
        decision = self.shared_decision(rule, lead_type, self.origin(lead_unit, rule, lead_type), data, lead_unit)  # fmt: skip
        # The lines that name this case's own category, figures, unit and deadlines.
        routed = replace(
            decision,
            lead_unit=lead_unit,
            accept_within=timedelta(minutes=choice.accept_minutes),
            resolve_within=timedelta(days=choice.resolve_days),
            reasons=[
                self.rule_line(choice, data),
                self.lead_line(lead_unit),
                *decision.reasons[2:-1],
                choice.deadline_line,
            ],
        )
        if len(self._routed) >= _ROUTED_KEPT:
            self._routed.clear()  # bounds memory; what is dropped is recomputed without queries
        self._routed[key] = routed
        return routed

    # The pieces of a decision, each cached at the level it varies: the bulk writer joins them
    # column-wise instead of deciding row by row.

    def choice(self, data: RoutingInput) -> tuple[tuple[Any, ...], _Choice]:
        """The situation of a case and the rule, level and deadlines it leads to."""
        situation = self._situation(
            data.category, data.channel, data.risk_colour, data.people_involved, data.amount,
            data.cross_region,
        )  # fmt: skip
        choice = self._choices.get(situation)
        if choice is None:
            choice = self._choices[situation] = self._choose(data)
        return situation, choice

    @staticmethod
    def lead_type(rule: RoutingRule | None, category: Category, level: int) -> str:
        """The department type that leads at a unit of ``level``."""
        return (rule.lead_department_type if rule else "") or category.responsible.get(
            LEVEL_KEY[level], ""
        )

    def origin(
        self, lead_unit: OrgUnit, rule: RoutingRule | None, lead_type: str
    ) -> tuple[str, int | None]:
        """Where the search for departments starts: lead units sharing it share departments."""
        wanted = {lead_type, *(rule.co_department_types if rule else ())} - {""}
        if lead_type and self._first_with(lead_unit, {lead_type}) is None:
            return ("alone", lead_unit.pk)  # the engine then names the lead unit in a reason
        return ("from", self._first_with(lead_unit, wanted))

    def shared_decision(
        self,
        rule: RoutingRule | None,
        lead_type: str,
        origin: tuple[str, int | None],
        data: RoutingInput,
        lead_unit: OrgUnit,
    ) -> RoutingDecision:
        """The engine's decision for everything that shares rule, lead type and origin."""
        shared = (rule.pk if rule else None, lead_type, origin)
        decision = self._decisions.get(shared)
        if decision is None:
            # The lead unit stands in for the place: the engine picks it as the lead all the same.
            decision = self._decisions[shared] = route(replace(data, territory=lead_unit))
            self.computed += 1
        return decision

    def rule_line(self, choice: _Choice, data: RoutingInput) -> str:
        if not choice.quotes_figures:
            return choice.rule_line
        rule = choice.rule
        return rule_line(rule, rule_match(rule, data) if rule else None)

    def lead_line(self, unit: OrgUnit) -> str:
        if unit.pk not in self._lead_lines:
            self._lead_lines[unit.pk] = lead_line(unit)
        return self._lead_lines[unit.pk]

    def _situation(
        self,
        category: Category,
        channel: Channel,
        risk_colour: str,
        people_involved: int,
        amount: Decimal,
        cross_region: bool,
    ) -> tuple[Any, ...]:
        return (
            category.pk,
            channel.pk,
            risk_colour,
            bisect_right(self._people_cuts, people_involved),
            bisect_right(self._amount_cuts, amount),
            cross_region,
        )

    @property
    def people_cuts(self) -> list[int]:
        """The people thresholds of the active rules: cases on the same side of each route alike."""
        return list(self._people_cuts)

    @property
    def amount_cuts(self) -> list[Decimal]:
        return list(self._amount_cuts)

    def _choose(self, data: RoutingInput) -> _Choice:
        chosen, matched = None, None
        for rule in self.rules:
            matched = rule_match(rule, data)
            if matched is not None:
                chosen = rule
                break
        category = data.category
        accept = (chosen.accept_minutes if chosen else None) or category.acceptance_minutes
        resolve = (chosen.resolve_days if chosen else None) or category.resolution_days
        return _Choice(
            rule=chosen,
            accept_minutes=accept,
            resolve_days=resolve,
            lead_level=LEVEL_OF[chosen.lead_level] if chosen else Level.GRID,
            quotes_figures=bool(
                chosen and (chosen.min_people is not None or chosen.min_amount is not None)
            ),
            rule_line=rule_line(chosen, matched),
            deadline_line=deadline_line(accept, resolve),
        )

    def _first_with(self, unit: OrgUnit, department_types: set[str]) -> int | None:
        """The first unit from ``unit`` up with a department of one of these types, if any:
        every unit below it finds the same departments."""
        current: OrgUnit | None = unit
        while current is not None:
            if self._types_at.get(current.pk, set()) & department_types:
                return current.pk
            current = self.units[current.parent_id] if current.parent_id else None
        return None

    def lead_unit(self, territory: OrgUnit, level: int) -> OrgUnit:
        """The unit at ``level`` above the place; the place itself when it lies above that level."""
        unit = territory
        while unit.level > level and unit.parent_id is not None:
            unit = self.units[unit.parent_id]
        return unit if unit.level == level else territory

    def escalation(self, unit: OrgUnit, category: Category) -> tuple[OrgUnit, Department | None]:
        """Where escalating from ``unit`` leads: its parent and the nearest department of the type
        the category names there, as ``lifecycle`` escalates."""
        if unit.parent_id is None:
            raise ValueError(f"{unit} is the top of the tree")
        parent = self.units[unit.parent_id]
        department_type = category.responsible.get(LEVEL_KEY[parent.level], "")
        found = self._first_with(parent, {department_type})
        key = (found or 0, department_type)
        if key not in self._above:
            # nearest_department's choice: the lowest id of that type at the first unit with one.
            departments = Department.objects.filter(
                org_unit_id=found, department_type=department_type, is_active=True
            )
            self._above[key] = departments.order_by("pk").first() if found else None
        return parent, self._above[key]


# --- bundles and writing ------------------------------------------------------------------


@dataclass(slots=True)
class CaseBundle:
    """A case and its rows before insertion; the writer gives them ids, number and code."""

    case: Case
    report: Report
    number_prefix: str  # "500118-2025-": the case's id completes it, as in case_register
    parties: list[Party] = field(default_factory=list)
    events: list[TimelineEvent] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)


def new_case(
    *, routed: RoutingDecision, territory: OrgUnit, registered: datetime, **fields: Any
) -> tuple[Case, str]:
    """An unsaved case placed, routed and timed as ``case_register`` would, registered at
    ``registered``; and the prefix of its number."""
    case = Case(
        territory=territory,
        territory_path=territory.path,
        lead_unit=routed.lead_unit,
        lead_unit_path=routed.lead_unit.path,
        lead_department=routed.lead_department,
        restricted=routed.restricted,
        routing_rule=routed.rule,
        routing_explanation=routed.explanation,
        accept_deadline=registered + routed.accept_within,
        resolve_deadline=registered + routed.resolve_within,
        created_at=registered,
        **fields,
    )
    return case, f"{territory.code[:6]}-{timezone.localtime(registered):%Y}-"


def routed_assignments(
    routed: RoutingDecision, *, at: datetime, deadline: datetime
) -> list[Assignment]:
    """The lead assignment (when there is a lead department) and the co-handlers', pending."""
    lead, co = (
        system_text(gettext_noop("lead handling")),
        system_text(gettext_noop("joint handling")),
    )
    teams = [(routed.lead_department, AssignmentRole.LEAD, lead)] + [
        (department, AssignmentRole.CO, co) for department in routed.co_departments
    ]
    return [
        Assignment(department=d, role=role, task=task, deadline=deadline, created_at=at)
        for d, role, task in teams
        if d is not None
    ]


@dataclass(frozen=True)
class BatchResult:
    written: int
    skipped: int


def bulk_write(bundles: Sequence[CaseBundle]) -> BatchResult:
    """Insert one batch in one transaction; bundles whose report is already known are skipped.

    A retry covers two imports racing on the same external ids (the retry sees the winner's rows
    and skips them) and the rare repeat of a random tracking code.
    """
    for attempt in range(1, _WRITE_ATTEMPTS + 1):
        try:
            # Not durable: the demo loader writes its batches inside its own transaction.
            with transaction.atomic():
                return _write(bundles)
        except IntegrityError:
            if attempt == _WRITE_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _known_reports(bundles: Sequence[CaseBundle]) -> set[tuple[int, str]]:
    by_channel: dict[int, list[str]] = {}
    for bundle in bundles:
        if bundle.report.external_id:
            by_channel.setdefault(bundle.report.channel_id, []).append(bundle.report.external_id)
    known: set[tuple[int, str]] = set()
    for channel_id, external_ids in by_channel.items():
        for start in range(0, len(external_ids), _IN_CHUNK):
            chunk = external_ids[start : start + _IN_CHUNK]
            # The exclude repeats the unique index's condition so PostgreSQL can use the index.
            rows = Report.objects.filter(channel_id=channel_id, external_id__in=chunk)
            known.update(rows.exclude(external_id="").values_list("channel_id", "external_id"))
    return known


def _case_ids(count: int) -> list[int]:
    """Reserve ids up front, so each case is inserted once with its final number."""
    table = Case._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the batch's write transaction holds the database lock until it commits, so no
        # other writer can take these ids in between. AUTOINCREMENT never reuses an id, hence
        # sqlite_sequence as well as the current maximum.
        cursor.execute(
            f'SELECT MAX(COALESCE((SELECT MAX(id) FROM "{table}"), 0),'  # noqa: S608 - our table name
            " COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        last = int(cursor.fetchone()[0])
    return list(range(last + 1, last + count + 1))


def _tracking_codes(count: int) -> list[str]:
    letters = os.urandom(10 * count).translate(_TRACKING).decode("ascii")
    return [letters[i : i + 10] for i in range(0, len(letters), 10)]


def _write(bundles: Sequence[CaseBundle]) -> BatchResult:
    known = _known_reports(bundles)
    fresh = [b for b in bundles if (b.report.channel_id, b.report.external_id) not in known]
    cases: list[Case] = []
    children: dict[type[Model], list[Any]] = {}
    ids, codes = _case_ids(len(fresh)) if fresh else [], _tracking_codes(len(fresh))
    for bundle, pk, code in zip(fresh, ids, codes, strict=True):
        case = bundle.case
        case.pk, case.tracking_code, case.number = pk, code, f"{bundle.number_prefix}{pk:07d}"
        cases.append(case)
        for row in (bundle.report, *bundle.parties, *bundle.events, *bundle.assignments,
                    *bundle.referrals):  # fmt: skip
            row.case_id = pk  # type: ignore[attr-defined] # every child has a case
            children.setdefault(type(row), []).append(row)
    bulk_insert(Case, cases)
    for model, rows in children.items():
        bulk_insert(model, rows)
    for case in cases:
        if case.status in OPEN_TIMERS:
            schedule_deadlines(case, OPEN_TIMERS[case.status])
    return BatchResult(len(fresh), len(bundles) - len(fresh))


# --- rows of a file -----------------------------------------------------------------------

_ORGANISATION_ENDINGS = ("公司", "厂", "店", "中心", "医院", "学校", "委员会", "合作社", "集团")


# --- the import ---------------------------------------------------------------------------


def cases_import(
    *,
    path: Path,
    dry_run: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> ImportResult:
    """Check every row of ``path``, then (unless ``dry_run``) import the valid ones in batches.

    Raises ``FileProblem`` when the file as a whole is unusable (unreadable, unknown or missing
    columns); nothing is written then.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    result = ImportResult(source=path.name, dry_run=dry_run)
    table = read_table(path)
    try:
        header_line, header = next(table)
    except StopIteration:
        raise FileProblem([RowIssue(1, "-", "the file is empty")]) from None
    checker = RowChecker(header, header_line, Lookups())
    columns = ColumnChecker(checker)
    spool = FrameSpool()
    try:
        for chunk in chunks(table, batch_size):
            valid, issues = columns.check_chunk(chunk)
            result.rows += len(chunk)
            result.valid += valid.height
            result.rejected += len({issue.line for issue in issues})
            result.issue_count += len(issues)
            room = MAX_REPORTED_ISSUES - len(result.issues)
            result.issues.extend(issues[: max(room, 0)])
            if not dry_run:
                spool.add(valid)
            if progress:
                progress("checking", len(chunk), None)
        result.issues.sort(key=lambda issue: issue.line)
        if not dry_run:
            _import_spooled(spool, result, progress)
    finally:
        spool.close()
    return result


def _import_spooled(spool: FrameSpool, result: ImportResult, progress: Progress | None) -> None:
    from fengqiao.cases.import_write import FrameWriter, write_pipelined  # they build on this

    routing = RoutingCache()
    writer = FrameWriter(result.source, routing)

    def done(outcome: BatchResult, rows: int) -> None:
        result.imported += outcome.written
        result.skipped += outcome.skipped
        if progress:
            progress("importing", rows, result.valid)

    # A caller's transaction (tests, the demo loader) must see every batch on its own
    # connection, and SQLite has one writer anyway: batches are stored one after the other.
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        write_pipelined(writer, spool, done)
    else:
        for frame in spool:
            done(writer.write(frame), frame.height)
    result.routing_computed = routing.computed
