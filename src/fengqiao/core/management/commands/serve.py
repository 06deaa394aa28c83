"""``fengqiao serve``: the production WSGI server (gunicorn), static files through whitenoise."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


def default_workers() -> int:
    return max(2, min(8, (os.cpu_count() or 1) * 2 + 1))


class Command(BaseCommand):
    help = "Serve the web UI and API with gunicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("FENGQIAO_HOST", "127.0.0.1"))
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("FENGQIAO_PORT", "8000"))
        )
        parser.add_argument("--workers", type=int, default=default_workers())
        parser.add_argument("--threads", type=int, default=4)

    def handle(
        self, *args: Any, host: str, port: int, workers: int, threads: int, **options: Any
    ) -> None:
        from gunicorn.app.wsgiapp import WSGIApplication

        argv = [
            "gunicorn",
            "fengqiao.wsgi:application",
            f"--bind={host}:{port}",
            f"--workers={workers}",
            f"--threads={threads}",
            "--worker-class=gthread",
            "--access-logfile=-",
            "--timeout=60",
            "--graceful-timeout=20",
        ]
        self.stdout.write(f"Fengqiao listening on http://{host}:{port}/")
        sys.argv = argv
        WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()
