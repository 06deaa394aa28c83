from __future__ import annotations

from datetime import timedelta
from unittest import mock

from django.db import DatabaseError
from django.test import Client
from django.utils import timezone

from fengqiao.core.heartbeat import beat
from fengqiao.core.models import WorkerHeartbeat


class TestHealthz:
    def test_reports_database_migrations_and_missing_worker(self, db):
        response = Client().get("/healthz")
        assert response.status_code == 200
        body = response.json()
        assert body["database"]["ok"] is True
        assert body["migrations"] == {"ok": True, "pending": []}
        assert body["worker"] == {"ok": False, "heartbeat_age_seconds": None}
        assert body["status"] == "degraded"

    def test_fresh_heartbeat_is_ok(self, db):
        beat("w1")
        body = Client().get("/healthz").json()
        assert body["worker"]["ok"] is True
        assert body["worker"]["heartbeat_age_seconds"] < 5
        assert body["status"] == "ok"

    def test_stale_heartbeat_is_degraded(self, db):
        beat("w1")
        WorkerHeartbeat.objects.update(last_seen_at=timezone.now() - timedelta(minutes=5))
        body = Client().get("/healthz").json()
        assert body["worker"]["ok"] is False
        assert body["worker"]["heartbeat_age_seconds"] >= 300

    def test_unreachable_database_is_503(self, db):
        with mock.patch(
            "fengqiao.core.health.connection.cursor",
            side_effect=DatabaseError("connection refused"),
        ):
            response = Client().get("/healthz")
        assert response.status_code == 503
        assert response.json()["database"] == {"ok": False, "error": "connection refused"}
