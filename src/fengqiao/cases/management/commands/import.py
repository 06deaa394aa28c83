"""``fengqiao import cases FILE``: bring historical cases over from a previous system.

The first row names the columns (English names below, or the Chinese ones in brackets); their
order is free and unknown columns are refused, so a misspelt header is caught before anything is
written. CSV may be UTF-8, UTF-8 with a byte-order mark (Excel) or GB18030 (older Chinese
systems); XLSX is read from its first sheet.

  external_id       required; the case's id in the source system (外部编号). With the channel it
                    identifies the case: a re-run skips rows already imported.
  channel           required; channel code, e.g. 12345, 110, visit, grid-patrol (渠道)
  category          required; category code, e.g. M02.04, or its Chinese name (类别)
  title             up to 200 characters; default: the start of the description (标题)
  description       required; what happened (描述)
  unit_code         12-digit unit code, or 15 digits for a grid (区划代码) ...
  lat, lng          ... or a WGS 84 point inside a grid (纬度, 经度); with both, the point must
                    lie inside the unit
  address           up to 255 characters (地址)
  people_involved   whole number ≥ 1; default 1 (涉及人数)
  amount            yuan ≥ 0, e.g. 2100000 or 2,100,000.00; default 0 (涉及金额)
  risk_colour       red, orange or green (红/橙/绿); default: the category's (风险等级)
  status            required; closed, resolved, withdrawn, referred, or open (状态). An open row
                    is "registered", or "accepted" when it has accepted_at; registered, accepted
                    and in_handling may also be given exactly.
  registered_at     required; when the case was registered (登记时间)
  accepted_at       when it was accepted (受理时间)
  resolved_at       when it was resolved; required for resolved (化解时间)
  closed_at         when it was closed; required for closed (办结时间)
  applicant_name, applicant_phone, applicant_id_number     the applicant (申请人, 申请人电话,
                    申请人身份证号); the applicant is also recorded as the reporter
  respondent_name, respondent_phone                        the other party (被申请人, 被申请人电话)
  outcome           how it ended, kept on the case's timeline (处理结果)

Times are ``2025-03-11 10:05``, ``2025/3/11 10:05``, ISO 8601 with an offset, or a date alone;
times without an offset are Beijing time. They must not lie in the future and must follow each
other: registered ≤ accepted ≤ resolved ≤ closed. Phones are 11-digit mobiles or landlines with
their area code; ID numbers are 18-character resident ID numbers with a valid check digit.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from fengqiao.cases.import_rows import FileProblem, ImportResult, RowIssue
from fengqiao.cases.importer import DEFAULT_BATCH_SIZE, cases_import


class Command(BaseCommand):
    help = "Import historical cases from a CSV or XLSX file: fengqiao import cases FILE."

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True)
        cases = kinds.add_parser(
            "cases",
            help="Import historical cases from a .csv or .xlsx file.",
            description=__doc__,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            epilog=(
                "Every row is checked before anything is written; problems are printed as "
                "FILE:LINE: column: message. The valid rows are then imported, and the exit "
                "status is 1 if any row was rejected."
            ),
        )
        cases.add_argument("file", type=Path, help="a .csv or .xlsx file")
        cases.add_argument(
            "--dry-run", action="store_true", help="only check the file; write nothing"
        )
        cases.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"rows per transaction (default {DEFAULT_BATCH_SIZE})",
        )

    def handle(
        self, *args: Any, file: Path, dry_run: bool, batch_size: int, **options: Any
    ) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        console = Console(file=sys.stderr)
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=not self.stderr.isatty(),
        ) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(phase: str, done: int, total: int | None) -> None:
                if phase not in tasks:
                    tasks[phase] = bar.add_task(f"{phase} rows", total=total)
                bar.update(tasks[phase], advance=done)

            try:
                result = cases_import(
                    path=file, dry_run=dry_run, batch_size=batch_size, progress=progress
                )
            except FileProblem as exc:
                self._issues(file, exc.issues)
                raise CommandError(f"{file}: nothing was imported") from exc
            except OSError as exc:
                raise CommandError(f"{file}: {exc.strerror or exc}") from exc
        self._report(file, result)

    def _issues(self, file: Path, issues: list[RowIssue]) -> None:
        # FILE:LINE: lets editors and CI jump to the offending row.
        for issue in issues:
            self.stderr.write(f"{file}:{issue.line}: {issue.column}: {issue.message}")

    def _report(self, file: Path, result: ImportResult) -> None:
        self._issues(file, result.issues)
        if result.issue_count > len(result.issues):
            self.stderr.write(f"… and {result.issue_count - len(result.issues)} more problems")
        self.stdout.write(f"{file}: {result.summary()}")
        if not result.dry_run and result.imported:
            self.stdout.write(
                f"routing: {result.routing_computed} decisions computed for {result.imported} cases"
            )
        if result.rejected:
            done = (
                "nothing was written (dry run)"
                if result.dry_run
                else "the valid rows were imported"
            )
            raise CommandError(
                f"{result.rejected} rows rejected; {done}. Fix the rejected rows and run the file "
                "again: rows already imported are skipped.",
                returncode=1,
            )
