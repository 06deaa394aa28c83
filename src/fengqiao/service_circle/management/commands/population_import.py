"""``fengqiao import population FILE``: populations of villages and grids from CSV."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.service_circle import importer
from fengqiao.service_circle.services import PopulationRejected, population_import


class Command(BaseCommand):
    help = "Import unit populations from a CSV file: fengqiao import population FILE."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.description = importer.__doc__
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        parser.epilog = (
            "Every row is checked before anything is written; problems are printed as "
            "FILE:LINE: column: message and then nothing is imported."
        )
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a .csv file (UTF-8 or GB18030)")
        parser.add_argument("--dry-run", action="store_true", help="only check the file")

    def handle(self, *args: Any, file: Path, dry_run: bool, **options: Any) -> None:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror or exc}") from exc
        try:
            rows = importer.parse_population_csv(data)
            result = population_import(actor=None, rows=rows, dry_run=dry_run)
        except PopulationRejected as exc:
            # FILE:LINE: lets editors and CI jump to the offending row.
            for issue in exc.issues:
                self.stderr.write(f"{file}:{issue}")
            raise CommandError(f"{file}: nothing was imported") from exc
        self.stdout.write(f"{file}: {result.summary()}")
