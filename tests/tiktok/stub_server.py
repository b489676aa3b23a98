"""A tiny real HTTP server for answers the sandbox never gives (a misbehaving proxy, an odd platform).

The clients are still tested over real HTTP: this only stands in for the other end when the
point is an answer no faithful emulator produces, e.g. a gateway that echoes the request URL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# answer(method, path_with_query, body) -> (status, headers, body)
Answer = Callable[[str, str, bytes], tuple[int, dict[str, str], bytes]]


@contextmanager
def stub_server(answer: Answer) -> Iterator[str]:
    """Serve `answer` on 127.0.0.1 in a thread; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def _reply(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, headers, payload = answer(self.command, self.path, body)
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = _reply

        def log_message(self, *args) -> None:  # keep test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
