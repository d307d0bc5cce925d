"""Fixtures for the operations tests."""

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis

from tests.conftest import service_missing

PORTS = range(6391, 6400)


class OwnRedis:
    """A redis-server for this test only, on a free port in 6391-6399."""

    def __init__(self, workdir: Path):
        binary = shutil.which("redis-server")
        if binary is None:
            service_missing("needs Redis: no redis-server (apt-get install redis-server)")
        for port in PORTS:
            with socket.socket() as probe:
                try:
                    probe.bind(("127.0.0.1", port))
                except OSError:
                    continue
            proc = subprocess.Popen(  # noqa: S603 - the system's redis-server, our arguments
                [
                    binary,
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(workdir),
                ],  # fmt: skip
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if self._answers(proc, port):
                self.proc, self.port = proc, port
                self.url = f"redis://127.0.0.1:{port}/0"
                return
            proc.kill()
            proc.wait()
        pytest.fail("no free port for a redis-server in 6391-6399")

    @staticmethod
    def _answers(proc: subprocess.Popen, port: int) -> bool:
        """True once this process (not another one on the port) answers a PING."""
        client = redis.Redis(port=port, socket_timeout=1, socket_connect_timeout=1)
        deadline = time.monotonic() + 10
        try:
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    if client.info("server")["process_id"] == proc.pid:
                        return True
                except redis.RedisError:
                    time.sleep(0.05)
            return False
        finally:
            client.close()

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)

    def hang(self) -> None:
        os.kill(self.proc.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.proc.pid, signal.SIGCONT)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.resume()
            self.stop()


@pytest.fixture
def own_redis(tmp_path):
    server = OwnRedis(tmp_path)
    yield server
    server.close()
