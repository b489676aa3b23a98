"""Fixtures shared by every test folder.

The portal and the sandbox run in one live server (a real HTTP server in a thread of the test
process), so tests talk to the emulated platforms over real HTTP and can still read and change the
sandbox's state through the ORM.
"""

import socket

import pytest
from django.core.servers.basehttp import WSGIRequestHandler

from sandbox import ratelimit
from sandbox.models import FaultSettings


@pytest.fixture
def sandbox_url(live_server) -> str:
    """Base URL of the sandbox on the live server, e.g. http://localhost:41234/sandbox."""
    return f"{live_server.url}/sandbox"


@pytest.fixture(autouse=True)
def _live_server_without_nagle(monkeypatch):
    """Answer without Nagle's delay: the test server writes headers and body separately, and each
    small second write would otherwise wait ~40 ms for the client's delayed ACK (gunicorn does not)."""
    setup = WSGIRequestHandler.setup

    def setup_without_nagle(handler):
        setup(handler)
        handler.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    monkeypatch.setattr(WSGIRequestHandler, "setup", setup_without_nagle)


@pytest.fixture(autouse=True)
def _empty_task_queue(settings):
    """With the Redis broker, queued tasks outlive a test's database: start each test with none."""
    if settings.REDIS_URL:
        from django_q.brokers import get_broker

        get_broker().purge_queue()


@pytest.fixture(autouse=True)
def _clean_sandbox_limits():
    """Rate-limit buckets live in process memory: start every test with full buckets."""
    ratelimit.reset()
    yield
    ratelimit.reset()


@pytest.fixture
def faults(db):
    """Set fault switches: `faults("ecwid", error_next=2)`; everything is reset after the test."""

    def set_faults(platform: str, **values):
        settings = FaultSettings.for_platform(platform)
        for key, value in values.items():
            setattr(settings, key, value)
        settings.save()
        return settings

    yield set_faults
    FaultSettings.objects.all().delete()
