"""``taxonomy import|export|defaults``: the category file workflow for administrators."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.core.errors import ValidationFailed
from fengqiao.taxonomy.importer import TaxonomyImportError
from fengqiao.taxonomy.services import (
    ExportFormat,
    load_default_channels,
    load_default_taxonomy,
    taxonomy_export,
    taxonomy_import,
)


class Command(BaseCommand):
    help = "Import or export the dispute taxonomy, or load the shipped categories and channels."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        importing = subcommands.add_parser(
            "import", help="Upsert categories from a .csv or .yaml file, all or nothing."
        )
        importing.add_argument("file", type=Path)
        importing.add_argument(
            "--replace",
            action="store_true",
            help="Also deactivate every category the file does not list (nothing is deleted).",
        )
        importing.add_argument(
            "--dry-run", action="store_true", help="Check the file and report the counts only."
        )
        exporting = subcommands.add_parser(
            "export", help="Write the active categories in the import format."
        )
        exporting.add_argument(
            "--format", choices=("yaml", "csv"), help="Default: from --output's suffix, else yaml."
        )
        exporting.add_argument("--output", type=Path, help="Default: standard output.")
        defaults = subcommands.add_parser(
            "defaults", help="Create the shipped categories and channels that are missing."
        )
        defaults.add_argument(
            "--overwrite",
            action="store_true",
            help="Also reset existing default categories and channels to the shipped values.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options["subcommand"]
        if subcommand == "import":
            self._import(options["file"], replace=options["replace"], dry_run=options["dry_run"])
        elif subcommand == "export":
            self._export(options["format"], options["output"])
        else:
            self._defaults(overwrite=options["overwrite"])

    def _import(self, path: Path, *, replace: bool, dry_run: bool) -> None:
        try:
            result = taxonomy_import(
                path=path, mode="replace" if replace else "extend", dry_run=dry_run
            )
        except TaxonomyImportError as exc:
            # FILE:LINE: lets editors and CI annotate the offending row directly.
            for issue in exc.issues:
                self.stderr.write(f"{path}:{issue.line}: {issue.field}: {issue.message}")
            raise CommandError(f"{len(exc.issues)} problem(s); nothing was imported") from exc
        except ValidationFailed as exc:
            raise CommandError(f"{path}: {exc.message}") from exc
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}") from exc
        suffix = " (dry run: nothing was written)" if dry_run else ""
        self.stdout.write(f"{path}: {result.summary()}{suffix}")

    def _export(self, file_format: ExportFormat | None, output: Path | None) -> None:
        if file_format is None:
            file_format = "csv" if output and output.suffix.lower() == ".csv" else "yaml"
        text = taxonomy_export(file_format=file_format)
        if output is None:
            self.stdout.write(text, ending="")
            return
        # Excel only recognises UTF-8 CSV by its byte-order mark; the importer accepts either.
        encoding = "utf-8-sig" if file_format == "csv" else "utf-8"
        try:
            output.write_text(text, encoding=encoding)
        except OSError as exc:
            raise CommandError(f"{output}: {exc.strerror or exc}") from exc
        self.stdout.write(f"Exported the taxonomy to {output}")

    def _defaults(self, *, overwrite: bool) -> None:
        categories = load_default_taxonomy(overwrite=overwrite)
        channels = load_default_channels(overwrite=overwrite)
        self.stdout.write(f"Categories: {categories.summary()}")
        self.stdout.write(f"Channels: {channels.summary()}")
