"""Writing checked historical rows as columns: cases, reports, parties and events per batch.

The importer's second pass. A batch arrives as one frame (``import_columns.FRAME_SCHEMA``); the
rows of every table are computed as columns and sent with one ``COPY`` per table on PostgreSQL
(one ``executemany`` elsewhere), so the cost per row is the database's, not Python's. What each
row holds is what ``case_register`` and ``_RowBuilder`` would give the case:

* routing through ``RoutingCache.decide``, once per distinct situation and place (and once per
  figures where the matched rule quotes them), joined back to the rows;
* deadlines from the decision, the overdue flag the timers would have set, a number from the
  territory, year and id, a random tracking code;
* one report (the channel and external id that make a re-run skip the row), the applicant and
  respondent as parties, one "imported from … line …" event in the deployment's language;
* for the few cases still open, assignments and deadline timers as at intake.
"""

from __future__ import annotations

import math
import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from fengqiao.cases.deadlines import deadline_calls
from fengqiao.cases.handling.models import Assignment, AssignmentStatus
from fengqiao.cases.importer import (
    _ORGANISATION_ENDINGS,
    _WRITE_ATTEMPTS,
    OPEN_TIMERS,
    BatchResult,
    RoutingCache,
    _case_ids,
    _tracking_codes,
    routed_assignments,
)
from fengqiao.cases.models import Case, EventKind, Party, Report, TimelineEvent
from fengqiao.cases.routing.engine import RoutingDecision, RoutingInput
from fengqiao.cases.states import CaseStatus
from fengqiao.core.bulk import bulk_insert, insert_frame
from fengqiao.core.queue import enqueue_many
from fengqiao.core.text import system_text
from fengqiao.taxonomy.models import Category, Channel

_MARK = "\x00"  # stands in for a per-row value inside a translated sentence
_SITUATION = ["category_id", "channel_id", "risk_colour", "_people_side", "_amount_side"]
_FIGURES = ["people_involved", "amount_cents"]
_DECIDED_BY = ["territory_id", *_FIGURES]


@dataclass
class FrameWriter:
    """Writes batches of one import; keeps the routing decisions and sentences between them."""

    source: str
    routing: RoutingCache

    def __post_init__(self) -> None:
        self.categories = {c.pk: c for c in Category.objects.select_related("parent")}
        self.channels = {c.pk: c for c in Channel.objects.all()}
        self.paths = {pk: unit.path for pk, unit in self.routing.units.items()}
        self.codes = {pk: unit.code[:6] for pk, unit in self.routing.units.items()}
        self._sentences = self._event_sentences()

    def write(self, frame: pl.DataFrame) -> BatchResult:
        """Route and store one batch."""
        return self.store(self.prepare(frame))

    def prepare(self, frame: pl.DataFrame) -> Routed:
        """Everything but the writing: routing columns, and the decisions the open cases'
        assignments come from."""
        cases = self._routed(frame)
        decisions = {}
        for row in cases.filter(pl.col("status").is_in(list(OPEN_TIMERS))).iter_rows(named=True):
            decisions[row["line"]] = self.routing.decide_input(self._input(row))
        return Routed(cases, decisions)

    def store(self, routed: Routed) -> BatchResult:
        """One batch in one transaction; rows whose report is already known are skipped."""
        for attempt in range(1, _WRITE_ATTEMPTS + 1):
            try:
                with transaction.atomic():
                    return self._store(routed)
            except IntegrityError:
                # Two imports racing on the same external ids, or a repeated tracking code.
                if attempt == _WRITE_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    def _store(self, routed: Routed) -> BatchResult:
        frame = routed.cases
        cases = frame.filter(~_known(frame))
        if cases.is_empty():
            return BatchResult(0, frame.height)
        now = timezone.now()
        ids = pl.Series("case_id", _case_ids(cases.height), pl.Int64)
        cases = cases.with_columns(
            ids,
            pl.Series("tracking_code", _tracking_codes(cases.height), pl.String),
            pl.col("territory_id")
            .replace_strict(self.paths, return_dtype=pl.String)
            .alias("territory_path"),
        ).with_columns(
            pl.format(
                "{}-{}-{}",
                pl.col("territory_id").replace_strict(self.codes, return_dtype=pl.String),
                pl.col("registered_at").dt.year(),
                pl.col("case_id").cast(pl.String).str.pad_start(7, "0"),
            ).alias("number")
        )
        insert_frame(Case, _case_columns(cases), now=now)
        insert_frame(Report, _report_columns(cases), now=now)
        insert_frame(Party, _party_columns(cases), now=now)
        insert_frame(TimelineEvent, self._event_columns(cases), now=now)
        self._open_work(cases, routed.decisions, now)
        return BatchResult(cases.height, frame.height - cases.height)

    # -- routing ---------------------------------------------------------------------------

    def _routed(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The frame with each row's routing columns and deadlines.

        ``RoutingCache.decide`` column-wise: each piece of a decision is computed once per
        distinct value of what it depends on and joined back, and the explanation is put
        together from its lines as ``decide`` puts it together.
        """
        routing, units = self.routing, self.routing.units
        cents = [math.ceil(cut * 100) for cut in routing.amount_cuts]
        frame = frame.with_columns(
            pl.Series(routing.people_cuts, dtype=pl.Int64)
            .search_sorted(frame["people_involved"], side="right")
            .alias("_people_side"),
            pl.Series(cents, dtype=pl.Int64)
            .search_sorted(frame["amount_cents"], side="right")
            .alias("_amount_side"),
        )
        # Rule, level, deadlines: once per situation.
        choices: dict[tuple[Any, ...], Any] = {}
        rows = []
        for row in (
            frame.group_by(_SITUATION).agg(pl.col(_DECIDED_BY).first()).iter_rows(named=True)
        ):
            data = self._input(row)
            _, choice = routing.choice(data)
            key = tuple(row[k] for k in _SITUATION)
            choices[key] = choice
            rows.append(
                {
                    **dict(zip(_SITUATION, key, strict=True)),
                    "_level": choice.lead_level,
                    "routing_rule_id": choice.rule.pk if choice.rule else None,
                    "_accept_minutes": choice.accept_minutes,
                    "_resolve_days": choice.resolve_days,
                    "_rule_line": None if choice.quotes_figures else choice.rule_line,
                    "_quoted_people": bool(
                        choice.quotes_figures and choice.rule and choice.rule.min_people is not None
                    ),
                    "_quoted_amount": bool(
                        choice.quotes_figures and choice.rule and choice.rule.min_amount is not None
                    ),
                    "_deadline_line": choice.deadline_line,
                }
            )
        frame = _join(frame, rows, _SITUATION)
        # The unit that leads: once per place and level.
        rows = [
            {"territory_id": t, "_level": level, "_lead": routing.lead_unit(units[t], level).pk}
            for t, level in frame.select("territory_id", "_level").unique().iter_rows()
        ]
        frame = _join(frame, rows, ["territory_id", "_level"])
        frame = frame.with_columns(
            pl.col("_lead")
            .replace_strict({pk: u.level for pk, u in units.items()})
            .alias("_lead_level"),
            pl.col("_lead").replace_strict(self.paths).alias("lead_unit_path"),
        )
        # The department type that leads: once per rule, category and level of the lead unit.
        rules = {0: None, **{rule.pk: rule for rule in routing.rules}}
        frame = frame.with_columns(pl.col("routing_rule_id").fill_null(0).alias("_rule"))
        by = ["_rule", "category_id", "_lead_level"]
        rows = [
            {"_rule": r, "category_id": c, "_lead_level": level,
             "_lead_type": routing.lead_type(rules[r], self.categories[c], level)}
            for r, c, level in frame.select(by).unique().iter_rows()
        ]  # fmt: skip
        frame = _join(frame, rows, by)
        # Lead department, co-handlers, restriction and the middle lines: once per rule, lead
        # type and lead unit (the engine runs once per unit the department search starts from).
        by = ["_rule", "_lead_type", "_lead"]
        rows = []
        firsts = frame.group_by(by).agg(pl.col([*_SITUATION, *_DECIDED_BY]).first())
        for row in firsts.iter_rows(named=True):
            rule, lead, lead_type = rules[row["_rule"]], units[row["_lead"]], row["_lead_type"]
            decision = routing.shared_decision(
                rule, lead_type, routing.origin(lead, rule, lead_type), self._input(row), lead
            )
            department = decision.lead_department
            rows.append(
                {
                    **{k: row[k] for k in by},
                    "lead_department_id": department.pk if department else None,
                    "restricted": decision.restricted,
                    "_middle": "\n".join(decision.reasons[2:-1]) or None,
                    "_lead_line": routing.lead_line(lead),
                }
            )
        frame = _join(frame, rows, by)
        # Rules with thresholds quote the case's own figures: once per figures quoted.
        quoted = frame.filter(pl.col("_rule_line").is_null())
        if not quoted.is_empty():
            figures = quoted.select(
                *_SITUATION,
                pl.when("_quoted_people").then("people_involved").otherwise(-1).alias("_qp"),
                pl.when("_quoted_amount").then("amount_cents").otherwise(-1).alias("_qa"),
                "territory_id",
                "people_involved",
                "amount_cents",
            )
            frame = frame.with_columns(
                pl.when("_quoted_people").then("people_involved").otherwise(-1).alias("_qp"),
                pl.when("_quoted_amount").then("amount_cents").otherwise(-1).alias("_qa"),
            )
            by = [*_SITUATION, "_qp", "_qa"]
            rows = [
                {
                    **{k: row[k] for k in by},
                    "_quoted_line": routing.rule_line(
                        choices[tuple(row[k] for k in _SITUATION)], self._input(row)
                    ),
                }
                for row in figures.group_by(by)
                .agg(pl.col(_DECIDED_BY).first())
                .iter_rows(named=True)
            ]
            frame = _join(frame, rows, by).with_columns(
                pl.coalesce("_rule_line", "_quoted_line").alias("_rule_line")
            )
        explanation = pl.concat_str(
            ["_rule_line", "_lead_line", "_middle", "_deadline_line"],
            separator="\n",
            ignore_nulls=True,
        )
        return frame.with_columns(
            explanation.alias("routing_explanation"),
            pl.col("_lead").alias("lead_unit_id"),
            (pl.col("registered_at") + pl.duration(minutes=pl.col("_accept_minutes"))).alias(
                "accept_deadline"
            ),
            (pl.col("registered_at") + pl.duration(days=pl.col("_resolve_days"))).alias(
                "resolve_deadline"
            ),
        ).with_columns(
            # The flag the timers would have set: accepted late, or resolved after the deadline.
            (
                (pl.col("accepted_at") > pl.col("accept_deadline")).fill_null(False)
                | (pl.coalesce("resolved_at", "closed_at") > pl.col("resolve_deadline")).fill_null(
                    False
                )
            ).alias("overdue"),
        )

    def _input(self, row: dict[str, Any]) -> RoutingInput:
        return RoutingInput(
            category=self.categories[row["category_id"]],
            channel=self.channels[row["channel_id"]],
            territory=self.routing.units[row["territory_id"]],
            risk_colour=row["risk_colour"],
            people_involved=row["people_involved"],
            amount=Decimal(row["amount_cents"]) / 100,
        )

    # -- the rows of each table ------------------------------------------------------------

    def _event_sentences(self) -> dict[str, tuple[str, str, str]]:
        """Per status: the sentence before and after the line number, and the outcome clause."""
        sentences = {}
        outcome = system_text(gettext_noop("; outcome: %(outcome)s"), outcome=_MARK)
        for status in CaseStatus:
            text = system_text(
                gettext_noop("imported from %(source)s, line %(line)s: %(status)s"),
                source=self.source,
                line=_MARK,
                status=status.label,
            )
            before, after = text.split(_MARK, 1)
            sentences[str(status)] = (before, after, outcome)
        return sentences

    def _event_columns(self, cases: pl.DataFrame) -> pl.DataFrame:
        statuses = pl.DataFrame(
            {
                "status": list(self._sentences),
                "_before": [s[0] for s in self._sentences.values()],
                "_after": [s[1] for s in self._sentences.values()],
            }
        )
        before, after = next(iter(self._sentences.values()))[2].split(_MARK, 1)
        rows = cases.join(statuses, on="status", how="left", maintain_order="left")
        outcome = pl.when(pl.col("outcome") != "").then(
            pl.concat_str(pl.lit(before), pl.col("outcome"), pl.lit(after))
        )
        return rows.select(
            pl.col("case_id"),
            pl.col("registered_at").alias("at"),
            pl.lit(str(EventKind.CREATED)).alias("kind"),
            pl.col("status").alias("to_status"),
            pl.concat_str(
                "_before", pl.col("line").cast(pl.String), "_after", outcome.otherwise(pl.lit(""))
            ).alias("message"),
            pl.struct(pl.lit(self.source).alias("source"), pl.col("line"), pl.col("external_id"))
            .struct.json_encode()
            .alias("data"),
        )

    def _open_work(
        self, cases: pl.DataFrame, decisions: dict[int, RoutingDecision], now: Any
    ) -> None:
        """Assignments and deadline timers for the cases still open, as at intake."""
        still_open = cases.filter(pl.col("status").is_in(list(OPEN_TIMERS)))
        assignments, calls = [], []
        for row in still_open.iter_rows(named=True):
            routed = decisions[row["line"]]
            for assignment in routed_assignments(routed, at=now, deadline=row["resolve_deadline"]):
                assignment.case_id = row["case_id"]
                if row["status"] != CaseStatus.REGISTERED:
                    assignment.status = AssignmentStatus.ACCEPTED
                assignments.append(assignment)
            case = Case(
                pk=row["case_id"],
                status=row["status"],
                created_at=row["registered_at"],
                updated_at=now,
                accept_deadline=row["accept_deadline"],
                resolve_deadline=row["resolve_deadline"],
            )
            calls += deadline_calls(case, OPEN_TIMERS[row["status"]])
        bulk_insert(Assignment, assignments)
        enqueue_many(calls)


@dataclass(frozen=True)
class Routed:
    """A batch routed and ready to store: nothing left to decide, only to write."""

    cases: pl.DataFrame
    decisions: dict[int, RoutingDecision]  # of the cases still open, by line


def write_pipelined(
    writer: FrameWriter,
    frames: Iterable[pl.DataFrame],
    done: Callable[[BatchResult, int], None],
) -> None:
    """Route each batch in this thread while another thread (and connection) stores the last.

    Storing is mostly PostgreSQL's work (indexes, foreign keys), routing is Python's: one after
    the other they leave a core idle, side by side they overlap. ``done`` is called from the
    storing thread after each batch commits, with its outcome and its number of rows. The first
    failure on either side stops both and is raised here; batches committed before it stay.
    """
    batches: queue.Queue[Routed | None] = queue.Queue(maxsize=2)
    failures: list[BaseException] = []

    def store() -> None:
        try:
            while (routed := batches.get()) is not None:
                done(writer.store(routed), routed.cases.height)
        except BaseException as exc:  # handed to the routing thread, which raises it
            failures.append(exc)
            while batches.get() is not None:
                pass  # unblock the routing thread until it sees the failure
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=store, name="fengqiao-import-writer", daemon=True)
    thread.start()
    try:
        for frame in frames:
            if failures:
                break
            batches.put(writer.prepare(frame))
    finally:
        batches.put(None)
        thread.join()
    if failures:
        raise failures[0]


def _join(frame: pl.DataFrame, rows: list[dict[str, Any]], on: list[str]) -> pl.DataFrame:
    """``frame`` with the columns of ``rows`` (one per distinct ``on``), row order kept."""
    right = pl.DataFrame(rows, infer_schema_length=None)
    right = right.with_columns(pl.col(c).cast(frame.schema[c]) for c in on)
    return frame.join(right, on=on, how="left", maintain_order="left")


def _known(frame: pl.DataFrame) -> pl.Series:
    """True for rows whose (channel, external id) is already a report: a re-run skips them."""
    known: set[tuple[int, str]] = set()
    table = Report._meta.db_table
    with connection.cursor() as cursor:
        for (channel_id,), part in frame.group_by(["channel_id"]):
            external_ids = part["external_id"].to_list()
            size = 50_000 if connection.vendor == "postgresql" else 900
            for start in range(0, len(external_ids), size):
                chunk = external_ids[start : start + size]
                if connection.vendor == "postgresql":
                    # A join on the unnested ids walks the unique index once per id; "= ANY"
                    # of a large array makes PostgreSQL scan the table instead.
                    cursor.execute(
                        f"SELECT r.external_id FROM unnest(%s::text[]) AS given(external_id)"  # noqa: S608 - our table
                        f" JOIN {table} r ON r.channel_id = %s"
                        " AND r.external_id = given.external_id AND r.external_id <> ''",
                        [chunk, channel_id],
                    )
                else:
                    marks = ", ".join(["%s"] * len(chunk))
                    cursor.execute(
                        f"SELECT external_id FROM {table} WHERE channel_id = %s"  # noqa: S608 - our table
                        f" AND external_id IN ({marks}) AND external_id <> ''",
                        [channel_id, *chunk],
                    )
                known.update((channel_id, external_id) for (external_id,) in cursor.fetchall())
    if not known:
        return pl.Series([False] * frame.height, dtype=pl.Boolean)
    found = pl.DataFrame(
        list(known), schema={"channel_id": pl.Int64, "external_id": pl.String}, orient="row"
    ).with_columns(pl.lit(True).alias("_known"))
    joined = frame.select("channel_id", "external_id").join(
        found, on=["channel_id", "external_id"], how="left", maintain_order="left"
    )
    return joined["_known"].fill_null(False)


def _amount(cents: pl.Expr) -> pl.Expr:
    return pl.format("{}.{}", cents // 100, (cents % 100).cast(pl.String).str.pad_start(2, "0"))


def _case_columns(cases: pl.DataFrame) -> pl.DataFrame:
    return cases.select(
        pl.col("case_id").alias("id"),
        pl.col("registered_at").alias("created_at"),
        "number",
        "title",
        "description",
        "category_id",
        "channel_id",
        "status",
        "lat",
        "lng",
        "address",
        "territory_id",
        "territory_path",
        "lead_unit_id",
        "lead_unit_path",
        "lead_department_id",
        "people_involved",
        _amount(pl.col("amount_cents")).alias("amount"),
        "risk_colour",
        "restricted",
        "routing_rule_id",
        "routing_explanation",
        "accept_deadline",
        "resolve_deadline",
        "accepted_at",
        "resolved_at",
        "closed_at",
        "overdue",
        "tracking_code",
    )


def _report_columns(cases: pl.DataFrame) -> pl.DataFrame:
    return cases.select(
        "case_id",
        "channel_id",
        "external_id",
        pl.col("registered_at").alias("received_at"),
        pl.col("applicant_name").alias("reporter_name"),
        pl.col("applicant_phone").alias("reporter_phone"),
        pl.col("registered_at").alias("created_at"),
    )


def _party_columns(cases: pl.DataFrame) -> pl.DataFrame:
    def parties(role: str, id_number: pl.Expr) -> pl.DataFrame:
        name = pl.col(f"{role}_name")
        # Source systems rarely say whether a party is a person; a firm's name says it.
        firm = pl.any_horizontal(name.str.ends_with(e) for e in _ORGANISATION_ENDINGS)
        return cases.filter(name != "").select(
            "case_id",
            pl.lit(role).alias("role"),
            name.alias("name"),
            pl.col(f"{role}_phone").alias("phone"),
            id_number.alias("id_number"),
            pl.col("registered_at").alias("created_at"),
            pl.when(firm).then(pl.lit("organisation")).otherwise(pl.lit("person")).alias("kind"),
        )

    both = [parties("applicant", pl.col("applicant_id_number")), parties("respondent", pl.lit(""))]
    # Applicant before respondent within each case, as the row builder listed them.
    return pl.concat(both, how="vertical").sort("case_id", maintain_order=True)
