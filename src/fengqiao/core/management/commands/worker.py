"""``fengqiao worker``: the durable task worker (django-tasks-db) with a health heartbeat."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from fengqiao.core.heartbeat import HeartbeatThread

# Warnings must reach the township within a second of the signal: an idle worker looks for new
# tasks five times a second (one indexed query each) rather than db_worker's once.
DEFAULT_INTERVAL = 0.2


class Command(DbWorkerCommand):
    help = "Run the background task worker (timers, warnings, recomputation)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(interval=DEFAULT_INTERVAL)

    def handle(self, *args: Any, **options: Any) -> None:
        if not options.get("worker_id"):
            options["worker_id"] = get_random_string(32)
        if options.get("queue_name") == "default":
            options["queue_name"] = "*"
        heartbeat = HeartbeatThread(options["worker_id"])
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
