"""A real HTTP receiver for webhook tests, on 127.0.0.1 and a port of its own."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from groundswell.webhooks.events import forget_listening


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers every POST with ``status`` and keeps what it was sent."""

    status: int = 200
    requests: list[Received] = field(default_factory=list)
    url: str = ""

    def bodies(self) -> list[bytes]:
        return [r.body for r in self.requests]


def _serve(receiver: Receiver) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # http.server's name for it
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            receiver.requests.append(Received(self.path, {k: v for k, v in self.headers.items()}, body))
            self.send_response(receiver.status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    return server


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    server = _serve(found)
    yield found
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port_url() -> str:
    """A URL nothing listens on: a port bound and let go at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


@pytest.fixture(autouse=True)
def _webhook_settings(settings: Any) -> Iterator[None]:
    # Retries at once, so one run of the queue goes through every attempt.
    settings.WEBHOOK_RETRY_DELAYS = [0, 0]
    settings.WEBHOOK_SUBSCRIPTION_CHECK_SECONDS = 0
    settings.WEBHOOK_TIMEOUT_SECONDS = 5
    forget_listening()
    yield
    forget_listening()
