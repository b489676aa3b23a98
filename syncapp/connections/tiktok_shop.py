"""TikTok Shop connections: authorize, test, keep the tokens fresh, hand out ready clients.

The interface is documented in `syncapp/connections/__init__.py`. Sections (§) refer to the API
spec, /work/shared/specs/tiktok_shop_api.md.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from contextlib import contextmanager
from typing import NoReturn
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import connections as databases
from django.db import router, transaction
from django.utils import timezone

from syncapp.models import Connection
from syncapp.platforms.http import ErrorKind, PlatformError
from syncapp.platforms.tiktok_shop import PLATFORM, TikTokShopClient, TokenSet

log = logging.getLogger(__name__)

# §9.2: refresh ahead of expiry. A day of margin covers a worker that sleeps over the deadline.
REFRESH_MARGIN = dt.timedelta(hours=24)

NOT_AUTHORIZED = "Not authorized yet: click Authorize."


def _timeout():
    return getattr(settings, "PLATFORM_HTTP_TIMEOUT", (5.0, 30.0))


def _client(conn: Connection) -> TikTokShopClient:
    return TikTokShopClient(
        app_key=conn.app_key,
        app_secret=conn.app_secret,
        api_base_url=conn.api_base_url,
        auth_base_url=conn.auth_base_url,
        access_token=conn.access_token,
        shop_cipher=conn.shop_cipher,
        timeout=_timeout(),
    )


def _when(value: dt.datetime | None) -> str:
    if value is None:
        return "an unknown date"
    value = value.astimezone(dt.UTC)
    return f"{value.day} {value:%b %Y %H:%M} UTC"


def _apply_tokens(conn: Connection, tokens: TokenSet) -> list[str]:
    conn.access_token = tokens.access_token
    conn.access_token_expires_at = tokens.access_token_expires_at
    conn.refresh_token = tokens.refresh_token
    conn.refresh_token_expires_at = tokens.refresh_token_expires_at
    fields = ["access_token", "access_token_expires_at", "refresh_token", "refresh_token_expires_at"]
    if tokens.granted_scopes:
        conn.scopes = " ".join(tokens.granted_scopes)
        fields.append("scopes")
    return fields


# ---- the interface -------------------------------------------------------------------------


def authorization_url(conn: Connection, *, redirect_uri: str, state: str) -> str:
    """The app's authorization link plus `state` (§2.1).

    TikTok's redirect URL is fixed in the app settings, so `redirect_uri` is not sent.
    """
    if not conn.authorize_url:
        raise PlatformError(
            "This connection has no authorization page URL: paste the authorization link from "
            "Partner Center (…/open/authorize?service_id=…).",
            kind=ErrorKind.INVALID,
            platform=PLATFORM,
        )
    parts = urlsplit(conn.authorize_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "state"]
    query.append(("state", state))
    return urlunsplit(parts._replace(query=urlencode(query)))


def complete_authorization(conn: Connection, *, code: str, redirect_uri: str) -> str:
    """Exchange the code (§2.2), find the shop (§2.4), save tokens and shop on the connection."""
    if not code or code == "null":  # §2.1: a refusal redirects with code=null&error=auth_denied
        raise PlatformError(
            "The seller did not authorize the app (no code came back).",
            kind=ErrorKind.AUTH,
            platform=PLATFORM,
        )
    client = _client(conn)
    tokens = client.get_access_token(code)
    client.access_token = tokens.access_token
    shops = client.get_authorized_shops()
    if not shops:
        raise PlatformError(
            "The seller authorized the app, but no shop came with the authorization.",
            kind=ErrorKind.PERMISSION,
            platform=PLATFORM,
        )
    if conn.shop_id:
        shop = next((s for s in shops if s.id == conn.shop_id), None)
        if shop is None:
            names = ", ".join(f"{s.name} ({s.id})" for s in shops)
            raise PlatformError(
                f"This connection is for shop {conn.shop_name or conn.shop_id}, but the seller authorized "
                f"{names}. Authorize with the right seller account, or clear the shop id to switch shops.",
                kind=ErrorKind.INVALID,
                platform=PLATFORM,
            )
    else:
        shop = shops[0]
    fields = _apply_tokens(conn, tokens)
    conn.shop_id, conn.shop_cipher, conn.shop_name, conn.shop_region = (
        shop.id,
        shop.cipher,
        shop.name,
        shop.region,
    )
    conn.save(update_fields=[*fields, "shop_id", "shop_cipher", "shop_name", "shop_region", "updated_at"])
    seller = tokens.seller_name or "the seller"
    return (
        f"Authorized by {seller} for shop {shop.name} ({shop.region}). "
        f"Token valid until {_when(tokens.access_token_expires_at)}."
    )


def check(conn: Connection) -> str:
    """Call Get Authorized Shops with the stored token; confirm our shop is still among them."""
    if not conn.access_token or not conn.shop_cipher:
        raise PlatformError(NOT_AUTHORIZED, kind=ErrorKind.AUTH, platform=PLATFORM)
    shops = client_for(conn).get_authorized_shops()
    shop = next(
        (s for s in shops if s.cipher == conn.shop_cipher or (conn.shop_id and s.id == conn.shop_id)), None
    )
    if shop is None:
        raise PlatformError(
            f"Shop {conn.shop_name or conn.shop_id} is no longer authorized for this app. {AUTHORIZE_AGAIN}",
            kind=ErrorKind.AUTH,
            platform=PLATFORM,
        )
    if shop.cipher != conn.shop_cipher:  # ciphers can change; follow the platform
        conn.shop_cipher = shop.cipher
        conn.save(update_fields=["shop_cipher", "updated_at"])
    return (
        f"Connected to shop {shop.name} ({shop.region}). "
        f"Token valid until {_when(conn.access_token_expires_at)}."
    )


def client_for(conn: Connection) -> TikTokShopClient:
    """A client with a fresh access token: refreshed first when it expires within 24 hours."""
    if not conn.access_token:
        raise PlatformError(NOT_AUTHORIZED, kind=ErrorKind.AUTH, platform=PLATFORM)
    if _expires_soon(conn):
        try:
            refresh_tokens(conn)
        except PlatformError as exc:
            # A passing outage must not stop work while the current token still works.
            still_valid = conn.access_token_expires_at and conn.access_token_expires_at > timezone.now()
            if not (exc.retryable and still_valid):
                raise
            log.warning("Token refresh of connection %s failed, using the current token: %s", conn.pk, exc)
    return _client(conn)


def _expires_soon(conn: Connection) -> bool:
    expires = conn.access_token_expires_at
    return expires is not None and expires - timezone.now() < REFRESH_MARGIN


_process_locks: dict[int, threading.Lock] = {}
_process_locks_guard = threading.Lock()


@contextmanager
def _locked_row(conn: Connection):
    """Yield the connection's row re-read under a lock, so only one worker spends the refresh token.

    Databases with row locks: `select_for_update()` in a transaction. SQLite has one database-wide
    write lock, taken at BEGIN (settings use IMMEDIATE): holding it over an HTTP call would stall
    every other writer (including a sandbox on the same file, which then cannot answer the very
    refresh we wait for). There a per-connection lock serializes the threads of this process, and
    `refresh_tokens` re-reads the row on failure to catch a refresh done by another process.
    """
    alias = router.db_for_write(Connection)
    if databases[alias].vendor != "sqlite":
        with transaction.atomic(using=alias):
            yield Connection.objects.using(alias).select_for_update().get(pk=conn.pk)
        return
    with _process_locks_guard:
        lock = _process_locks.setdefault(conn.pk, threading.Lock())
    with lock:
        yield Connection.objects.using(alias).get(pk=conn.pk)


_TOKEN_FIELDS = (
    "access_token",
    "access_token_expires_at",
    "refresh_token",
    "refresh_token_expires_at",
    "scopes",
    "status",
    "last_check_message",
)


def _copy_tokens(source: Connection, target: Connection) -> None:
    for field in _TOKEN_FIELDS:
        setattr(target, field, getattr(source, field))


def refresh_tokens(conn: Connection, *, force: bool = False) -> bool:
    """Refresh the access token if it expires within 24 h (or `force`); True if refreshed (§2.3).

    Both new tokens are saved together. A refusal (expired or revoked refresh token, wrong secret)
    marks the connection REAUTHORIZE with a plain message and raises PlatformError(kind AUTH);
    a passing failure (timeout, 5xx, 429) is raised as it is and marks nothing.
    """
    with _locked_row(conn) as row:
        if not force and not _expires_soon(row):
            _copy_tokens(row, conn)  # another worker refreshed while we waited
            return False
        spent = row.refresh_token
        if not spent and not row.access_token:
            # Never authorized: nothing expired, nothing to re-authorize — it just is not connected yet.
            raise PlatformError(NOT_AUTHORIZED, kind=ErrorKind.AUTH, platform=PLATFORM)
        expired = row.refresh_token_expires_at is not None and row.refresh_token_expires_at <= timezone.now()
        if not spent or expired:
            failure = f"The authorization has expired. {AUTHORIZE_AGAIN}"
        else:
            try:
                tokens = _client(row).refresh_access_token(spent)
            except PlatformError as exc:
                if exc.retryable:
                    raise
                latest = Connection.objects.get(pk=row.pk)
                if latest.refresh_token != spent and not _expires_soon(latest):
                    _copy_tokens(latest, conn)  # another process refreshed first; its tokens are good
                    return True
                log.warning("Token refresh of connection %s refused: %s", conn.pk, exc)
                failure = f"Refreshing the access token failed. {explain(exc)}"
            else:
                fields = _apply_tokens(row, tokens)
                row.save(update_fields=[*fields, "updated_at"])
                _copy_tokens(row, conn)
                log.info(
                    "Refreshed the access token of connection %s (valid until %s).",
                    conn.pk,
                    _when(tokens.access_token_expires_at),
                )
                return True
    # Recorded after the locked transaction ends, so raising does not roll the record back.
    _mark_reauthorize(conn, failure)


def _mark_reauthorize(conn: Connection, message: str) -> NoReturn:
    conn.status = Connection.Status.REAUTHORIZE
    conn.last_check_message = message
    conn.last_checked_at = timezone.now()
    Connection.objects.filter(pk=conn.pk).update(
        status=conn.status,
        last_check_message=message,
        last_checked_at=conn.last_checked_at,
        updated_at=conn.last_checked_at,
    )
    raise PlatformError(message, kind=ErrorKind.AUTH, platform=PLATFORM)


# ---- plain words ---------------------------------------------------------------------------

AUTHORIZE_AGAIN = "Click Authorize again."
CHECK_SECRET = "TikTok Shop refused the app secret (bad signature). Check the app secret in the connection."

# What each documented code means for the person at the screen, and what they should do.
_BY_CODE = {
    106001: CHECK_SECRET,
    105002: f"The access token has expired and could not be refreshed. {AUTHORIZE_AGAIN}",
    36004001: f"The authorization has expired (the refresh token is too old). {AUTHORIZE_AGAIN}",
    36004005: f"The authorization was revoked or its refresh token already used. {AUTHORIZE_AGAIN}",
    36004004: f"The authorization code is invalid, expired (30 minutes) or already used. {AUTHORIZE_AGAIN}",
    101000: f"The access token does not cover this shop (wrong shop or cipher?). {AUTHORIZE_AGAIN}",
    106013: f"The connection has no shop cipher yet. {AUTHORIZE_AGAIN}",
    105005: (
        "The app lacks a permission (scope) this needs. Enable it for the app in Partner Center, "
        "then click Authorize again so the seller grants it."
    ),
    36009033: "TikTok Shop refused this server's IP address. Add it to the app's IP allow list.",
    21008111: "The order does not belong to this shop. Check that the connection points at the right shop.",
}

# §4.2: 36009004 is overloaded; its message says which credential or identifier was refused.
_BY_36009004_MESSAGE = (
    (("app_secret", "app secret"), CHECK_SECRET),
    (("timestamp",), "TikTok Shop refused the request time. Check this server's clock (within 5 minutes)."),
    (
        ("cipher", "shop_id"),
        f"TikTok Shop does not accept this shop identifier (shop cipher). {AUTHORIZE_AGAIN}",
    ),
    (
        ("access_token", "access token", "access-token"),
        f"The access token is invalid or revoked. {AUTHORIZE_AGAIN}",
    ),
    (("app_key", "app key"), "TikTok Shop does not know this app key. Check the app key in the connection."),
    (("sign",), "The request signature was refused. Check the app key and app secret in the connection."),
)

_BY_KIND = {
    ErrorKind.UNREACHABLE: "Could not reach TikTok Shop. Check the API and auth base URLs in the connection.",
    ErrorKind.RATE_LIMITED: "TikTok Shop asked us to slow down (rate limit). It is retried automatically.",
    ErrorKind.TRANSIENT: "TikTok Shop had a temporary problem. It is retried automatically.",
    ErrorKind.BAD_RESPONSE: "TikTok Shop answered with something unexpected. Check the API base URL.",
    ErrorKind.AUTH: f"TikTok Shop refused the credentials. Check the app key and secret. {AUTHORIZE_AGAIN}",
    ErrorKind.PERMISSION: "TikTok Shop refused: the app lacks a permission. Check its scopes.",
}


def explain(error: PlatformError) -> str:
    """What went wrong, for the merchant's staff, with what to do. Never includes secrets."""
    try:
        code = int(error.code) if error.code not in (None, "") else None
    except (TypeError, ValueError):
        code = None
    message = (error.message or "").lower()
    if code is None and error.kind in (ErrorKind.AUTH, ErrorKind.INVALID, ErrorKind.PERMISSION):
        return error.message  # our own sentence (not authorized yet, shop mismatch, …)
    if code == 36009004:
        for needles, text in _BY_36009004_MESSAGE:
            if any(n in message for n in needles):
                return text
    if code in _BY_CODE:
        return _BY_CODE[code]
    if error.kind == ErrorKind.TRANSIENT and "in time" in message:
        return "TikTok Shop did not answer in time. Retried automatically; check the network if it persists."
    if error.kind in _BY_KIND:
        return _BY_KIND[error.kind]
    suffix = f" (code {code})" if code is not None else ""
    return f"TikTok Shop refused the request{suffix}: {error.message}"
