"""Signal-to-warning latency: ``POST /api/v1/signals`` at 1,000 signals/s under ``fengqiao serve``
and ``fengqiao worker`` on PostgreSQL, timed until each threshold-crossing signal's warning is
assigned to its township.

A scratch database gets the default warning rules (``septic.level``: level over 0.85) and a
township with ``POINTS`` septic tanks, each with a level sensor. Clients post a batch of
``BATCH`` signals every ``1000 / RATE * BATCH`` ms for ``seconds``: readings of the tanks and of
unlinked sensors under the threshold, and in some batches one tank crossing it for the first time
(a new warning). The latency of a crossing is the moment the worker assigned its warning to the
township — the warning's ``updated_at``, stamped by the worker's clock when it saves the
assignment (``created_at``/``assigned_at`` carry the signal's own time, for the timeline) —
minus the moment its POST was sent, both on this machine's clock. The baseline is the POST round trip itself (what intake alone costs), so the ratio shows
how much of the latency is the queue and the engine.

    python bench/signals_latency.py --seconds 20
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pg import fengqiao, fengqiao_env, scratch_database

RATE = 1000  # signals per second
BATCH = 200  # signals per POST: a gateway's fifth of a second
POINTS = 400  # septic tanks with a level sensor
UNLINKED = 600  # other sensors, not tied to a risk point
CROSSINGS_PER_SECOND = 4
THRESHOLD = 0.85
# How often the worker looks for new tasks when idle (db_worker --interval; default 1 s).
WORKER_INTERVAL = 0.05
TARGET_P99_MS = 1000.0

SETUP = """
import django
django.setup()
from fengqiao.accounts.models import Role, User
from fengqiao.early_warning.points import PointIn, point_save
from fengqiao.early_warning.rules import load_default_rules
from fengqiao.orgs.models import Level
from fengqiao.orgs.services import org_unit_create
from fengqiao.testing.region import square
parent = None
for level, code, name in [
    (Level.CITY, "500000000000", "重庆市"), (Level.DISTRICT, "500112000000", "渝北区"),
    (Level.TOWNSHIP, "500112001000", "龙塔街道"), (Level.VILLAGE, "500112001001", "工农社区"),
]:
    parent = org_unit_create(code=code, name=name, level=level, parent=parent,
                             boundary=square(105.5, 29.0, 0.1))
grid = org_unit_create(code="500112001001001", name="工农社区第1网格", level=Level.GRID,
                       parent=parent, boundary=square(105.5, 29.0, 0.1))
admin = User.objects.create(username="bench", role=Role.ADMIN, is_superuser=True, is_staff=True)
load_default_rules()
for n in range({points}):
    point_save(actor=admin, data=PointIn(
        code=f"ST-{{n:04d}}", name=f"化粪池{{n}}", point_type="septic_tank",
        lng=105.5 + 0.0002 * (n % 400), lat=29.0 + 0.0002 * (n // 400 + 1),
        devices=[f"ST-{{n:04d}}-LV"]))
"""


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def _wait_http(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("fengqiao serve did not start") from None
            time.sleep(0.3)


class Load:
    """Batches on a fixed schedule from a small pool of keep-alive connections."""

    def __init__(
        self, port: int, token: str, seconds: float, seed: int = 11, crossings: bool = True
    ) -> None:
        self.port, self.token, self.seconds = port, token, seconds
        self.crossings = crossings
        self.rng = random.Random(seed)
        self.local = threading.local()
        self.lock = threading.Lock()
        self.sent_at: dict[str, float] = {}  # crossing device → wall-clock time of its POST
        self.post_ms: list[float] = []
        self.failed = 0
        self.signals = 0

    def _conn(self) -> http.client.HTTPConnection:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        return conn

    def batch(self, index: int, crossing: str | None) -> list[dict[str, object]]:
        now = datetime.now(UTC)
        items: list[dict[str, object]] = []
        with self.lock:
            for _slot in range(BATCH):
                pick = self.rng.randrange(POINTS + UNLINKED)
                device = f"ST-{pick:04d}-LV" if pick < POINTS else f"AIR-{pick:04d}"
                items.append(
                    {
                        "source": "bench",
                        "device_id": device,
                        "kind": "level",
                        "value": round(self.rng.uniform(0.1, 0.6), 3),
                        "observed_at": now.isoformat(),
                    }
                )
            # Same device twice in one instant would be one signal: give each its own microsecond.
            for slot, item in enumerate(items):
                item["observed_at"] = now.replace(microsecond=slot).isoformat()
            if crossing is not None:
                items[-1].update(device_id=crossing, value=0.93)
        return items

    def send(self, index: int, due: float, crossing: str | None) -> None:
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        body = json.dumps(self.batch(index, crossing)).encode()
        conn = self._conn()
        sent = time.time()
        began = time.perf_counter()
        conn.request(
            "POST",
            "/api/v1/signals",
            body,
            {"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
        )
        response = conn.getresponse()
        response.read()
        elapsed = (time.perf_counter() - began) * 1000
        with self.lock:
            self.post_ms.append(elapsed)
            if response.status != 202:
                self.failed += 1
            else:
                self.signals += BATCH
                if crossing is not None:
                    self.sent_at[crossing] = sent

    def run(self) -> None:
        batches = int(self.seconds * RATE / BATCH)
        per_second = RATE // BATCH
        every = max(1, per_second // CROSSINGS_PER_SECOND)
        tanks = iter(f"ST-{n:04d}-LV" for n in self.rng.sample(range(POINTS), POINTS))
        start = time.perf_counter() + 0.5
        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [
                pool.submit(
                    self.send,
                    index,
                    start + index * BATCH / RATE,
                    next(tanks, None) if self.crossings and index % every == 0 else None,
                )
                for index in range(batches)
            ]
            for future in futures:
                future.result()


def _assigned(url: str) -> dict[str, float]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT d.device_id, w.updated_at FROM early_warning_warning w "
            "JOIN early_warning_device d ON d.risk_point_id = w.risk_point_id "
            "JOIN early_warning_warningrule r ON r.id = w.rule_id "
            "WHERE r.code = 'septic.level' AND w.assigned_at IS NOT NULL"
        ).fetchall()
    return {device: at.timestamp() for device, at in rows}


def bench_signals_latency(seconds: float = 20.0, workers: int = 2) -> dict[str, object]:
    with scratch_database("signals") as url, tempfile.TemporaryDirectory() as home:
        env = fengqiao_env(url, home)
        fengqiao("init", "--no-static", env=env)
        subprocess.run(
            [sys.executable, "-c", SETUP.format(points=POINTS)],
            env={**env, "DJANGO_SETTINGS_MODULE": "fengqiao.settings"},
            check=True,
            capture_output=True,
        )
        token = fengqiao("token", "bench", "--name", "bench", env=env).stdout.strip()
        port = _free_port()
        serve = subprocess.Popen(
            [sys.executable, "-m", "fengqiao", "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        worker_cmd = [sys.executable, "-m", "fengqiao", "worker", "--no-reload"]
        worker_cmd += ["--no-startup-delay", "--interval", str(WORKER_INTERVAL)]
        pool = [
            subprocess.Popen(
                worker_cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            for _ in range(workers)
        ]
        try:
            _wait_http(port, serve)
            # Warm-up (connections, grid index, engine) without crossings: every warning
            # measured below is raised by the timed run.
            Load(port, token, 2.0, seed=1, crossings=False).run()
            load = Load(port, token, seconds)
            began = time.perf_counter()
            load.run()
            elapsed = time.perf_counter() - began
            deadline = time.monotonic() + 30
            while True:
                assigned = _assigned(url)
                if all(d in assigned for d in load.sent_at) or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            with psycopg.connect(url) as conn:
                (backlog,) = conn.execute(
                    "SELECT count(*) FROM signals_signalbatch WHERE evaluated_at IS NULL"
                ).fetchone() or (0,)
        finally:
            for process in [serve, *pool]:
                process.terminate()
            for process in [serve, *pool]:
                process.wait(timeout=30)
    latencies = [(assigned[d] - sent) * 1000 for d, sent in load.sent_at.items() if d in assigned]
    post_p50 = _percentile(load.post_ms, 0.5)
    p99 = _percentile(latencies, 0.99)
    return {
        "bench": "signals_latency",
        "target_signals_per_second": RATE,
        "signals_per_second": round(load.signals / elapsed, 1),
        "batch_size": BATCH,
        "seconds": seconds,
        "worker_processes": workers,
        "worker_interval_s": WORKER_INTERVAL,
        "posts_failed": load.failed,
        "post_p50_ms": round(post_p50, 1),
        "post_p99_ms": round(_percentile(load.post_ms, 0.99), 1),
        "crossings": len(load.sent_at),
        "warnings_assigned": len(latencies),
        "warnings_missing": len(load.sent_at) - len(latencies),
        "latency_p50_ms": round(_percentile(latencies, 0.5), 1),
        "latency_p99_ms": round(p99, 1),
        "latency_max_ms": round(max(latencies, default=0.0), 1),
        "latency_p50_vs_post_p50": round(_percentile(latencies, 0.5) / post_p50, 2)
        if post_p50
        else None,
        "target_p99_ms": TARGET_P99_MS,
        "meets_target": bool(latencies) and p99 < TARGET_P99_MS,
        "unevaluated_batches_at_end": backlog,
    }


def run(**kwargs: object) -> dict[str, object]:
    return bench_signals_latency(**kwargs)  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(json.dumps(bench_signals_latency(args.seconds, args.workers), ensure_ascii=False))


if __name__ == "__main__":
    main()
