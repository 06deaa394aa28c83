"""The MQTT consumer: signals from a broker into the same intake as the API.

At-least-once from the broker, exactly-once in the database:

* QoS 1 on a persistent session (``clean_session=False``, a stable client id), so the broker
  keeps what arrives while the consumer is down or restarting;
* manual acknowledgement (paho 2 ``manual_ack=True``): a message is acknowledged only after the
  batch holding it has committed, so a consumer killed at any moment loses nothing — the broker
  sends the unacknowledged messages again;
* re-delivered messages are harmless: a signal is unique on (source, device, kind, time) and a
  second copy is counted as a duplicate, not stored.

Messages are JSON objects or arrays of objects, the API's schema; a message that cannot be read
or fails validation is logged, counted and acknowledged (a poison message must not block the
queue). Messages are gathered into batches (up to ``batch_size`` messages or ``max_wait``
seconds, or until the broker pauses — a broker limits unacknowledged messages in flight, 20 by
default in Mosquitto, so waiting longer than that pause gains nothing).
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

from fengqiao.core.errors import ValidationFailed
from fengqiao.signals.services import IngestResult, signals_store
from fengqiao.signals.validation import ParsedSignal, parse_items

logger = logging.getLogger(__name__)

DEFAULT_CLIENT_ID = "fengqiao-signals"
QOS = 1
RETRY_MAX_SECONDS = 30.0


class BrokerClient(Protocol):
    """What the consumer needs of a paho ``Client`` (a fake stands in for it in tests)."""

    def subscribe(self, topic: str, qos: int = ...) -> Any: ...

    def ack(self, mid: int, qos: int) -> Any: ...


@dataclass(frozen=True)
class Inbound:
    mid: int
    qos: int
    topic: str
    payload: bytes
    generation: int


@dataclass
class ConsumerStats:
    messages: int = 0
    stored: int = 0
    duplicates: int = 0
    poison: int = 0
    batches: int = 0

    def summary(self) -> str:
        return (
            f"messages {self.messages}, signals stored {self.stored}, "
            f"duplicates {self.duplicates}, invalid messages {self.poison}, "
            f"batches {self.batches}"
        )


class PoisonMessage(ValueError):
    pass


def topic_source(topic_filter: str, topic: str) -> str:
    """The first topic level under the subscription's fixed prefix: ``fengqiao/signals/#`` and
    ``fengqiao/signals/water/p7`` give ``water``, used when an item names no source."""
    fixed: list[str] = []
    for level in topic_filter.split("/"):
        if level in {"#", "+"}:
            break
        fixed.append(level)
    rest = topic.split("/")[len(fixed) :]
    return rest[0] if rest else ""


def decode(message: Inbound, *, topic_filter: str, now: datetime) -> list[ParsedSignal]:
    try:
        body = json.loads(message.payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PoisonMessage(f"not JSON: {exc}") from None
    items = [body] if isinstance(body, dict) else body
    try:
        return parse_items(
            items,
            source_hint=topic_source(topic_filter, message.topic),
            now=now,
            retention_days=settings.FENGQIAO_SIGNAL_RETENTION_DAYS,
        )
    except ValidationFailed as exc:
        raise PoisonMessage(exc.message) from None


class SignalConsumer:
    def __init__(
        self,
        *,
        topic: str,
        batch_size: int = 500,
        max_wait: float = 0.2,
        idle: float = 0.02,
        store: Callable[..., IngestResult] = signals_store,
    ) -> None:
        self.topic = topic
        self.batch_size = batch_size
        self.max_wait = max_wait
        self.idle = idle
        self.store = store
        self.stats = ConsumerStats()
        self.client: BrokerClient | None = None
        self.inbox: queue.Queue[Inbound] = queue.Queue()
        self.generation = 0
        self.stopping = threading.Event()

    # --- paho callbacks (network thread) -----------------------------------------------------

    def on_connect(self, client: Any, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if getattr(reason, "is_failure", False):
            logger.warning("MQTT connection refused: %s", reason)
            return
        # The broker remembers the subscription of a persistent session; renewing it is harmless
        # and covers a broker that lost its state.
        client.subscribe(self.topic, qos=QOS)
        logger.info("MQTT connected, subscribed to %s", self.topic)

    def on_disconnect(
        self, client: Any, userdata: Any, flags: Any, reason: Any, props: Any
    ) -> None:
        # Packet ids of the old connection mean nothing on the next one: messages received
        # before this point are stored but not acknowledged; the broker sends them again.
        self.generation += 1
        if not self.stopping.is_set():
            logger.warning("MQTT connection lost (%s); reconnecting", reason)

    def on_message(self, client: Any, userdata: Any, message: Any) -> None:
        self.inbox.put(
            Inbound(message.mid, message.qos, message.topic, message.payload, self.generation)
        )

    # --- the consumer loop (main thread) -----------------------------------------------------

    def collect(self, first_timeout: float = 0.5) -> list[Inbound]:
        """A batch: up to ``batch_size`` messages, ``max_wait`` after the first, or a pause."""
        try:
            batch = [self.inbox.get(timeout=first_timeout)]
        except queue.Empty:
            return []
        deadline = time.monotonic() + self.max_wait
        while len(batch) < self.batch_size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                batch.append(self.inbox.get(timeout=min(self.idle, remaining)))
            except queue.Empty:
                break
        return batch

    def _ack(self, message: Inbound) -> None:
        if self.client is not None and message.generation == self.generation and message.qos:
            self.client.ack(message.mid, message.qos)

    @staticmethod
    def _fresh_connection() -> None:
        # A long-lived process must drop a connection the database closed (a restart, an idle
        # timeout), as Django does between requests; never inside a caller's transaction.
        if not connection.in_atomic_block:
            close_old_connections()

    def _store_with_retry(self, parsed: list[ParsedSignal]) -> bool:
        delay = 0.5
        while True:
            try:
                self._fresh_connection()
                result = self.store(parsed=parsed)
            except DatabaseError:
                logger.exception("storing a batch of %d signals failed; retrying", len(parsed))
                if not connection.in_atomic_block:
                    connection.close()
                if self.stopping.wait(delay):
                    return False  # stopping: unacknowledged, so the broker keeps them
                delay = min(delay * 2, RETRY_MAX_SECONDS)
                continue
            self.stats.stored += result.accepted
            self.stats.duplicates += result.duplicates
            self.stats.batches += 1
            return True

    def process(self, messages: list[Inbound]) -> None:
        """Store a batch in one transaction, then acknowledge its messages."""
        now = timezone.now()
        good: list[Inbound] = []
        parsed: list[ParsedSignal] = []
        for message in messages:
            self.stats.messages += 1
            try:
                signals = decode(message, topic_filter=self.topic, now=now)
            except PoisonMessage as exc:
                self.stats.poison += 1
                logger.warning(
                    "invalid MQTT message on %s (mid %s) skipped: %s",
                    message.topic,
                    message.mid,
                    exc,
                )
                self._ack(message)
                continue
            good.append(message)
            parsed.extend(signals)
        if parsed and not self._store_with_retry(parsed):
            return
        for message in good:
            self._ack(message)

    def run(self, client: BrokerClient) -> ConsumerStats:
        """Consume until :meth:`stop`; what is collected when stopping is still stored."""
        self.client = client
        last_report = time.monotonic()
        while not self.stopping.is_set():
            batch = self.collect()
            if batch:
                self.process(batch)
            if time.monotonic() - last_report > 60:
                logger.info("MQTT consumer: %s", self.stats.summary())
                last_report = time.monotonic()
        while True:
            batch = self.collect(first_timeout=0)
            if not batch:
                break
            self.process(batch)
        return self.stats

    def stop(self) -> None:
        self.stopping.set()


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    tls: bool
    username: str | None
    password: str | None


def parse_url(url: str) -> BrokerAddress:
    parts = urlsplit(url)
    if parts.scheme not in {"mqtt", "mqtts"} or not parts.hostname:
        raise ValueError("the broker URL must look like mqtt://HOST:1883 or mqtts://HOST:8883")
    tls = parts.scheme == "mqtts"
    return BrokerAddress(
        host=parts.hostname,
        port=parts.port or (8883 if tls else 1883),
        tls=tls,
        username=parts.username,
        password=parts.password,
    )


def paho_client(address: BrokerAddress, client_id: str, consumer: SignalConsumer) -> Any:
    """A paho 2 client on a persistent session with manual acknowledgement, wired to consumer."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=client_id,
        clean_session=False,
        protocol=mqtt.MQTTv311,
        manual_ack=True,
    )
    if address.username:
        client.username_pw_set(address.username, address.password)
    if address.tls:
        client.tls_set()
    client.on_connect = consumer.on_connect
    client.on_disconnect = consumer.on_disconnect
    client.on_message = consumer.on_message
    client.reconnect_delay_set(min_delay=1, max_delay=int(RETRY_MAX_SECONDS))
    return client


def consume(
    *, url: str, topic: str, client_id: str, batch_size: int, max_wait: float
) -> ConsumerStats:
    """Run the consumer until SIGTERM/SIGINT (set by the caller through ``consumer.stop``)."""
    import signal

    consumer = SignalConsumer(topic=topic, batch_size=batch_size, max_wait=max_wait)
    address = parse_url(url)
    client = paho_client(address, client_id, consumer)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: consumer.stop())
    # Asynchronous connect: a broker that is down at start is retried like one that restarts.
    client.connect_async(address.host, address.port, keepalive=30)
    client.loop_start()
    try:
        stats = consumer.run(client)
    finally:
        client.disconnect()
        client.loop_stop()
    logger.info("MQTT consumer stopped: %s", stats.summary())
    return stats
