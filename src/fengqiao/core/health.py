"""Health report: database reachable, migrations applied, worker heartbeat age."""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Max
from django.utils import timezone

from fengqiao.core.models import WorkerHeartbeat


def health_report() -> tuple[bool, dict[str, Any]]:
    """Return (database_ok, report). Only an unreachable database makes the service unhealthy."""
    report: dict[str, Any] = {"status": "ok", "time": timezone.now().isoformat()}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        report["database"] = {"ok": True, "vendor": connection.vendor}
    except DatabaseError as exc:
        report["status"] = "unavailable"
        report["database"] = {"ok": False, "error": str(exc).splitlines()[0][:200]}
        report["migrations"] = {"ok": None}
        report["worker"] = {"ok": None}
        return False, report

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    report["migrations"] = {
        "ok": not pending,
        "pending": [f"{migration.app_label}.{migration.name}" for migration, _ in pending],
    }
    if pending:
        report["status"] = "degraded"
        report["worker"] = {"ok": None}
        return True, report

    last_seen = WorkerHeartbeat.objects.aggregate(last=Max("last_seen_at"))["last"]
    if last_seen is None:
        report["worker"] = {"ok": False, "heartbeat_age_seconds": None}
        report["status"] = "degraded"
    else:
        age = (timezone.now() - last_seen).total_seconds()
        # Heartbeats are written every 10 s; three missed ones means the worker is gone.
        worker_ok = age < 30
        report["worker"] = {"ok": worker_ok, "heartbeat_age_seconds": round(age, 1)}
        if not worker_ok:
            report["status"] = "degraded"
    return True, report
