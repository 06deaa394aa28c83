"""``fengqiao signals mqtt|maintain|recover``: the MQTT consumer and signal housekeeping."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.signals.mqtt import DEFAULT_CLIENT_ID


class Command(BaseCommand):
    help = "Consume signals from an MQTT broker, or run signal housekeeping by hand."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        mqtt = sub.add_parser(
            "mqtt", help="consume signals from a broker until SIGTERM (QoS 1, persistent session)"
        )
        mqtt.add_argument("--url", required=True, help="mqtt://[user:pass@]HOST:1883")
        mqtt.add_argument("--topic", default="fengqiao/signals/#")
        mqtt.add_argument(
            "--client-id",
            default=DEFAULT_CLIENT_ID,
            help="stable id of the broker session; keep it across restarts (default: %(default)s)",
        )
        mqtt.add_argument("--batch-size", type=int, default=500)
        mqtt.add_argument("--max-wait-ms", type=int, default=200)
        sub.add_parser(
            "maintain", help="create upcoming partitions and drop signals past retention"
        )
        recover = sub.add_parser(
            "recover", help="queue again the evaluation of batches whose task was lost"
        )
        recover.add_argument(
            "--older-than", type=int, default=120, help="seconds since arrival (default 120)"
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "mqtt":
            self._mqtt(options)
        elif action == "maintain":
            from fengqiao.signals.partitions import signals_maintain

            self.stdout.write(signals_maintain().summary())
        else:
            from fengqiao.signals.services import batches_recover

            queued = batches_recover(older_than=timedelta(seconds=options["older_than"]))
            self.stdout.write(f"batches queued again: {queued}")

    def _mqtt(self, options: dict[str, Any]) -> None:
        from fengqiao.signals.mqtt import consume, parse_url

        if options["batch_size"] < 1 or options["max_wait_ms"] < 1:
            raise CommandError("--batch-size and --max-wait-ms must be positive")
        try:
            address = parse_url(options["url"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        logging.getLogger("fengqiao.signals").setLevel(logging.INFO)
        self.stdout.write(f"consuming {options['topic']} from {address.host}:{address.port}")
        self.stdout.flush()
        stats = consume(
            url=options["url"],
            topic=options["topic"],
            client_id=options["client_id"],
            batch_size=options["batch_size"],
            max_wait=options["max_wait_ms"] / 1000,
        )
        self.stdout.write(stats.summary())
