"""Connecting accounts: authorize (OAuth), test, keep tokens fresh, and hand out ready clients.

Each platform module (`tiktok_shop`, `ecwid`) provides the same functions:

- `authorization_url(conn, *, redirect_uri, state) -> str`: where to send the merchant to approve.
- `complete_authorization(conn, *, code, redirect_uri) -> str`: exchange the code, fetch the shop /
  store, save tokens on `conn`; returns a plain-words success message.
- `check(conn) -> str`: call the platform with the stored credentials; plain-words success message.
- `client_for(conn)`: a platform client ready to use (TikTok: access token refreshed if close to expiry).
- `explain(error: PlatformError) -> str`: what went wrong, in words a merchant's staff understands.

Failures raise `PlatformError`; this module records outcomes on the Connection row.
"""

from __future__ import annotations

import logging

from syncapp.connections import ecwid, tiktok_shop
from syncapp.models import Connection
from syncapp.platforms.http import PlatformError

log = logging.getLogger(__name__)


def platform_module(conn: Connection):
    return tiktok_shop if conn.is_tiktok else ecwid


def authorization_url(conn: Connection, *, redirect_uri: str, state: str) -> str:
    return platform_module(conn).authorization_url(conn, redirect_uri=redirect_uri, state=state)


def complete_authorization(conn: Connection, *, code: str, redirect_uri: str) -> tuple[bool, str]:
    """Finish the OAuth flow; the outcome is recorded on the connection and returned."""
    module = platform_module(conn)
    try:
        message = module.complete_authorization(conn, code=code, redirect_uri=redirect_uri)
    except PlatformError as exc:
        message = module.explain(exc)
        log.warning("Authorization of connection %s failed: %s", conn.pk, exc)
        conn.record_failure(message)
        return False, message
    conn.record_check(True, message)
    return True, message


def test_connection(conn: Connection) -> tuple[bool, str]:
    """Call the platform with what is stored; record and return (ok, plain-words message)."""
    module = platform_module(conn)
    try:
        message = module.check(conn)
    except PlatformError as exc:
        message = module.explain(exc)
        log.info("Connection %s check failed: %s", conn.pk, exc)
        conn.record_failure(message)
        return False, message
    conn.record_check(True, message)
    return True, message
