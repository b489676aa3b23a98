"""The one outbound-HTTP policy for every platform client: timeouts, User-Agent, retries, errors.

Retries here are only for idempotent reads (GET/HEAD) and for connection failures before a request
was sent; writes are retried by the sync engine, which knows how to do so without duplicates.
"""

from __future__ import annotations

import email.utils
import enum
import time
from collections.abc import Mapping
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

USER_AGENT = "order-sync-portal/1.0 (+https://github.com/; TikTok Shop to Ecwid)"
DEFAULT_TIMEOUT = (5.0, 30.0)
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ErrorKind(enum.StrEnum):
    """What kind of failure this is, which decides what the caller does next."""

    TRANSIENT = "transient"  # 5xx, timeout, dropped connection: retry with backoff
    RATE_LIMITED = "rate_limited"  # 429 or the platform's "too many requests": wait Retry-After
    UNREACHABLE = "unreachable"  # DNS / refused / TLS: retry later, likely a config or outage
    AUTH = "auth"  # bad or expired token, bad key or signature: refresh or re-authorize
    PERMISSION = "permission"  # missing scope / plan: a person must act
    NOT_FOUND = "not_found"
    INVALID = "invalid"  # the request itself is wrong: fixing data or code is needed
    BAD_RESPONSE = "bad_response"  # the platform answered with something we cannot read


RETRYABLE_KINDS = frozenset({ErrorKind.TRANSIENT, ErrorKind.RATE_LIMITED, ErrorKind.UNREACHABLE})


class PlatformError(Exception):
    """One error type for both platforms: carries everything a caller needs to decide.

    `outcome_unknown` is set when a write may have been applied even though we got no answer
    (timeout or 5xx after the request was sent) — the caller must look before writing again.
    The message never contains secrets: it is built from the platform's message, not the URL.
    """

    def __init__(
        self,
        message: str,
        *,
        kind: ErrorKind,
        platform: str = "",
        status: int | None = None,
        code: str | int | None = None,
        retry_after: float | None = None,
        request_id: str = "",
        outcome_unknown: bool = False,
    ):
        super().__init__(message)
        self.message = message
        self.kind = ErrorKind(kind)
        self.platform = platform
        self.status = status
        self.code = code
        self.retry_after = retry_after
        self.request_id = request_id
        self.outcome_unknown = outcome_unknown

    @property
    def retryable(self) -> bool:
        return self.kind in RETRYABLE_KINDS

    def __str__(self) -> str:
        parts = [self.message]
        details = []
        if self.status:
            details.append(f"HTTP {self.status}")
        if self.code not in (None, ""):
            details.append(f"code {self.code}")
        if self.request_id:
            details.append(f"request id {self.request_id}")
        if details:
            parts.append(f"({', '.join(details)})")
        return " ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "kind": str(self.kind),
            "platform": self.platform,
            "status": self.status,
            "code": self.code,
            "retryable": self.retryable,
            "retry_after": self.retry_after,
            "request_id": self.request_id,
            "outcome_unknown": self.outcome_unknown,
        }


def make_session(*, read_retries: int = 2, backoff: float = 0.3) -> requests.Session:
    """A Session with our User-Agent and urllib3 retries for idempotent reads only.

    Connection errors (nothing was sent) are retried for every method; read timeouts and 502/503/504
    only for GET/HEAD. 429 is never retried here: the caller honours Retry-After itself (urllib3 would
    otherwise sleep any Retry-After it is sent, uncapped, for reads).
    """
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    retry = Retry(
        total=read_retries,
        connect=read_retries,
        read=read_retries,
        status=read_retries,
        other=0,
        allowed_methods=IDEMPOTENT_METHODS,
        status_forcelist=(502, 503, 504),
        backoff_factor=backoff,
        respect_retry_after_header=False,
        raise_on_status=False,
    )
    adapter = HTTPAdapter(max_retries=retry, pool_maxsize=16)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def parse_retry_after(value: str | None) -> float | None:
    """`Retry-After` as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    platform: str,
    timeout: tuple[float, float] | float = DEFAULT_TIMEOUT,
    params: Mapping[str, Any] | None = None,
    data: bytes | str | Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> requests.Response:
    """Send one request; turn transport failures into PlatformError without leaking the URL.

    The URL may carry secrets in its query (TikTok's token endpoints take `app_secret` there), so
    no message built here includes it, and the original exception (whose text is the URL) is
    dropped from the chain with `from None`.
    """
    method = method.upper()
    try:
        return session.request(method, url, params=params, data=data, headers=headers, timeout=timeout)
    except requests.exceptions.RequestException as exc:
        raise transport_error(exc, platform=platform, writes=method not in IDEMPOTENT_METHODS) from None


def transport_error(
    exc: requests.exceptions.RequestException, *, platform: str, writes: bool
) -> PlatformError:
    """Classify a failure to get any answer; `writes` marks requests that may have been applied."""

    def error(message: str, kind: ErrorKind, outcome_unknown: bool = False) -> PlatformError:
        return PlatformError(message, kind=kind, platform=platform, outcome_unknown=outcome_unknown)

    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return error(
            f"Could not connect to {platform} in time (host unreachable or too slow).", ErrorKind.UNREACHABLE
        )
    # A read that kept timing out through urllib3's retries surfaces as a ConnectionError.
    if isinstance(exc, requests.exceptions.ReadTimeout) or _caused_by_read_timeout(exc):
        return error(f"{platform} did not answer in time.", ErrorKind.TRANSIENT, outcome_unknown=writes)
    if isinstance(exc, requests.exceptions.SSLError):
        return error(
            f"TLS handshake with {platform} failed (certificate or proxy problem).", ErrorKind.UNREACHABLE
        )
    if isinstance(exc, requests.exceptions.ConnectionError):
        # Refused, DNS failures and, after urllib3's retries, repeated dropped connections. A dropped
        # connection after a write was sent means we cannot know whether it applied.
        dropped = "RemoteDisconnected" in repr(exc) or "Connection aborted" in repr(exc)
        return error(
            f"Could not reach {platform} (connection refused, DNS failure or dropped connection).",
            ErrorKind.TRANSIENT if dropped else ErrorKind.UNREACHABLE,
            outcome_unknown=writes and dropped,
        )
    if isinstance(exc, requests.exceptions.RetryError):
        return error(f"{platform} kept failing after retries.", ErrorKind.TRANSIENT)
    return error(
        f"Request to {platform} failed: {type(exc).__name__}.", ErrorKind.TRANSIENT, outcome_unknown=writes
    )


def _caused_by_read_timeout(exc: BaseException) -> bool:
    """requests wraps urllib3's MaxRetryError(reason=ReadTimeoutError) in a ConnectionError."""
    inner = exc.args[0] if exc.args else None
    return isinstance(inner, ReadTimeoutError) or isinstance(getattr(inner, "reason", None), ReadTimeoutError)


def json_body(response: requests.Response, *, platform: str) -> Any:
    """The decoded JSON body, or a BAD_RESPONSE error that says what came back instead."""
    try:
        return response.json()
    except ValueError:
        snippet = response.text[:120].replace("\n", " ") if response.text else "an empty body"
        raise PlatformError(
            f"{platform} answered with something that is not JSON: {snippet!r}",
            kind=ErrorKind.TRANSIENT if response.status_code >= 500 else ErrorKind.BAD_RESPONSE,
            platform=platform,
            status=response.status_code,
            outcome_unknown=response.status_code >= 500 and response.request.method not in IDEMPOTENT_METHODS,
        ) from None


def unexpected_shape(platform: str, key: str) -> PlatformError:
    """An answer whose `key` is not what the platform documents."""
    return PlatformError(
        f"{platform} answered with an unexpected {key!r} (not what the API documents).",
        kind=ErrorKind.BAD_RESPONSE,
        platform=platform,
    )


def objects_in(data: Mapping[str, Any], key: str, *, platform: str) -> list[dict]:
    """The objects of a list field of an answer; BAD_RESPONSE if it is not a list at all."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise unexpected_shape(platform, key)
    return [entry for entry in value if isinstance(entry, dict)]
