"""``fengqiao manage hotspots counts [--since DATE]`` and ``hotspots run [--method M]``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from fengqiao.hotspots.counts import daily_counts_rebuild
from fengqiao.hotspots.detection import METHODS, DetectionParams
from fengqiao.hotspots.models import CategoryLevel, RunTrigger
from fengqiao.hotspots.services import hotspot_run_create, hotspot_run_execute


class Command(BaseCommand):
    help = "Rebuild the daily case counts, or run hotspot detection now (in this process)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        counts = sub.add_parser("counts", help="rebuild the daily counts (all days by default)")
        counts.add_argument(
            "--since", type=date.fromisoformat, help="only from this day (YYYY-MM-DD)"
        )
        run = sub.add_parser("run", help="detect hotspots for the window ending today")
        run.add_argument("--method", choices=METHODS, default=DetectionParams().method)
        run.add_argument("--level", choices=CategoryLevel.values, default=CategoryLevel.MAJOR)
        run.add_argument("--window-end", type=date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "counts":
            rows = daily_counts_rebuild(since=options["since"])
            self.stdout.write(f"{rows} daily count rows written")
            return
        window_end = options["window_end"] or timezone.localdate()
        if window_end > timezone.localdate():
            raise CommandError("--window-end cannot be in the future")
        run = hotspot_run_create(
            params=DetectionParams(method=options["method"]),
            trigger=RunTrigger.ON_DEMAND,
            requested_by=None,
            category_level=options["level"],
            window_end=window_end,
        )
        run = hotspot_run_execute(run_id=run.pk)
        self.stdout.write(
            f"run {run.pk}: {run.series_evaluated} series, {run.flagged} hotspots "
            f"({run.window_start} – {run.window_end}, {run.method})"
        )
