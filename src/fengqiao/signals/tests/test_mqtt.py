"""The consumer's logic against a fake broker client: batching, acknowledgement, poison."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import OperationalError

from fengqiao.signals.models import Signal
from fengqiao.signals.mqtt import Inbound, SignalConsumer, parse_url, topic_source
from fengqiao.signals.services import IngestResult, signals_store
from fengqiao.signals.tests.helpers import at, item

TOPIC = "fengqiao/signals/#"


class FakeClient:
    def __init__(self) -> None:
        self.acked: list[int] = []
        self.subscribed: list[tuple[str, int]] = []

    def subscribe(self, topic: str, qos: int = 0) -> None:
        self.subscribed.append((topic, qos))

    def ack(self, mid: int, qos: int) -> None:
        self.acked.append(mid)


def message(mid: int, body: Any, topic: str = "fengqiao/signals/septic", generation: int = 0):
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Inbound(mid=mid, qos=1, topic=topic, payload=payload, generation=generation)


@pytest.fixture
def consumer() -> SignalConsumer:
    consumer = SignalConsumer(topic=TOPIC)
    consumer.client = FakeClient()
    return consumer


def acked(consumer: SignalConsumer) -> list[int]:
    return consumer.client.acked  # type: ignore[union-attr]


@pytest.mark.django_db
class TestProcess:
    def test_a_batch_is_stored_in_one_go_then_every_message_acked(
        self, consumer: SignalConsumer
    ) -> None:
        consumer.process(
            [
                message(1, item(device_id="a")),
                message(2, [item(device_id="b"), item(device_id="c")]),
            ]
        )
        assert Signal.objects.count() == 3
        assert consumer.stats.batches == 1
        assert acked(consumer) == [1, 2]

    def test_redelivered_messages_are_duplicates_not_new_rows(
        self, consumer: SignalConsumer
    ) -> None:
        body = item(device_id="a", observed_at=at(2))
        consumer.process([message(1, body)])
        consumer.process([message(1, body), message(2, body)])
        assert Signal.objects.count() == 1
        assert (consumer.stats.stored, consumer.stats.duplicates) == (1, 2)

    def test_poison_messages_are_counted_and_acked_without_blocking_the_rest(
        self, consumer: SignalConsumer
    ) -> None:
        consumer.process(
            [
                message(1, b"\xff not json"),
                message(2, item(device_id="good")),
                message(3, [item(device_id="x"), item(kind="")]),
                message(4, "a string"),
            ]
        )
        assert list(Signal.objects.values_list("device_id", flat=True)) == ["good"]
        assert consumer.stats.poison == 3
        assert sorted(acked(consumer)) == [1, 2, 3, 4]

    def test_nothing_is_acked_before_the_batch_commits(self, consumer: SignalConsumer) -> None:
        calls: list[int] = []

        def flaky_store(**kwargs: Any) -> IngestResult:
            calls.append(len(acked(consumer)))
            if len(calls) == 1:
                raise OperationalError("database went away")
            return signals_store(**kwargs)

        consumer.store = flaky_store
        consumer.stopping.wait = lambda timeout=None: False  # type: ignore[method-assign]
        consumer.process([message(7, item())])
        assert calls == [0, 0]  # no ack during either attempt
        assert acked(consumer) == [7]
        assert Signal.objects.count() == 1

    def test_stopping_while_the_database_is_down_acks_nothing(
        self, consumer: SignalConsumer
    ) -> None:
        def down(**kwargs: Any) -> IngestResult:
            raise OperationalError("database is down")

        consumer.store = down
        consumer.stop()
        consumer.process([message(7, item())])
        assert acked(consumer) == []

    def test_messages_from_before_a_reconnect_are_not_acked(self, consumer: SignalConsumer) -> None:
        consumer.on_disconnect(None, None, None, "lost", None)
        consumer.process([message(1, item(device_id="old"), generation=0)])
        consumer.process([message(1, item(device_id="new"), generation=1)])
        assert Signal.objects.count() == 2
        assert acked(consumer) == [1]  # only the packet id of the current connection


class TestCollect:
    def test_batch_ends_at_batch_size(self) -> None:
        consumer = SignalConsumer(topic=TOPIC, batch_size=3, max_wait=5)
        for mid in range(5):
            consumer.inbox.put(message(mid, {}))
        assert [m.mid for m in consumer.collect()] == [0, 1, 2]
        assert [m.mid for m in consumer.collect()] == [3, 4]
        assert consumer.collect(first_timeout=0.01) == []

    def test_connect_subscribes_with_qos_1(self) -> None:
        consumer, client = SignalConsumer(topic=TOPIC), FakeClient()
        consumer.on_connect(client, None, None, "Success", None)
        assert client.subscribed == [(TOPIC, 1)]


class TestTopicsAndUrls:
    def test_source_comes_from_the_level_under_the_filter(self) -> None:
        assert topic_source(TOPIC, "fengqiao/signals/water/p7") == "water"
        assert topic_source("fengqiao/+/x", "fengqiao/gas/x") == "gas"
        assert topic_source(TOPIC, "fengqiao/signals") == ""

    def test_broker_urls(self) -> None:
        plain = parse_url("mqtt://127.0.0.1:1883")
        assert (plain.host, plain.port, plain.tls) == ("127.0.0.1", 1883, False)
        secure = parse_url("mqtts://u:p@broker.example")
        assert (secure.port, secure.tls, secure.username, secure.password) == (8883, True, "u", "p")
        with pytest.raises(ValueError, match="mqtt://"):
            parse_url("http://broker")
