"""Ecwid's error envelope (§7.2): `{"errorMessage": "...", "errorCode": "..."}`, optional on real errors."""

import re

from django.http import HttpResponse, JsonResponse

from sandbox import ratelimit


class ApiError(Exception):
    """Raised anywhere in the emulated API; turned into Ecwid's error answer by the view wrapper."""

    def __init__(self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def _reason_phrase(message: str) -> str:
    # §7.2: Ecwid puts the message in the status line too ("400 Field OrderItem.quantity is absent").
    # A status line is one line of latin-1, so keep it short and plain.
    return re.sub(r"[^\x20-\x7e]", "?", message)[:200] or "Error"


def error_response(error: ApiError, *, with_body: bool = True) -> HttpResponse:
    if with_body:
        response = JsonResponse(
            {"errorMessage": error.message, "errorCode": error.code},
            status=error.status,
            reason=_reason_phrase(error.message),
        )
    else:
        response = HttpResponse(status=error.status, reason=_reason_phrase(error.message))
    for key, value in error.headers.items():
        response[key] = value
    return response


GATEWAY_PAGE = (
    "<html><head><title>{status} {title}</title></head>"
    "<body><center><h1>{status} {title}</h1></center></body></html>"
)


def render_error(status: int, reason: str, message: str, retry_after: float | None = None) -> HttpResponse:
    """The `render_error` for `sandbox.faults.api_view`: injected faults in Ecwid's own shape.

    502/504 come from the gateway in front of Ecwid, so they carry an HTML page, not JSON.
    """
    if status == 429:
        wait = ratelimit.retry_after_header(retry_after or 1)
        return error_response(ApiError(429, "RATE_LIMITED", message, headers={"Retry-After": wait}))
    if status in (502, 504):
        title = "Bad Gateway" if status == 502 else "Gateway Time-out"
        return HttpResponse(
            GATEWAY_PAGE.format(status=status, title=title), status=status, content_type="text/html"
        )
    return error_response(ApiError(status, "INTERNAL_ERROR", message))
