"""A fake group robot: a tiny HTTP server on 127.0.0.1 that records what it is sent.

No external network is touched; each test gets its own port (127.0.0.1:0).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    path: str
    query: dict[str, list[str]]
    raw_query: str
    body: Any
    content_type: str


@dataclass
class FakeRobot:
    base: str
    received: list[Received] = field(default_factory=list)
    # What the robot answers: status and JSON body.
    status: int = 200
    reply: dict[str, Any] = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})


def serve() -> Iterator[FakeRobot]:
    robot = FakeRobot(base="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            parts = urlsplit(self.path)
            robot.received.append(
                Received(
                    path=parts.path,
                    query=parse_qs(parts.query),
                    raw_query=parts.query,
                    body=json.loads(raw.decode()),
                    content_type=self.headers.get("Content-Type", ""),
                )
            )
            payload = json.dumps(robot.reply).encode()
            self.send_response(robot.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    robot.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield robot
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
