"""API intake throughput: ``POST /api/v1/cases`` on ``fengqiao serve`` versus a bare Django view
that inserts one row (``bench/bare``), served by the same gunicorn settings on the same PostgreSQL.

A scratch database is created and loaded with ``init --demo``; eight client threads on loopback
then register cases as the demo clerk (token auth, routing, assignments, timers and the case
detail in the answer, as an integration sees it) for a bounded time and count. The same clients
then post the same payloads to the bare view. Both run in this process on this machine, so their
ratio is the figure that means something.

    python bench/intake.py --seconds 20
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pg import SRC, fengqiao, fengqiao_env, init_demo, scratch_database

BENCH = Path(__file__).resolve().parent
CLIENTS = 8
TARGET_RATIO = 0.5
THREADS = 4
CATEGORIES = ("M02.04", "M02.05", "M02.08", "M01.10", "M12.01", "M12.02", "M06.01", "M10.01")
CHANNELS = ("window", "12345", "visit", "grid-patrol", "110")


def _workers() -> int:
    sys.path.insert(0, str(SRC))
    from fengqiao.core.management.commands.serve import default_workers

    return default_workers()


def _gunicorn_flags(port: int, workers: int) -> list[str]:
    """What ``fengqiao serve`` passes to gunicorn, for the baseline to run under the same."""
    return [
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--threads={THREADS}",
        "--worker-class=gthread",
        "--access-logfile=-",
        "--timeout=60",
        "--graceful-timeout=20",
    ]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _serving(command: list[str], env: dict[str, str], port: int, probe: str) -> Iterator[None]:
    process = subprocess.Popen(
        command, env=env, cwd=BENCH, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", probe)
                conn.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"server did not start: {command}") from None
                time.sleep(0.3)
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def _payloads(database_url: str, seed: int = 5) -> Callable[[], bytes]:
    """Random intake payloads in the demo clerk's township (胜利路街道), by unit or by point."""
    with psycopg.connect(database_url) as conn:
        grids = conn.execute(
            "SELECT id, centroid_lat, centroid_lng FROM orgs_orgunit"
            " WHERE level = 5 AND code LIKE '500118001%'"
        ).fetchall()
    rng = random.Random(seed)
    lock = threading.Lock()

    def payload() -> bytes:
        with lock:
            unit_id, lat, lng = rng.choice(grids)
            category, channel = rng.choice(CATEGORIES), rng.choice(CHANNELS)
            phone = f"138{rng.randrange(10**8):08d}"
            where = {"unit_id": unit_id} if rng.random() < 0.5 else {"lat": lat, "lng": lng}
        return json.dumps(
            {
                "title": "邻居装修噪音扰民",
                "description": "楼上邻居连续两周夜间装修，多次沟通无果，请求协调。",
                "category": category,
                "report": {"channel": channel, "reporter_name": "王芳", "reporter_phone": phone},
                "parties": [{"role": "applicant", "name": "王芳", "phone": phone}],
                **where,
            },
            ensure_ascii=False,
        ).encode()

    return payload


def _load(
    port: int, path: str, headers: dict[str, str], payload: Callable[[], bytes], seconds: float
) -> tuple[int, int, float, list[float]]:
    """Eight clients posting for ``seconds`` (and at most 100,000 requests): (ok, failed,
    elapsed, latencies)."""
    budget = threading.Semaphore(100_000)
    latencies: list[float] = []
    failed = [0]
    lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, bad = [], 0
        while time.perf_counter() < deadline and budget.acquire(blocking=False):
            body = payload()
            began = time.perf_counter()
            conn.request("POST", path, body, headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - began)
            bad += response.status not in (200, 201)
        with lock:
            latencies.extend(mine)
            failed[0] += bad

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) - failed[0], failed[0], time.perf_counter() - start, latencies


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def _measure(
    server: tuple[list[str], dict[str, str], int, str],
    path: str,
    headers: dict[str, str],
    payload: Callable[[], bytes],
    seconds: float,
) -> tuple[int, int, float, list[float]]:
    """Start ``server`` (command, environment, port, readiness probe) and load it."""
    command, env, port, probe = server
    headers = {"Content-Type": "application/json", **headers}
    with _serving(command, env, port, probe):
        _load(port, path, headers, payload, 2.0)  # warm-up: connections, caches, grid index
        return _load(port, path, headers, payload, seconds)


def bench_intake(seconds: float = 20.0) -> dict[str, object]:
    workers = _workers()
    with scratch_database("intake") as url, tempfile.TemporaryDirectory() as home:
        env = fengqiao_env(url, home)
        init_demo(env)
        token = fengqiao("token", "clerk", "--name", "bench", env=env).stdout.strip()
        payload = _payloads(url)
        port = _free_port()
        serve = [sys.executable, "-m", "fengqiao", "serve", "--host", "127.0.0.1"]
        serve += ["--port", str(port), "--workers", str(workers), "--threads", str(THREADS)]
        auth = {"Authorization": f"Bearer {token}"}
        ok, failed, elapsed, latencies = _measure(
            (serve, env, port, "/healthz"), "/api/v1/cases", auth, payload, seconds
        )
        bare_env = {**env, "DJANGO_SETTINGS_MODULE": "bare.settings"}
        bare_env["PYTHONPATH"] = os.pathsep.join([str(BENCH), env["PYTHONPATH"]])
        subprocess.run(
            [sys.executable, "-m", "django", "migrate", "--run-syncdb", "--verbosity=0"],
            env=bare_env,
            cwd=BENCH,
            check=True,
        )
        gunicorn = [sys.executable, "-m", "gunicorn", "bare.wsgi:application"]
        gunicorn += _gunicorn_flags(port, workers)
        bare_ok, bare_failed, bare_elapsed, _ = _measure(
            (gunicorn, bare_env, port, "/intake"), "/intake", {}, payload, seconds
        )
        with psycopg.connect(url) as conn:
            (created,) = conn.execute("SELECT count(*) FROM cases_case").fetchone() or (0,)
    intake_rate, bare_rate = ok / elapsed, bare_ok / bare_elapsed
    return {
        "bench": "intake",
        "clients": CLIENTS,
        "gunicorn": f"{workers} workers x {THREADS} threads (gthread)",
        "seconds_each": seconds,
        "intake_requests": ok,
        "intake_failed": failed,
        "intake_requests_per_second": round(intake_rate, 1),
        "intake_p50_ms": round(_percentile(latencies, 0.5) * 1000, 1),
        "intake_p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
        "bare_requests_per_second": round(bare_rate, 1),
        "bare_failed": bare_failed,
        "ratio_vs_bare": round(intake_rate / bare_rate, 3),
        "target_ratio": TARGET_RATIO,
        "cases_in_database": created,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    print(json.dumps(bench_intake(args.seconds), ensure_ascii=False))


if __name__ == "__main__":
    main()
