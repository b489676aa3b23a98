"""Keep our own calls to Ecwid under its documented rate, instead of learning it from 429s.

Ecwid allows 600 requests per minute per token (ecwid_api.md §7.1). A 429 costs a wasted call and at
least a second of Retry-After, so a worker paces itself to the limit: at the limit it runs at the full
allowed rate and never sees a 429. The bucket is per process; several processes pushing at once can
still meet a 429, which the client and the engine handle (Retry-After, then a retry later).
"""

from __future__ import annotations

import threading
import time

from django.conf import settings

DEFAULT_CALLS_PER_MINUTE = 600
BURST = 10  # small, so a fresh worker does not spend a bucket that other workers share with it

_lock = threading.Lock()
_buckets: dict[object, tuple[float, float]] = {}  # key -> (tokens, last refill)


def wait(key: object, *, sleep=time.sleep, clock=time.monotonic) -> float:
    """Block until one call for `key` fits the rate; returns the seconds waited (0 when off)."""
    per_minute = float(getattr(settings, "SYNC_ECWID_CALLS_PER_MINUTE", DEFAULT_CALLS_PER_MINUTE))
    if per_minute <= 0:
        return 0.0
    rate = per_minute / 60.0
    with _lock:
        now = clock()
        tokens, last = _buckets.get(key, (float(BURST), now))
        tokens = min(float(BURST), tokens + (now - last) * rate)
        delay = 0.0 if tokens >= 1 else (1 - tokens) / rate
        # Book the call now (tokens may go negative), so concurrent threads queue up behind it.
        _buckets[key] = (tokens - 1, now)
    if delay:
        sleep(delay)
    return delay
