"""Fault injection around the emulated APIs: latency, 5xx, 429 bursts, hangs, lost responses.

A platform's API view is wrapped with `api_view(platform, render_error)`; `render_error` builds the
platform's own error envelope so faults look exactly like the real thing to a client.
"""

import functools
import random
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from sandbox import ratelimit
from sandbox.models import FaultSettings

# render_error(status, reason, message, retry_after=None) -> HttpResponse, where reason is one of
# "rate_limited", "server_error", "timeout", "bad_gateway".
ErrorRenderer = Callable[..., HttpResponse]

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _hits(settings: FaultSettings, counter: str, rate: float) -> bool:
    return settings.take(counter) or (rate > 0 and random.random() < rate)


def api_view(platform: str, render_error: ErrorRenderer):
    """Decorate an API view so the platform's fault switches apply to it."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            faults = FaultSettings.for_platform(platform)
            if faults.path_contains and faults.path_contains not in request.path:
                return view(request, *args, **kwargs)
            if faults.latency_ms:
                time.sleep(faults.latency_ms / 1000)
            if faults.take("rate_limit_next"):
                return render_error(429, "rate_limited", "Too many requests (injected).", faults.retry_after)
            if _hits(faults, "timeout_next", faults.timeout_rate):
                time.sleep(faults.timeout_seconds)
                return render_error(504, "timeout", "Gateway timeout (injected).")
            if _hits(faults, "error_next", faults.error_rate):
                return render_error(500, "server_error", "Internal error (injected).")
            response = view(request, *args, **kwargs)
            if (
                request.method in WRITE_METHODS
                and response.status_code < 400
                and _hits(faults, "lost_response_next", faults.lost_response_rate)
            ):
                # The write above is committed; only its answer goes missing.
                return render_error(502, "bad_gateway", "Bad gateway (injected): the response was lost.")
            return response

        return wrapped

    return decorate


def rate_limit_wait(platform: str, key: tuple, default_limit: int, default_window: float) -> float | None:
    """Apply the platform's documented rate limit to `key`; seconds to wait, or None if allowed."""
    faults = FaultSettings.for_platform(platform)
    limit = faults.rate_limit or default_limit
    window = faults.rate_window or default_window
    return ratelimit.hit((platform, limit, window, *key), limit, window)
