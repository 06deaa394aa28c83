"""``fengqiao init [--demo]``: migrate, load default taxonomy and channels, optionally the demo."""

from __future__ import annotations

from typing import Any, TextIO, cast

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Create or upgrade the database and load the default taxonomy and channels."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demo", action="store_true", help="also load the demo region and users"
        )
        parser.add_argument("--no-static", action="store_true", help="skip collecting static files")

    def handle(self, *args: Any, demo: bool, no_static: bool, **options: Any) -> None:
        from fengqiao.cases.routing.services import load_default_rules
        from fengqiao.taxonomy.services import load_default_channels, load_default_taxonomy

        settings.CONFIG.var_dir.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=max(0, options["verbosity"] - 1))
        self.stdout.write(self.style.SUCCESS("database schema is up to date"))
        taxonomy = load_default_taxonomy()
        self.stdout.write(f"taxonomy: {taxonomy.summary()}")
        channels = load_default_channels()
        self.stdout.write(f"channels: {channels.summary()}")
        self.stdout.write(f"routing rules: {load_default_rules()} created")
        from fengqiao.early_warning.rules import load_default_rules as load_warning_rules

        self.stdout.write(f"warning rules: {load_warning_rules()} created")
        from fengqiao.safety.config import load_default_config as load_safety_config

        self.stdout.write(f"safety index: {load_safety_config().summary()}")
        if not no_static:
            call_command("collectstatic", interactive=False, verbosity=0)
            self.stdout.write("static files collected")
        if demo:
            from fengqiao.demo.cases import load_demo_cases
            from fengqiao.demo.region import load_demo_region

            summary = load_demo_region(stdout=cast(TextIO, self.stdout))
            state = "loaded" if summary.created else "already present"
            self.stdout.write(self.style.SUCCESS(f"demo region {state}"))
            cases = load_demo_cases(stdout=cast(TextIO, self.stdout))
            state = "loaded" if cases.created else "already present"
            self.stdout.write(self.style.SUCCESS(f"demo cases {state} ({cases.cases} cases)"))
            from fengqiao.demo.warnings import load_demo_warnings

            warnings = load_demo_warnings(stdout=cast(TextIO, self.stdout))
            state = "loaded" if warnings.created else "already present"
            self.stdout.write(
                self.style.SUCCESS(f"demo risk points and warnings {state} ({warnings.summary()})")
            )
            from fengqiao.demo.safety import load_demo_safety

            safety = load_demo_safety(stdout=cast(TextIO, self.stdout))
            state = "loaded" if safety.created else "already present"
            self.stdout.write(
                self.style.SUCCESS(
                    f"demo safety index {state} ({safety.units} units, {safety.periods} months)"
                )
            )
            from fengqiao.demo.labour import load_demo_labour

            labour = load_demo_labour(stdout=cast(TextIO, self.stdout))
            state = "loaded" if labour.created else "already present"
            self.stdout.write(self.style.SUCCESS(f"demo labour risk {state} ({labour.summary()})"))
            from fengqiao.demo.service import load_demo_service

            service = load_demo_service(stdout=cast(TextIO, self.stdout))
            state = "loaded" if service.created else "already present"
            self.stdout.write(
                self.style.SUCCESS(f"demo service circle {state} ({service.summary()})")
            )
            from fengqiao.demo.revisits import load_demo_revisits

            revisits = load_demo_revisits(stdout=cast(TextIO, self.stdout))
            state = "loaded" if revisits.created else "already present"
            self.stdout.write(self.style.SUCCESS(f"demo revisits {state} ({revisits.summary()})"))
            from fengqiao.demo.hotspots import compute_demo_statistics, load_demo_cluster

            cluster = load_demo_cluster(stdout=cast(TextIO, self.stdout))
            self.stdout.write(self.style.SUCCESS(f"demo hotspot cluster: {cluster.summary()}"))
            statistics = compute_demo_statistics()
            self.stdout.write(self.style.SUCCESS(f"demo statistics: {statistics}"))
