"""``fengqiao import risk-points FILE`` (wired in ``fengqiao.cli``); see ``importer`` for columns."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.early_warning import importer


class Command(BaseCommand):
    help = "Import the risk point register from a CSV file: fengqiao import risk-points FILE."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> Any:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.description = importer.__doc__
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a .csv file")
        parser.add_argument("--dry-run", action="store_true", help="only check the file")

    def handle(self, *args: Any, file: Path, dry_run: bool, **options: Any) -> None:
        try:
            result = importer.points_import(path=file, dry_run=dry_run)
        except importer.ImportRejected as exc:
            # FILE:LINE: lets editors and CI jump to the offending row.
            for issue in exc.issues:
                self.stderr.write(f"{file}:{issue.line}: {issue.column}: {issue.message}")
            raise CommandError(f"{file}: nothing was imported", returncode=1) from exc
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror or exc}") from exc
        if dry_run:
            self.stdout.write(f"{file}: every row is valid (dry run, nothing written)")
        else:
            self.stdout.write(f"{file}: {result.summary()}")
