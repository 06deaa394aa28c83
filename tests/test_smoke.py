"""End to end, as a newcomer runs it: ``fengqiao init --demo``, ``serve`` and ``worker`` as real
processes on a fresh database, then the web server is asked what a user would ask."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

FENGQIAO = [sys.executable, "-m", "fengqiao"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.environ.get("FENGQIAO_TEST_DB") != "pg":
        yield f"sqlite:///{tmp_path_factory.mktemp('smoke') / 'fengqiao.sqlite3'}"
        return
    import psycopg

    admin_url = os.environ["FENGQIAO_TEST_PG"]
    name = f"fengqiao_smoke_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> dict[str, str]:
    home: Path = tmp_path_factory.mktemp("home")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("FENGQIAO_", "DJANGO_"))}
    return {**clean, "FENGQIAO_HOME": str(home), "FENGQIAO_DATABASE_URL": database_url}


@pytest.fixture(scope="module")
def server(env: dict[str, str]) -> Iterator[str]:
    subprocess.run(
        [*FENGQIAO, "init", "--demo"], env=env, check=True, capture_output=True, timeout=300
    )
    port = _free_port()
    processes = [
        subprocess.Popen(
            [*FENGQIAO, "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
        subprocess.Popen(
            [*FENGQIAO, "worker", "--no-reload", "--no-startup-delay"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    ]
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.3)
        yield base
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def _get_json(url: str, token: str | None = None) -> tuple[int, object]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


class TestDemoInstallation:
    def test_health_reports_database_migrations_and_a_live_worker(self, server: str) -> None:
        deadline = time.monotonic() + 30
        body: dict[str, object] = {}
        while time.monotonic() < deadline:
            _, body = _get_json(f"{server}/healthz")  # type: ignore[assignment]
            if body.get("status") == "ok":
                break
            time.sleep(0.5)
        assert body["status"] == "ok", body

    def test_login_page_is_served_in_chinese(self, server: str) -> None:
        with urllib.request.urlopen(f"{server}/login/", timeout=10) as response:
            html = response.read().decode()
        assert "登录" in html
        assert "/static/" in html

    def test_static_files_are_served(self, server: str) -> None:
        with urllib.request.urlopen(
            f"{server}/static/vendor/leaflet/leaflet.js", timeout=10
        ) as response:
            assert response.status == 200

    def test_township_clerks_see_only_their_own_township_through_the_api(
        self, server: str, env: dict[str, str]
    ) -> None:
        seen: dict[str, set[str]] = {}
        for username in ("clerk", "clerk2"):
            token = subprocess.run(
                [*FENGQIAO, "token", username], env=env, check=True, capture_output=True, text=True
            ).stdout.strip()
            status, units = _get_json(f"{server}/api/v1/org-units?limit=5000", token)
            assert status == 200
            seen[username] = {u["code"] for u in units}  # type: ignore[union-attr, index]
            townships = {u["code"] for u in units if u["level"] == 3}  # type: ignore[union-attr, index]
            assert len(townships) == 1
        assert seen["clerk"]
        assert seen["clerk2"]
        assert not seen["clerk"] & seen["clerk2"]

    def test_default_taxonomy_is_loaded(self, server: str, env: dict[str, str]) -> None:
        token = subprocess.run(
            [*FENGQIAO, "token", "analyst"], env=env, check=True, capture_output=True, text=True
        ).stdout.strip()
        _, categories = _get_json(f"{server}/api/v1/categories", token)
        majors = [c for c in categories if c["kind"] == "major"]  # type: ignore[union-attr, index]
        assert len(majors) == 18
        _, channels = _get_json(f"{server}/api/v1/channels", token)
        assert len(channels) == 18  # type: ignore[arg-type]
