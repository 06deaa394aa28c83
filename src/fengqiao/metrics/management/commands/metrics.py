"""``fengqiao manage metrics rebuild`` and ``metrics refresh``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fengqiao.metrics.aggregate import rebuild, refresh


class Command(BaseCommand):
    help = "Rebuild the cockpit statistics from all cases, or refresh the days marked dirty."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rebuild", help="recompute every statistic from the cases")
        sub.add_parser("refresh", help="recompute only the days whose cases changed")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "rebuild":
            written = rebuild()
            self.stdout.write(
                f"{written['cases']} cases: {written['stats']} statistic rows, "
                f"{written['open']} open cases"
            )
            return
        total = 0
        while batch := refresh():
            total += batch
        self.stdout.write(f"{total} dirty days refreshed")
