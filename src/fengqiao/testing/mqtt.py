"""A private Mosquitto broker for tests that talk MQTT for real (signals, the septic story)."""

from __future__ import annotations

import getpass
import json
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class Broker:
    """A private Mosquitto with on-disk persistence, so it can be restarted like a real one."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.config = directory / "mosquitto.conf"
        self.config.write_text(
            # Stay the user running the tests (as root, Mosquitto would switch to "mosquitto"
            # and could not write its files here).
            f"user {getpass.getuser()}\n"
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\n"
            f"persistence true\npersistence_location {directory}/\n"
            f"log_dest file {directory}/mosquitto.log\n"
            # Mosquitto keeps at most 1,000 messages for an offline client by default and
            # drops the rest; a signal broker must keep them all (see the signals docs).
            "max_queued_messages 0\n"
        )
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen([MOSQUITTO, "-c", str(self.config)])  # noqa: S603

        def listening() -> bool:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            except OSError:
                return False
            return True

        wait_for(listening, 10, "the broker")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()  # SIGTERM: Mosquitto writes its persistence file
            self.process.wait(timeout=10)
            self.process = None

    def client(self, client_id: str = "", clean: bool = True) -> Any:
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=clean,
        )
        client.connect("127.0.0.1", self.port)
        client.loop_start()
        return client

    def open_session(self, client_id: str, topic: str) -> None:
        """Create the consumer's persistent session, so messages queue before it first runs."""
        client = self.client(client_id, clean=False)
        client.subscribe(topic, qos=1)
        wait_for(lambda: client.is_connected(), 5, "subscription")
        time.sleep(0.2)  # the SUBACK arrives on the network thread
        client.disconnect()
        client.loop_stop()

    def publish(self, topic: str, bodies: list[Any]) -> None:
        client = self.client()
        infos = [client.publish(topic, json.dumps(body), qos=1) for body in bodies]
        for info in infos:
            info.wait_for_publish(timeout=10)
        client.disconnect()
        client.loop_stop()
