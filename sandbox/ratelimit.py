"""Token-bucket rate limiting for the emulated APIs, in process memory.

The sandbox runs in one web process on the embedded default (and in the test live server), so an
in-process bucket is exact there; it is an emulator, not a production limiter.
"""

import math
import threading
import time

_lock = threading.Lock()
_buckets: dict[tuple, tuple[float, float]] = {}  # key -> (tokens, last refill time)


def hit(key: tuple, limit: int, window: float) -> float | None:
    """Take one token for `key`. None if allowed, else the seconds until a token is free."""
    if limit <= 0 or window <= 0:
        return None
    rate = limit / window
    now = time.monotonic()
    with _lock:
        tokens, last = _buckets.get(key, (float(limit), now))
        tokens = min(float(limit), tokens + (now - last) * rate)
        if tokens >= 1:
            _buckets[key] = (tokens - 1, now)
            return None
        _buckets[key] = (tokens, now)
        return (1 - tokens) / rate


def retry_after_header(wait: float) -> str:
    return str(max(1, math.ceil(wait)))


def reset() -> None:
    with _lock:
        _buckets.clear()
