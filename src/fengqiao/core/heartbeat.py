"""Worker heartbeat: a daemon thread that touches this worker's row every few seconds."""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

from fengqiao.core import schedule
from fengqiao.core.models import WorkerHeartbeat
from fengqiao.core.recovery import requeue_orphans

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10.0


def beat(worker_id: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname(),
            "pid": os.getpid(),
            "last_seen_at": timezone.now(),
        },
        create_defaults={
            "hostname": socket.gethostname(),
            "pid": os.getpid(),
            "started_at": timezone.now(),
            "last_seen_at": timezone.now(),
        },
    )


class HeartbeatThread(threading.Thread):
    def __init__(self, worker_id: str, interval: float = HEARTBEAT_SECONDS) -> None:
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                close_old_connections()
                beat(self.worker_id)
                schedule.ensure_scheduled()
                requeue_orphans()
            except DatabaseError:
                # A database hiccup must not kill the worker; /healthz shows the stale beat.
                logger.exception("worker heartbeat or schedule failed")
            self.stopped.wait(self.interval)
        connection.close()

    def stop(self) -> None:
        self.stopped.set()
        WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
