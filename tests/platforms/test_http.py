"""The shared outbound-HTTP policy, over real HTTP against a tiny local server."""

import http.server
import threading
import time

import pytest

from syncapp.platforms.http import ErrorKind, PlatformError, make_session, parse_retry_after, send


class Handler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def log_message(self, *args):
        pass

    def _answer(self):
        Handler.hits.append(f"{self.command} {self.path}")
        if self.path.startswith("/slow"):
            time.sleep(0.5)
        if self.path.startswith("/limited"):
            self.send_response(429)
            self.send_header("Retry-After", "120")
            self.end_headers()
            return
        if self.path.startswith("/unavailable"):
            self.send_response(503)
            self.end_headers()
            return
        body = b'{"ok": true}'
        try:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except BrokenPipeError:
            pass  # the client gave up waiting, as the timeout tests intend

    do_GET = do_POST = _answer


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(autouse=True)
def _clear_hits():
    Handler.hits.clear()


def test_it_sends_its_user_agent_and_returns_the_response(server):
    response = send(make_session(), "GET", f"{server}/ok", platform="Test")
    assert response.json() == {"ok": True}


def test_a_429_on_a_read_is_returned_at_once_not_slept_on(server):
    started = time.monotonic()
    response = send(make_session(), "GET", f"{server}/limited", platform="Test")
    assert response.status_code == 429
    assert time.monotonic() - started < 5
    assert len(Handler.hits) == 1


def test_reads_are_retried_on_503_but_writes_are_not(server):
    send(make_session(backoff=0), "GET", f"{server}/unavailable", platform="Test")
    assert len(Handler.hits) == 3  # the first try and two retries
    Handler.hits.clear()
    send(make_session(backoff=0), "POST", f"{server}/unavailable", platform="Test", data=b"{}")
    assert len(Handler.hits) == 1


def test_a_read_that_keeps_timing_out_is_a_timeout_not_an_unreachable_host(server):
    with pytest.raises(PlatformError) as caught:
        send(make_session(backoff=0), "GET", f"{server}/slow", platform="Test", timeout=(1, 0.1))
    assert caught.value.kind == ErrorKind.TRANSIENT
    assert "did not answer in time" in caught.value.message
    assert not caught.value.outcome_unknown


def test_a_write_that_times_out_has_an_unknown_outcome(server):
    with pytest.raises(PlatformError) as caught:
        send(make_session(), "POST", f"{server}/slow", platform="Test", data=b"{}", timeout=(1, 0.1))
    assert caught.value.outcome_unknown
    assert caught.value.retryable


def test_a_refused_connection_is_unreachable_and_the_message_carries_no_url_secret():
    with pytest.raises(PlatformError) as caught:
        send(make_session(backoff=0), "GET", "http://127.0.0.1:9/api?app_secret=s3cr3t", platform="Test")
    error = caught.value
    assert error.kind == ErrorKind.UNREACHABLE and error.retryable
    assert "s3cr3t" not in str(error) and error.__cause__ is None and error.__suppress_context__


def test_retry_after_reads_seconds_and_http_dates():
    assert parse_retry_after("7") == 7
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    assert (
        0
        <= parse_retry_after(time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30)))
        <= 31
    )
