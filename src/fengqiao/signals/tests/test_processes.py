"""Real processes, killed for real: the MQTT consumer and the worker under SIGKILL, the broker
restarting. Each test runs ``python -m fengqiao ...`` against a file database (SQLite) or a
scratch PostgreSQL database, and a private Mosquitto broker with its own persistence."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fengqiao.testing.mqtt import MOSQUITTO, Broker, wait_for

FENGQIAO = [sys.executable, "-m", "fengqiao"]

pytestmark = pytest.mark.skipif(not Path(MOSQUITTO).exists(), reason="mosquitto not installed")


@dataclass
class Database:
    url: str

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.url.startswith("sqlite"):
            with sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=20) as conn:
                return conn.execute(sql).fetchall()
        import psycopg

        with psycopg.connect(self.url) as conn:
            return conn.execute(sql).fetchall()  # type: ignore[arg-type]

    def scalar(self, sql: str) -> Any:
        return self.query(sql)[0][0]


def _environment(home: Path, url: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("FENGQIAO_", "DJANGO_"))}
    return {**clean, "FENGQIAO_HOME": str(home), "FENGQIAO_DATABASE_URL": url}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database initialised once (``fengqiao init``); each test works on a copy of it."""
    home = tmp_path_factory.mktemp("template")
    if os.environ.get("FENGQIAO_TEST_DB") != "pg":
        url = f"sqlite:///{home / 'template.sqlite3'}"
        subprocess.run(
            [*FENGQIAO, "init", "--no-static"],
            env=_environment(home, url),
            check=True,
            capture_output=True,
            timeout=300,
        )
        yield url
        return
    import psycopg

    admin_url = os.environ["FENGQIAO_TEST_PG"]
    name = f"fengqiao_signals_tpl_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = admin_url.rsplit("/", 1)[0] + f"/{name}"
        subprocess.run(
            [*FENGQIAO, "init", "--no-static"],
            env=_environment(home, url),
            check=True,
            capture_output=True,
            timeout=300,
        )
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database(template: str, tmp_path: Path) -> Iterator[Database]:
    if template.startswith("sqlite"):
        copy = tmp_path / "fengqiao.sqlite3"
        shutil.copy(template.removeprefix("sqlite:///"), copy)
        yield Database(f"sqlite:///{copy}")
        return
    import psycopg

    admin_url = os.environ["FENGQIAO_TEST_PG"]
    name = f"fengqiao_signals_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template.rsplit("/", 1)[1]}"')
    try:
        yield Database(admin_url.rsplit("/", 1)[0] + f"/{name}")
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def env(tmp_path: Path, database: Database) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    return _environment(home, database.url)


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    directory = tmp_path / "broker"
    directory.mkdir()
    broker = Broker(directory)
    broker.start()
    yield broker
    broker.stop()


def reading(tag: str, n: int) -> dict[str, Any]:
    return {
        "source": tag,
        "device_id": f"{tag}-{n:05d}",
        "kind": "level",
        "value": n / 10,
        "observed_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 60)),
    }


def consumer(env: dict[str, str], broker: Broker, topic: str, client_id: str) -> Any:
    return subprocess.Popen(
        [
            *FENGQIAO,
            "signals",
            "mqtt",
            "--url",
            broker.url,
            "--topic",
            topic,
            "--client-id",
            client_id,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stored(database: Database, tag: str) -> tuple[int, int]:
    # The tag is the test's own uuid: nothing to escape.
    sql = f"SELECT count(*), count(DISTINCT device_id) FROM signals_signal WHERE source = '{tag}'"  # noqa: S608
    row = database.query(sql)[0]
    return int(row[0]), int(row[1])


class TestMqttConsumer:
    def test_sigkill_mid_stream_then_restart_stores_every_message_once(
        self, env: dict[str, str], broker: Broker, database: Database
    ) -> None:
        tag = f"t{uuid.uuid4().hex[:8]}"
        topic, client_id = f"fqtest/{tag}/#", f"fq-{tag}"
        broker.open_session(client_id, topic)
        total = 1500
        bodies: list[Any] = [reading(tag, n) for n in range(total)]
        bodies[100:100] = ["not a signal", {"kind": "level"}]  # poison must not block the queue
        broker.publish(f"fqtest/{tag}/tank", bodies)

        first = consumer(env, broker, topic, client_id)
        try:
            wait_for(lambda: stored(database, tag)[0] >= 200, 45, "the first signals")
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        killed_at = stored(database, tag)[0]
        assert killed_at < total, "the consumer was not killed mid-stream"

        second = consumer(env, broker, topic, client_id)
        try:
            wait_for(lambda: stored(database, tag)[0] >= total, 60, "every signal")
        finally:
            second.send_signal(signal.SIGTERM)
            output, _ = second.communicate(timeout=15)
        assert second.returncode == 0, output
        assert stored(database, tag) == (total, total)
        assert "invalid messages" in output

    def test_broker_restart_loses_nothing(
        self, env: dict[str, str], broker: Broker, database: Database
    ) -> None:
        tag = f"t{uuid.uuid4().hex[:8]}"
        topic, client_id = f"fqtest/{tag}/#", f"fq-{tag}"
        broker.open_session(client_id, topic)
        process = consumer(env, broker, topic, client_id)
        try:
            broker.publish(f"fqtest/{tag}/a", [reading(tag, n) for n in range(100)])
            wait_for(lambda: stored(database, tag)[0] == 100, 45, "the first hundred")
            broker.stop()
            broker.start()
            broker.publish(f"fqtest/{tag}/a", [reading(tag, n) for n in range(100, 200)])
            # Reconnecting backs off from one second up; a loaded machine needs the margin.
            wait_for(lambda: stored(database, tag)[0] == 200, 60, "signals after the restart")
        finally:
            process.send_signal(signal.SIGTERM)
            output, _ = process.communicate(timeout=15)
        assert process.returncode == 0, output
        assert stored(database, tag) == (200, 200)


SETUP = """
import django
django.setup()
from datetime import timedelta
from django.utils import timezone
from fengqiao.accounts.models import Role, User
from fengqiao.early_warning.points import PointIn, point_save
from fengqiao.early_warning.rules import load_default_rules
from fengqiao.orgs.models import Level
from fengqiao.orgs.services import org_unit_create
from fengqiao.signals.services import signals_ingest
from fengqiao.testing.region import square
parent = None
for level, code, name in [
    (Level.CITY, "500000000000", "重庆市"), (Level.DISTRICT, "500112000000", "渝北区"),
    (Level.TOWNSHIP, "500112001000", "龙塔街道"), (Level.VILLAGE, "500112001001", "工农社区"),
    (Level.GRID, "500112001001001", "工农社区第1网格"),
]:
    parent = org_unit_create(code=code, name=name, level=level, parent=parent,
                             boundary=square(105.5, 29.0, 0.01 * (6 - level)))
admin = User.objects.create(username="admin", role=Role.ADMIN, is_superuser=True, is_staff=True)
load_default_rules()
point_save(actor=admin, data=PointIn(
    code="YB-HFC-0002", name="工农社区2号化粪池", point_type="septic_tank",
    lng=105.505, lat=29.005, devices=["YB-HFC-0002-LV"]))
start = timezone.now() - timedelta(minutes=30)
for n in range({batches}):
    at = (start + timedelta(seconds=10 * n)).isoformat()
    signals_ingest(actor=None, items=[
        {{"source": "iot", "device_id": "YB-HFC-0002-LV", "kind": "level", "value": 0.9, "observed_at": at}},
        {{"source": "iot", "device_id": f"other-{{n}}", "kind": "level", "value": 0.1, "observed_at": at}},
    ])
"""

# The real worker command, with the engine made to stop dead once, after it has written its
# warning but before the transaction commits: the worst moment to be killed.
HANGING_WORKER = """
import os, time
from fengqiao.early_warning import engine
real = engine.evaluate_batch
def hanging(batch_id):
    raised = real(batch_id)
    if batch_id == {victim} and not os.path.exists({mark!r}):
        open({mark!r}, "w").close()
        time.sleep(120)
    return raised
engine.evaluate_batch = hanging
from django.core.management import call_command
call_command("worker", "--no-reload", "--no-startup-delay", "--interval", "0.1")
"""


class TestWorkerKilled:
    def test_sigkill_while_evaluating_loses_no_batch_and_duplicates_no_warning(
        self, env: dict[str, str], database: Database, tmp_path: Path
    ) -> None:
        batches = 12
        script_env = {**env, "DJANGO_SETTINGS_MODULE": "fengqiao.settings"}
        mark = str(tmp_path / "hanging")
        # One process: store the batches, then run the worker (the fifth batch is the victim;
        # batch ids start at 1 in a fresh database).
        script = SETUP.format(batches=batches) + HANGING_WORKER.format(victim=5, mark=mark)
        worker = subprocess.Popen(
            [sys.executable, "-c", script],
            env=script_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        victim = 5
        try:
            wait_for(lambda: os.path.exists(mark), 40, "the worker to reach the victim batch")
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        assert (
            database.scalar(
                f"SELECT evaluated_at FROM signals_signalbatch WHERE id = {victim}"  # noqa: S608
            )
            is None
        )
        fired = (
            "SELECT w.fire_count FROM early_warning_warning w "
            "JOIN early_warning_warningrule r ON r.id = w.rule_id WHERE r.code = 'septic.level'"
        )
        # Batches 1-4 committed; the victim's update of the warning died with its transaction.
        assert database.query(fired) == [(victim - 1,)]
        # Its task is stranded as RUNNING; nothing would ever run it again by itself.
        assert (
            database.scalar(
                "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"
            )
            == 1
        )

        restarted = subprocess.Popen(
            [*FENGQIAO, "worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        unevaluated = "SELECT count(*) FROM signals_signalbatch WHERE evaluated_at IS NULL"
        try:
            wait_for(lambda: database.scalar(unevaluated) == 1, 60, "the other batches")
            # What the every-minute recovery job does, without waiting for the minute.
            recovered = subprocess.run(
                [*FENGQIAO, "signals", "recover", "--older-than", "0"],
                env=env,
                check=True,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert "queued again: 1" in recovered.stdout
            wait_for(lambda: database.scalar(unevaluated) == 0, 60, "every batch evaluated")
        finally:
            restarted.terminate()
            restarted.wait(timeout=20)
        assert database.query(fired) == [(batches,)]
        assert database.scalar("SELECT count(*) FROM early_warning_batchevaluation") == batches
