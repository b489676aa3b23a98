"""Ecwid connections: OAuth install, a pasted custom-app token, the connection test, plain-words errors.

Ecwid tokens do not expire (spec §2.1), so there is nothing to refresh: a connection works until the
app is uninstalled or the token is regenerated.
"""

from __future__ import annotations

from django.conf import settings

from syncapp.models import Connection
from syncapp.platforms import ecwid
from syncapp.platforms.http import ErrorKind, PlatformError

# What the sync needs (spec §2.1): orders in, stock both ways, the profile for the connection test.
SCOPES = (
    "read_store_profile",
    "read_catalog",
    "update_catalog",
    "read_orders",
    "create_orders",
    "update_orders",
)


def _timeout():
    return getattr(settings, "PLATFORM_HTTP_TIMEOUT", ecwid.DEFAULT_TIMEOUT)


def _authorize_url(conn: Connection) -> str:
    if conn.authorize_url:
        return conn.authorize_url
    return f"{conn.auth_base_url.rstrip('/')}/api/oauth/authorize"


def authorization_url(conn: Connection, *, redirect_uri: str, state: str) -> str:
    """Where the merchant installs the app (spec §2.4 step 1)."""
    if not conn.app_key:
        raise PlatformError(
            "This connection has no client id: enter the Ecwid app's client_id, or paste the custom "
            "app's secret token and store id instead of authorizing.",
            kind=ErrorKind.INVALID,
            platform=ecwid.PLATFORM,
        )
    return ecwid.authorization_url(
        _authorize_url(conn), client_id=conn.app_key, redirect_uri=redirect_uri, scopes=SCOPES, state=state
    )


def complete_authorization(conn: Connection, *, code: str, redirect_uri: str) -> str:
    """Exchange the code (spec §2.4 step 3), keep the token and store id, and read the store's name."""
    if not conn.app_key or not conn.app_secret:
        raise PlatformError(
            "This connection needs the Ecwid app's client id and client secret to finish authorizing.",
            kind=ErrorKind.INVALID,
            platform=ecwid.PLATFORM,
        )
    answer = ecwid.exchange_code(
        conn.auth_base_url,
        client_id=conn.app_key,
        client_secret=conn.app_secret,
        code=code,
        redirect_uri=redirect_uri,
        timeout=_timeout(),
    )
    conn.access_token = answer["access_token"]
    conn.store_id = str(answer["store_id"])
    conn.scopes = str(answer.get("scope") or "")
    conn.access_token_expires_at = None  # §2.1: Ecwid tokens do not expire
    conn.save(update_fields=["access_token", "store_id", "scopes", "access_token_expires_at", "updated_at"])
    return _connected_message(conn, client_for(conn).get_profile())


def check(conn: Connection) -> str:
    """Call the store with what is stored: the profile, then one order and one product read.

    The two reads catch a token that works but lacks `read_orders`/`read_catalog`, which the
    profile alone would not show (`read_store_profile` is always granted, §3).
    """
    if not conn.access_token:
        raise PlatformError(
            "No access token yet: click Authorize, or paste the custom app's secret token.",
            kind=ErrorKind.AUTH,
            platform=ecwid.PLATFORM,
        )
    if not conn.store_id.strip():
        raise PlatformError(
            "No store id: enter the Ecwid store id (a number, shown in the Ecwid control panel).",
            kind=ErrorKind.INVALID,
            platform=ecwid.PLATFORM,
        )
    client = client_for(conn)
    profile = client.get_profile()
    found = str((profile.get("generalInfo") or {}).get("storeId", ""))
    if found != conn.store_id.strip():
        raise PlatformError(
            f"Ecwid answered for store {found or '(none)'} instead of store {conn.store_id}.",
            kind=ErrorKind.INVALID,
            platform=ecwid.PLATFORM,
            code="STORE_MISMATCH",
        )
    client.search_orders(limit=1)
    client.search_products(limit=1)
    return _connected_message(conn, profile)


def client_for(conn: Connection) -> ecwid.EcwidClient:
    return ecwid.EcwidClient(conn.api_base_url, conn.store_id, conn.access_token, timeout=_timeout())


def _store_name(profile: dict) -> str:
    return (
        (profile.get("settings") or {}).get("storeName")
        or (profile.get("account") or {}).get("accountName")
        or "(unnamed store)"
    )


def _connected_message(conn: Connection, profile: dict) -> str:
    message = f"Connected to store {_store_name(profile)} (#{conn.store_id})."
    granted = set(conn.scopes.split())
    missing = [s for s in SCOPES if s not in granted]
    if granted and missing:
        message += f" Missing permissions: {', '.join(missing)} — authorize again and approve all of them."
    return message


def explain(error: PlatformError) -> str:
    """What went wrong, in words a store's staff can act on. Never contains a secret."""
    code = str(error.code or "")
    said = f" Ecwid said: “{error.message}”." if error.message and error.status else ""
    if code == "invalid_grant":
        return (
            "Ecwid refused the authorization code: it expired or was already used. Click Authorize "
            "again (an already used code also disables the token it produced)."
        )
    if code == "invalid_client":
        return (
            "Ecwid refused the client id or client secret. Copy both again from the app's settings "
            "(for the sandbox: Apps → Custom app) into this connection."
        )
    if code == "STORE_NOT_FOUND" or (error.status == 404 and code in ("", "None") and not error.message):
        return (
            "Ecwid has no store with this store id. Check the Store ID on this connection — it is the "
            "number shown in the Ecwid control panel (and in the token answer after authorizing)."
        )
    if code == "STORE_MISMATCH":
        return f"{error.message} Check the Store ID on this connection."
    if code == "INSUFFICIENT_APP_SCOPE" or (error.status == 403 and error.kind is ErrorKind.PERMISSION):
        return (
            "The token is valid but lacks a permission the sync needs (read/update catalog, read/create/"
            f"update orders).{said} Authorize again and approve every permission; a custom app's "
            "scopes are changed by asking Ecwid support."
        )
    if error.status == 402 or error.kind is ErrorKind.PERMISSION:
        return (
            "Ecwid refused because of the store's plan: the API needs a paid plan (variations need "
            f"Business or higher), or the store is suspended.{said} Upgrade or reactivate the store, "
            "then test again."
        )
    if error.kind is ErrorKind.AUTH:
        if error.status is None:
            return error.message  # our own "No access token yet" message
        if error.status == 401:
            return (
                "Ecwid received no access token. Click Authorize, or paste the custom app's secret "
                "token (it starts with “secret_”)."
            )
        return (
            "Ecwid refused the access token: it is wrong, belongs to another store, or was revoked "
            "(app uninstalled or token regenerated). Click Authorize again, or paste the current "
            "secret token from the custom app's page — and check the Store ID matches it."
        )
    if error.kind is ErrorKind.RATE_LIMITED:
        wait = f" for {error.retry_after:.0f} seconds" if error.retry_after else ""
        return (
            f"Ecwid is rate limiting this token (600 requests a minute). Wait{wait} and try again; "
            "if it keeps happening, lengthen the task intervals."
        )
    if error.kind is ErrorKind.UNREACHABLE:
        return (
            "Could not reach Ecwid. Check the API base URL on this connection (normally "
            f"{ecwid.REAL_API_BASE_URL}) and this server's network access, then try again."
        )
    if error.kind is ErrorKind.TRANSIENT and (error.status is None or error.status in (408, 504)):
        return (
            "Ecwid did not answer in time (or dropped the connection). This is usually temporary: "
            "try again in a minute."
        )
    if error.kind is ErrorKind.TRANSIENT:
        return (
            f"Ecwid had an internal error (HTTP {error.status}). This is usually temporary: "
            "try again shortly."
        )
    if error.kind is ErrorKind.NOT_FOUND:
        return f"Ecwid could not find what was asked for.{said} It may have been deleted in Ecwid."
    if error.kind is ErrorKind.BAD_RESPONSE:
        return (
            "Ecwid answered with something unexpected. Check that the API base URL points at Ecwid's "
            f"API (normally {ecwid.REAL_API_BASE_URL}).{said}"
        )
    if error.kind is ErrorKind.INVALID:
        if error.status is None:
            return error.message
        return f"Ecwid refused the request as invalid.{said} Fix the data it names, then try again."
    return f"Ecwid returned an error.{said}"
