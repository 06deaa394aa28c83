"""MISSION item 8, end to end: in 渝北区 龙塔街道 工农社区 a septic tank past its maintenance date
→ warning → assigned to the township → verified on site by the grid worker → handled → closed
with feedback, inside half an hour, with the timings on the warning's timeline."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from fengqiao.early_warning.engine import sweep
from fengqiao.early_warning.models import Warning
from fengqiao.signals.models import Signal
from fengqiao.signals.mqtt import SignalConsumer, paho_client, parse_url
from fengqiao.testing.mqtt import MOSQUITTO, Broker, wait_for

pytestmark = pytest.mark.django_db


def post(client, url: str, body: object):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def run_queued_evaluation() -> None:
    """Run the evaluation task the API queued, as the worker would (in this test's transaction)."""
    from fengqiao.signals.tasks import evaluate_signal_batch

    (queued,) = DBTaskResult.objects.filter(task_path__endswith="evaluate_signal_batch")
    evaluate_signal_batch.call(*queued.args_kwargs["args"])


def act(api, username: str, warning_id: int, body: dict) -> dict:
    current = api(username).get(f"/api/v1/warnings/{warning_id}").json()
    response = post(
        api(username),
        f"/api/v1/warnings/{warning_id}/transitions",
        {"version": current["version"], **body},
    )
    assert response.status_code == 200, response.content
    return response.json()


def finish_story(api, warning_id: int) -> dict:
    assert (
        "verify" in api("b1a_grid").get(f"/api/v1/warnings/{warning_id}").json()["allowed_actions"]
    )
    mine = api("b1a_grid").get("/api/v1/warnings?mine=true").json()
    assert [w["id"] for w in mine] == [warning_id]
    act(api, "b1a_grid", warning_id, {"action": "verify", "note": "现场核实：化粪池维保超期属实"})
    act(api, "b1_clerk", warning_id, {"action": "handle", "note": "物业公司完成检修保养，隐患排除"})
    return act(
        api, "b1_clerk", warning_id, {"action": "close", "feedback": "已办结，结果反馈区治理中心"}
    )


def assert_timed_story(detail: dict) -> None:
    assert detail["status"] == "closed"
    assert detail["assigned_unit_name"] == "龙塔街道"
    assert detail["unit_name"] == "工农社区第1网格"
    steps = [e["kind"] for e in detail["events"]]
    assert steps == ["raised", "assigned", "verified", "handled", "closed"]
    minutes = [e["minutes_since_raised"] for e in detail["events"]]
    assert minutes == sorted(minutes)
    assert minutes[-1] <= 30
    assert detail["feedback"] == "已办结，结果反馈区治理中心"


class TestSepticTankStory:
    def test_from_a_signal_posted_to_the_api(self, ew, api):
        response = post(
            api("city_admin"),
            "/api/v1/signals",
            [
                {
                    "source": "wuye-yujing",
                    "device_id": ew.septic.code,  # the point's own code: "point or device id"
                    "kind": "maintenance_due",
                    "value": 10,
                    "observed_at": timezone.now().isoformat(),
                }
            ],
        )
        assert response.status_code == 202, response.content
        assert Warning.objects.count() == 0  # evaluated by the worker, not in the request
        run_queued_evaluation()
        (warning,) = Warning.objects.all()
        assert warning.status == "assigned"
        assert warning.risk_point == ew.septic
        assert_timed_story(finish_story(api, warning.pk))
        # The sweep sees the same overdue episode and raises nothing more.
        assert sweep() == 0

    @pytest.mark.skipif(not Path(MOSQUITTO).exists(), reason="mosquitto not installed")
    def test_from_a_signal_published_on_mqtt(self, ew, api, tmp_path):
        """Through a real broker: the consumer stores what it receives, acknowledges it only
        then, and the same story follows."""
        directory = tmp_path / "broker"
        directory.mkdir()
        broker = Broker(directory)
        broker.start()
        try:
            topic = "fengqiao/signals/#"
            consumer = SignalConsumer(topic=topic, max_wait=0.05)
            client = paho_client(parse_url(broker.url), "septic-story", consumer)
            client.connect("127.0.0.1", broker.port)
            client.loop_start()
            consumer.client = client
            try:
                wait_for(client.is_connected, 10, "the consumer's connection")
                # The SUBACK comes back on the network thread: publish until the consumer hears.
                body = {
                    "device_id": ew.septic.code,
                    "kind": "maintenance_due",
                    "value": 10,
                    "observed_at": timezone.now().isoformat(),
                }
                batch: list = []
                deadline = time.monotonic() + 10
                while not batch and time.monotonic() < deadline:
                    broker.publish("fengqiao/signals/wuye-yujing", [body])
                    batch = consumer.collect(first_timeout=0.5)
                consumer.process(batch)
            finally:
                client.disconnect()
                client.loop_stop()
        finally:
            broker.stop()
        assert consumer.stats.poison == 0
        # Published more than once until heard: the same reading is stored once.
        assert Signal.objects.filter(device_id=ew.septic.code).count() == 1
        assert Signal.objects.get(device_id=ew.septic.code).source == "wuye-yujing"
        run_queued_evaluation()
        (warning,) = Warning.objects.all()
        assert warning.status == "assigned"
        assert_timed_story(finish_story(api, warning.pk))

    def test_from_the_maintenance_sweep(self, ew, api):
        assert sweep() == 1
        warning = Warning.objects.get(rule__code="septic.maintenance")
        assert warning.value == 10
        assert_timed_story(finish_story(api, warning.pk))

    def test_the_scheduled_job_runs_the_sweep(self, ew):
        from fengqiao.core import schedule

        job = schedule.jobs()["early_warning.sweep"]
        assert job.every is not None
        job.task.call(slot_iso=timezone.now().isoformat())
        assert Warning.objects.filter(rule__code="septic.maintenance").count() == 1
