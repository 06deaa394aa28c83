"""``fengqiao demo``: init with the demo region, then run the web server and worker together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Load the demo region and serve it with a worker (Ctrl-C stops both)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="only load the demo data")

    def handle(self, *args: Any, host: str, port: int, no_serve: bool, **options: Any) -> None:
        from fengqiao.demo.region import DEMO_PASSWORD, load_demo_region

        call_command("init", demo=True, verbosity=options["verbosity"])
        # Already loaded by init: this returns what is there, silently, for the banner below.
        summary = load_demo_region()
        if no_serve:
            return
        # Children re-enter through the same entry point so they see the same environment.
        base = [sys.executable, "-m", "fengqiao"]
        env = dict(os.environ)
        processes = [
            subprocess.Popen([*base, "serve", "--host", host, "--port", str(port)], env=env),  # noqa: S603
            subprocess.Popen([*base, "worker", "--no-reload"], env=env),  # noqa: S603
        ]
        time.sleep(1.5)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Fengqiao demo is running at http://{host}:{port}/"))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, unit in summary.logins:
            self.stdout.write(f"  {username:<10} {role:<22} {unit}")
        from fengqiao.demo.warnings import STORY_GRID_WORKER

        self.stdout.write(
            f"  {STORY_GRID_WORKER:<10} {'grid worker':<22} 工农社区 (septic-tank story)"
        )
        self.stdout.write("Press Ctrl-C to stop.")

        def stop(signum: int, frame: FrameType | None) -> None:
            for process in processes:
                if process.poll() is None:
                    process.terminate()

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while all(process.poll() is None for process in processes):
                time.sleep(0.5)
        finally:
            stop(signal.SIGTERM, None)
            for process in processes:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        failed = [p.returncode for p in processes if p.returncode not in (0, -signal.SIGTERM, None)]
        if failed:
            sys.exit(1)
