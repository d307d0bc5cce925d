"""A real HTTP receiver on 127.0.0.1 (no mocks of HTTP): it records every request and
answers with the statuses it is told to, then 200.

Deliveries go only to https:// on public addresses; the receiver fixture lets them reach it
as a developer or an on-premise install would: WEBHOOK_ALLOW_HTTP and 127.0.0.1 in
WEBHOOK_ALLOWED_NETWORKS."""

import threading
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assessments.models import Webhook, WebhookEvent
from tests.waiting import wait_until


@dataclass
class Received:
    path: str
    headers: Message  # header names are case-insensitive (urllib sends "X-ethicsreview-…")
    body: bytes


@dataclass
class Receiver:
    url: str
    requests: list = field(default_factory=list)
    answers: list = field(default_factory=list)  # statuses to answer first, then 200
    redirect_to: str = ""

    def wait_for(self, count: int) -> None:
        wait_until(lambda: len(self.requests) >= count, what=f"{count} webhook request(s)")


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    state = Receiver(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                state.requests.append(Received(self.path, self.headers, body))
                status = state.answers.pop(0) if state.answers else 200
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", state.redirect_to or "http://example.invalid/")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        do_GET = do_POST

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/ethics"
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def hook(db, receiver):
    """An active webhook subscribed to every event, pointing at the receiver."""
    return Webhook.objects.create(name="Integrator", url=receiver.url, events=WebhookEvent.values)
