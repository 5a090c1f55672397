"""An OpenAI-compatible chat server on 127.0.0.1 that streams a scripted reply, for tests of
what paperqa does with a model's words without loading a model (``backend="openai"``)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _ScriptedModel(BaseHTTPRequestHandler):
    """Streams ``server.reply`` word by word as chat completion chunks, ``server.delay`` seconds
    apart; keeps each request. A client that leaves mid-reply ends it."""

    def do_POST(self) -> None:
        self.server.requests.append(
            json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        )
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        try:
            for word in self.server.reply.split(" "):
                time.sleep(self.server.delay)
                chunk = {"choices": [{"index": 0, "delta": {"content": f"{word} "}}]}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
        except (BrokenPipeError, ConnectionResetError):
            self.server.left += 1

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def scripted_model() -> Iterator[Any]:
    """The running server: set ``.reply`` (and ``.delay``, seconds before each word);
    ``.requests`` holds the requests' JSON; ``.left`` counts replies the client left before their
    end; ``.url`` is the base URL to give as ``openai_base_url``."""
    server: Any = ThreadingHTTPServer(("127.0.0.1", 0), _ScriptedModel)
    server.requests, server.reply, server.delay, server.left = [], "", 0.0, 0
    server.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
