"""Input both emulated APIs refuse before looking at it."""

from django.http import HttpRequest


def has_nul(request: HttpRequest) -> bool:
    """A NUL character in the query or the body (raw or JSON-escaped).

    Nothing in either platform's contract carries one, and PostgreSQL text cannot hold one: refusing
    it up front keeps such input a 400 on every database instead of a 500 on PostgreSQL.
    """
    if any("\x00" in value for _, values in request.GET.lists() for value in values):
        return True
    body = request.body or b""
    return b"\x00" in body or b"\\u0000" in body
