"""When to try a failed push again: exponential backoff with jitter, never sooner than Retry-After."""

from __future__ import annotations

import random
from collections.abc import Callable

from django.conf import settings

DEFAULT_BASE_SECONDS = 30.0
DEFAULT_MAX_SECONDS = 3600.0
DEFAULT_MAX_ATTEMPTS = 12


def max_attempts() -> int:
    return int(getattr(settings, "SYNC_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def backoff_seconds(
    attempts: int, retry_after: float | None = None, *, rand: Callable[[], float] = random.random
) -> float:
    """Seconds to wait after the `attempts`-th failure.

    "Equal jitter": half the exponential delay is fixed, half random, so many orders failing together
    (a 429 burst, an outage) do not all come back at the same instant. TikTok's rate-limit doc
    recommends random exponential backoff (tiktok_shop_api.md §5); Ecwid says to honour Retry-After
    (ecwid_api.md §7.1), so that is a floor.
    """
    base = float(getattr(settings, "SYNC_RETRY_BASE_SECONDS", DEFAULT_BASE_SECONDS))
    cap = float(getattr(settings, "SYNC_RETRY_MAX_SECONDS", DEFAULT_MAX_SECONDS))
    delay = min(cap, base * (2 ** max(0, attempts - 1)))
    delay = delay / 2 + rand() * delay / 2
    if retry_after:
        delay = max(delay, float(retry_after))
    return delay
