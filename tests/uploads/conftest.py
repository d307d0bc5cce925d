"""A real, tiny clamd: speaks the INSTREAM protocol over TCP or a unix socket, in a thread,
answers FOUND when the reassembled stream contains the EICAR test string and OK otherwise,
and keeps what it received so tests can check the framing byte for byte."""

import socket
import socketserver
import struct
import threading
from dataclasses import dataclass, field

import pytest

# The EICAR anti-virus test string, in two halves so this file is not itself "infected".
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE = b"Eicar-Test-Signature"


@dataclass
class Stream:
    command: bytes = b""
    chunk_sizes: list[int] = field(default_factory=list)
    data: bytes = b""
    terminated: bool = False  # the zero-length chunk arrived


class _Handler(socketserver.BaseRequestHandler):
    def handle(self):
        server = self.server
        stream = Stream()
        with server.lock:
            server.streams.append(stream)
        with self.request.makefile("rb") as reader:
            while not stream.command.endswith(b"\0") and len(stream.command) < 64:
                byte = reader.read(1)
                if not byte:
                    return
                stream.command += byte
            if server.behaviour == "hang":
                server.release.wait(30)
                return
            received = []
            while True:
                header = reader.read(4)
                if len(header) < 4:
                    return
                (length,) = struct.unpack(">I", header)
                if length == 0:
                    stream.terminated = True
                    break
                chunk = reader.read(length)
                stream.chunk_sizes.append(len(chunk))
                received.append(chunk)
            stream.data = b"".join(received)
        if server.behaviour == "error":
            reply = b"INSTREAM size limit exceeded. ERROR\0"
        elif EICAR in stream.data:
            reply = b"stream: " + SIGNATURE + b" FOUND\0"
        else:
            reply = b"stream: OK\0"
        self.request.sendall(reply)


class _Recording:
    daemon_threads = False  # server_close() joins the handlers: no socket outlives a test
    block_on_close = True

    def setup_state(self, behaviour: str) -> None:
        self.streams: list[Stream] = []
        self.lock = threading.Lock()
        self.release = threading.Event()
        self.behaviour = behaviour


class _TCPClamd(_Recording, socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True


class _UnixClamd(_Recording, socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    pass


class FakeClamd:
    def __init__(self, transport: str, tmp_path, behaviour: str = "scan"):
        if transport == "tcp":
            self.server = _TCPClamd(("127.0.0.1", 0), _Handler)
            host, port = self.server.server_address
            self.address = f"tcp://{host}:{port}"
        else:
            path = tmp_path / "clamd.ctl"
            self.server = _UnixClamd(str(path), _Handler)
            self.address = f"unix://{path}"
        self.server.setup_state(behaviour)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def streams(self) -> list[Stream]:
        return self.server.streams

    def close(self) -> None:
        self.server.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def start_clamd(tmp_path):
    started = []

    def start(transport: str = "tcp", behaviour: str = "scan") -> FakeClamd:
        server = FakeClamd(transport, tmp_path, behaviour)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


@pytest.fixture(params=["tcp", "unix"])
def clamd(request, start_clamd):
    """A scanning clamd on TCP and, in a second run, on a unix socket."""
    return start_clamd(request.param)


@pytest.fixture
def closed_port():
    """A local TCP port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root
