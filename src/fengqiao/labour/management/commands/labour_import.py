"""``fengqiao import labour FILE``: industry data on employers' labour-dispute risk.

A CSV file (UTF-8, UTF-8 with BOM, or GB18030), one row per employer and month. Columns, by
code or by their Chinese names:

  code              required; unified social credit code (18 characters, check character
                    verified) of an enterprise, or the project code (统一社会信用代码, 项目编码)
  period            required; the month, e.g. 2025-03 or 2025年3月 (月份)
  kind              enterprise or project (类型: 企业/项目); with name and a location it
                    registers a new employer
  name, industry, address, workers, contractor, contractor_code
  lng, lat          a WGS 84 point inside a grid (经度, 纬度), or
  unit_code         the code of the unit the employer belongs to (区划代码)
  wage_delay_days, wage_delay_workers, social_insurance_months, utility_arrears_months,
  progress_overdue_amount, progress_overdue_days (projects only)
                    indicator values ≥ 0; a blank cell leaves the month's value as it was

Every row is checked first; problems are printed as FILE:LINE: column: message and nothing is
written. Re-running a file changes nothing. Scores are recomputed by the worker afterwards.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.labour.importer import ImportRejected, csv_rows
from fengqiao.labour.services import indicators_import


class Command(BaseCommand):
    help = "Import labour-dispute risk indicators from a CSV file: fengqiao import labour FILE."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.description = __doc__
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a .csv file")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            raw = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror or exc}") from exc
        try:
            summary = indicators_import(actor=None, rows=csv_rows(raw))
        except ImportRejected as exc:
            # FILE:LINE: lets editors and CI jump to the offending row.
            for issue in exc.issues:
                self.stderr.write(f"{file}:{issue.where}: {issue.field}: {issue.message}")
            raise CommandError(f"{file}: nothing was imported", returncode=1) from exc
        self.stdout.write(f"{file}: {summary.summary()}")
