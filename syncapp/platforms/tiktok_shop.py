"""TikTok Shop Partner Open API (v202309): signing, tokens, shops, orders, products and inventory.

Pure Python + requests; knows URLs, signatures and response shapes, nothing of our models. Section
numbers (§) refer to the API spec, /work/shared/specs/tiktok_shop_api.md. The base URLs are
constructor arguments, so the same client talks to the real hosts and to the sandbox.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import random
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

import requests
from requests.adapters import HTTPAdapter

from syncapp.platforms import http
from syncapp.platforms.http import DEFAULT_TIMEOUT, ErrorKind, PlatformError

PLATFORM = "TikTok Shop"
API_BASE_URL = "https://open-api.tiktokglobalshop.com"  # §1.1
AUTH_BASE_URL = "https://auth.tiktok-shops.com"  # §1.1, §2.2

PAGE_SIZE_MAX = 100  # §3.1
ORDER_IDS_PER_CALL = 50  # §3.2
SELLER_SKUS_PER_SEARCH = 10  # §7.2: documented for 202502; applied to 202309 to be safe
UNSIGNED_QUERY_KEYS = frozenset({"sign", "access_token"})  # §1.3 step 1

# Every documented error code -> (what to do about it, what it means in plain words).
# §4.2 common codes, §3.2 order-detail codes, §2.2 auth code, §7.1 inventory-update codes, §7.2 search caps.
ERROR_CODES: dict[int, tuple[ErrorKind, str]] = {
    # §4.2
    36009002: (ErrorKind.RATE_LIMITED, "Too many requests: TikTok Shop's rate limit was hit"),
    36009003: (ErrorKind.TRANSIENT, "Internal error at TikTok Shop"),
    36009007: (ErrorKind.TRANSIENT, "TikTok Shop timed out handling the request"),
    36009009: (ErrorKind.INVALID, "Invalid API path"),
    36009010: (ErrorKind.INVALID, "Invalid HTTP method for this API"),
    36009014: (ErrorKind.INVALID, "Invalid or retired API version"),
    36009021: (ErrorKind.INVALID, "File too large"),
    36009022: (ErrorKind.INVALID, "The body must be application/json (or multipart for uploads)"),
    36009023: (ErrorKind.INVALID, "The content type must be multipart/form-data"),
    36009033: (ErrorKind.PERMISSION, "This server's IP address is not in the app's IP allow list"),
    36009004: (ErrorKind.INVALID, "Invalid credentials, identifier or parameter"),  # refined by message
    101000: (ErrorKind.AUTH, "The access token is invalid or not authorized for this shop"),
    105002: (ErrorKind.AUTH, "The access token has expired"),
    105005: (ErrorKind.PERMISSION, "The app lacks the access scope this API needs"),
    106001: (ErrorKind.AUTH, "Invalid request signature (wrong app secret?)"),
    106013: (ErrorKind.INVALID, "shop_cipher is required for this API but missing"),
    # §2.2
    36004004: (ErrorKind.AUTH, "Invalid authorization code (expired, already used or unknown)"),
    # Token-endpoint codes seen by a third-party SDK (EcomPHP PR #15), not in the spec: tolerate them.
    36004001: (ErrorKind.AUTH, "The refresh token has expired"),
    36004005: (ErrorKind.AUTH, "No authorization record matches this token (revoked or already used)"),
    # §3.2 Get Order Detail
    21008111: (ErrorKind.NOT_FOUND, "The order or package does not belong to this shop"),
    10002014: (ErrorKind.TRANSIENT, "Failed to get orders (temporary)"),
    10002015: (ErrorKind.TRANSIENT, "Failed to get orders (temporary)"),
    10037002: (ErrorKind.TRANSIENT, "Failed to get orders (temporary)"),
    10037003: (ErrorKind.TRANSIENT, "Failed to get orders (temporary)"),
    10037004: (ErrorKind.TRANSIENT, "Failed to get orders (temporary)"),
    10006402: (ErrorKind.INVALID, "The order detail request was refused"),
    # §7.1 Update Inventory (top level or per SKU in data.errors)
    12019022: (ErrorKind.INVALID, "The SKU needs a valid warehouse"),
    12019024: (ErrorKind.INVALID, "Invalid stock count"),
    12019027: (ErrorKind.INVALID, "At most 10 seller SKUs per product search"),
    12019087: (ErrorKind.INVALID, "At most 10 SKU ids per product search"),  # §7.2
    12052180: (ErrorKind.INVALID, "A product search may return at most 10,000 results: narrow it"),  # §7.2
    12019028: (ErrorKind.INVALID, "The SKU has several warehouses: include all of them"),
    12052031: (ErrorKind.NOT_FOUND, "Invalid product id"),
    12052032: (ErrorKind.NOT_FOUND, "Invalid product id"),
    12052260: (ErrorKind.NOT_FOUND, "Invalid product id"),
    12052036: (ErrorKind.INVALID, "SKU id missing"),
    12052037: (ErrorKind.INVALID, "Inventory could not be updated (auto-allocated or wrong warehouses)"),
    12052048: (ErrorKind.NOT_FOUND, "The product is not in this shop"),
    12052055: (ErrorKind.INVALID, "Quantity out of limits"),
    12052097: (ErrorKind.INVALID, "The warehouse does not exist"),
    12052393: (ErrorKind.INVALID, "Stock is locked by a promotion and cannot go below its current value"),
    12052530: (ErrorKind.INVALID, "The warehouse is not in this shop"),
    12052531: (ErrorKind.INVALID, "The warehouse is disabled"),
    12052533: (
        ErrorKind.INVALID,
        "The warehouses sent do not match the SKU's: include exactly its warehouses",
    ),
    12052553: (ErrorKind.INVALID, "Duplicate SKU id"),
    12052556: (ErrorKind.NOT_FOUND, "The SKU id does not exist"),
    12052901: (ErrorKind.INVALID, "The product's status does not allow this"),
    12052921: (ErrorKind.INVALID, "Inventory is shared with the source shop"),
    12052990: (ErrorKind.INVALID, "Check failed"),
}

# §4.2: 36009004 covers several unrelated failures; the message says which. Checked in this order;
# single words match whole words only ("sign" is not "assigned").
_36009004_BRANCHES: tuple[tuple[tuple[str, ...], ErrorKind, str], ...] = (
    (("timestamp",), ErrorKind.INVALID, "The request time was refused: check this server's clock"),
    (("app_secret", "app secret"), ErrorKind.AUTH, "The app secret was refused"),
    (("shop_cipher", "cipher", "shop_id"), ErrorKind.INVALID, "Wrong or unexpected shop cipher"),
    (("access_token", "access-token", "access token"), ErrorKind.AUTH, "The access token is invalid"),
    (("app_key", "app key"), ErrorKind.AUTH, "The app key is unknown"),
    (("sign",), ErrorKind.AUTH, "The request signature is missing"),
    (("version",), ErrorKind.INVALID, "Invalid API version"),
)


def sign(app_secret: str, path: str, query: Mapping[str, str], body: str | bytes = "") -> str:
    """The `sign` query parameter of an Open API request (§1.3).

    `query` holds the decoded values as they go on the wire; `body` the exact bytes sent.
    """
    items = sorted((str(k), str(v)) for k, v in query.items() if k not in UNSIGNED_QUERY_KEYS)
    base = (path + "".join(f"{k}{v}" for k, v in items)).encode()
    if body:
        base += body if isinstance(body, bytes) else body.encode()
    secret = app_secret.encode()
    return hmac.new(secret, secret + base + secret, hashlib.sha256).hexdigest()


def webhook_signature(raw_body: bytes, app_key: str, app_secret: str) -> str:
    """The `Authorization` header of a webhook push: hex HMAC-SHA256(app_secret, app_key + body) (§6.3)."""
    return hmac.new(app_secret.encode(), app_key.encode() + raw_body, hashlib.sha256).hexdigest()


def verify_webhook_signature(raw_body: bytes, header: str | None, app_key: str, app_secret: str) -> bool:
    """True if `header` is the signature of the raw body as received; constant time (§6.3)."""
    if not header or not app_secret:
        return False
    expected = webhook_signature(raw_body, app_key, app_secret)
    return hmac.compare_digest(expected.encode(), header.strip().lower().encode("utf-8", "replace"))


def classify(code: int | None, message: str = "", status: int | None = None) -> tuple[ErrorKind, str]:
    """(kind, plain meaning) of a TikTok Shop error code, falling back on the HTTP status."""
    if status == 429 or code == 36009002:  # §5: HTTP 429 / 36009002
        return ErrorKind.RATE_LIMITED, ERROR_CODES[36009002][1]
    if code == 36009004:
        words = set(re.findall(r"[a-z_-]+", (message or "").lower()))
        lowered = (message or "").lower()
        for needles, kind, meaning in _36009004_BRANCHES:
            if any((n in words) if n.isalpha() else (n in lowered) for n in needles):
                return kind, meaning
        if "credentials" in words:
            return ErrorKind.AUTH, "The request credentials were refused"
        return ErrorKind.INVALID, "A request parameter was refused"
    if code in ERROR_CODES:
        return ERROR_CODES[code]
    if status is not None and status >= 500:  # §5: 503 is server-side protection; back off
        return ErrorKind.TRANSIENT, "TikTok Shop had a server error"
    if status in (401, 403):
        return ErrorKind.AUTH, "TikTok Shop refused the credentials"
    if status == 404:
        return ErrorKind.NOT_FOUND, "Not found"
    return ErrorKind.INVALID, "TikTok Shop refused the request"


def error_for(
    code: Any,
    message: str | None,
    *,
    status: int | None = None,
    request_id: str = "",
    retry_after: float | None = None,
    outcome_unknown: bool = False,
) -> PlatformError:
    """A PlatformError for one error envelope `{"code", "message", "request_id"}` (§4.1)."""
    try:
        code = int(code)
    except (TypeError, ValueError, OverflowError):
        code = None
    platform_message = str(message if message is not None else "").strip()[:300]
    kind, meaning = classify(code, platform_message, status)
    text = f"{meaning}. TikTok Shop said: {platform_message}" if platform_message else f"{meaning}."
    return PlatformError(
        text,
        kind=kind,
        platform=PLATFORM,
        status=status,
        code=code,
        retry_after=retry_after if kind == ErrorKind.RATE_LIMITED else None,
        request_id=request_id,
        outcome_unknown=outcome_unknown and kind == ErrorKind.TRANSIENT,
    )


def _aware(timestamp: Any) -> dt.datetime | None:
    """The token expiry fields are ABSOLUTE unix seconds despite `*_expire_in` (§2.2).

    Tolerance: a small number can only be a duration, so it is read as seconds from now.
    """
    try:
        value = int(timestamp)
    except (TypeError, ValueError, OverflowError):
        return None
    if value <= 0:
        return None
    if value < 1_000_000_000:
        value += int(time.time())
    try:
        return dt.datetime.fromtimestamp(value, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):  # beyond year 9999: no usable expiry
        return None


def _unix(value: int | float | dt.datetime) -> int:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("Naive datetime: pass an aware datetime or unix seconds.")
        return int(value.timestamp())
    return int(value)


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclasses.dataclass(frozen=True)
class TokenSet:
    """The answer of Get Access Token / Refresh (§2.2, §2.3). Tokens are kept out of repr()."""

    access_token: str = dataclasses.field(repr=False)
    access_token_expires_at: dt.datetime | None
    refresh_token: str = dataclasses.field(repr=False)
    refresh_token_expires_at: dt.datetime | None
    open_id: str = ""
    seller_name: str = ""
    seller_base_region: str = ""
    granted_scopes: tuple[str, ...] = ()
    user_type: int | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> TokenSet:
        if not data.get("access_token") or not data.get("refresh_token"):
            raise PlatformError(
                "TikTok Shop answered the token request without tokens.",
                kind=ErrorKind.BAD_RESPONSE,
                platform=PLATFORM,
            )
        scopes = data.get("granted_scopes") or ()
        return cls(
            access_token=str(data["access_token"]),
            access_token_expires_at=_aware(data.get("access_token_expire_in")),
            refresh_token=str(data["refresh_token"]),
            refresh_token_expires_at=_aware(data.get("refresh_token_expire_in")),
            open_id=str(data.get("open_id") or ""),
            seller_name=str(data.get("seller_name") or ""),
            seller_base_region=str(data.get("seller_base_region") or ""),
            granted_scopes=tuple(str(s) for s in scopes) if isinstance(scopes, list | tuple) else (),
            user_type=data.get("user_type"),
        )


@dataclasses.dataclass(frozen=True)
class Shop:
    """One entry of Get Authorized Shops (§2.4). `id` is the webhook `shop_id`; `cipher` the shop_cipher."""

    id: str
    name: str
    region: str
    seller_type: str
    cipher: str
    code: str

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Shop:
        return cls(
            id=str(data.get("id") or ""),
            name=str(data.get("name") or ""),
            region=str(data.get("region") or ""),
            seller_type=str(data.get("seller_type") or ""),
            cipher=str(data.get("cipher") or ""),
            code=str(data.get("code") or ""),
        )


@dataclasses.dataclass(frozen=True)
class OrderPage:
    """One page of Get Order List (§3.1); `next_page_token` is "" on the last page."""

    orders: list[dict]
    next_page_token: str
    total_count: int


@dataclasses.dataclass(frozen=True)
class ProductPage:
    """One page of Search Products (§7.2)."""

    products: list[dict]
    next_page_token: str
    total_count: int


@dataclasses.dataclass(frozen=True)
class SkuRef:
    """Where one seller SKU lives: what an inventory update needs (§7.1, §7.2)."""

    seller_sku: str
    product_id: str
    sku_id: str
    warehouse_ids: tuple[str, ...]
    quantity: int  # total over its warehouses
    inventory: tuple[tuple[str, int], ...]  # (warehouse_id, quantity)
    price: dict
    product_status: str


class TikTokShopClient:
    """One seller's shop through the Open API. Each attempt is signed afresh (new timestamp, §1.2).

    Retries (`retries`, default 2) happen here rather than in the session, so a retried request is
    re-signed with a fresh timestamp (§9.7); every call this client makes is safe to repeat (reads,
    and inventory updates that set absolute quantities, §7.1). Token exchanges are only retried when
    the request surely was not processed (429, connection refused), because auth codes are single use.
    """

    def __init__(
        self,
        app_key: str,
        app_secret: str,
        api_base_url: str,
        auth_base_url: str,
        access_token: str = "",
        shop_cipher: str = "",
        session: requests.Session | None = None,
        timeout: tuple[float, float] | float = DEFAULT_TIMEOUT,
        clock: Callable[[], float] = time.time,
        *,
        retries: int = 2,
        max_retry_after: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.app_key = app_key
        self.app_secret = app_secret
        self.api_base_url = api_base_url.rstrip("/")
        self.auth_base_url = auth_base_url.rstrip("/")
        self.access_token = access_token
        self.shop_cipher = shop_cipher
        self.session = session or make_session()
        self.timeout = timeout
        self.clock = clock
        self.retries = retries
        self.max_retry_after = max_retry_after
        self.sleep = sleep

    def __repr__(self) -> str:
        return f"<TikTokShopClient app_key={self.app_key!r} api={self.api_base_url!r}>"

    # ---- transport -------------------------------------------------------------------------------

    def _envelope_data(self, response: requests.Response, *, read_only: bool) -> dict:
        """`data` of a success envelope, or the PlatformError for it. The body is parsed even on
        non-2xx: errors come with a normal envelope and statuses like 401 (§4.1)."""
        status = response.status_code
        retry_after = http.parse_retry_after(response.headers.get("Retry-After"))
        try:
            payload = http.json_body(response, platform=PLATFORM)
        except PlatformError:
            if status != 429:
                raise
            # §5: HTTP 429 is the rate limit even when a gateway answers it with a page, not JSON.
            payload = None
        if not isinstance(payload, dict) or "code" not in payload:
            if status >= 400:
                raise error_for(
                    None,
                    f"HTTP {status} without the usual envelope",
                    status=status,
                    retry_after=retry_after,
                    outcome_unknown=not read_only,
                )
            raise PlatformError(
                "TikTok Shop answered without the usual code/message envelope.",
                kind=ErrorKind.BAD_RESPONSE,
                platform=PLATFORM,
                status=status,
            )
        code = payload.get("code")
        if str(code) == "0" and status < 400:
            data = payload.get("data")
            return data if isinstance(data, dict) else {}
        raise error_for(
            code,
            payload.get("message"),
            status=status,
            request_id=str(payload.get("request_id") or ""),
            # Retry-After on TikTok's 429 is UNVERIFIED (§5): used when present.
            retry_after=retry_after,
            # §4.2: an internal error or timeout (36009003/36009007) on a write may have applied it,
            # whatever the HTTP status of the envelope ("writes: re-read first"). error_for keeps
            # the flag for transient kinds only.
            outcome_unknown=not read_only,
        )

    def _with_retries(self, attempt_once: Callable[[], dict], *, safe_to_repeat: bool) -> dict:
        attempt = 0
        while True:
            try:
                return attempt_once()
            except PlatformError as exc:
                surely_unprocessed = exc.kind == ErrorKind.RATE_LIMITED or (
                    exc.kind == ErrorKind.UNREACHABLE and not exc.outcome_unknown
                )
                if attempt >= self.retries or not (surely_unprocessed or (safe_to_repeat and exc.retryable)):
                    raise
                delay = exc.retry_after
                if delay is None:  # §5: random exponential backoff
                    delay = min(8.0, 0.5 * 2**attempt) * random.uniform(0.5, 1.0)
                if delay > self.max_retry_after:
                    raise
                attempt += 1
                self.sleep(delay)

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        shop_scoped: bool = True,
        read_only: bool = True,
    ) -> dict:
        """Sign and send one Open API request; return the envelope's `data`."""
        if body is not None and not body:
            # §1.3 edge case: how the server signs an empty `{}` body is UNVERIFIED; never send one.
            raise ValueError("Refusing to send an empty JSON body to TikTok Shop.")
        # Serialize ONCE; the exact bytes are signed and sent (§1.3 step 5). Never requests' json=.
        raw = json.dumps(body, separators=(",", ":")).encode() if body is not None else b""

        def attempt_once() -> dict:
            query = {k: str(v) for k, v in (params or {}).items() if v is not None and v != ""}
            query["app_key"] = self.app_key
            query["timestamp"] = str(int(self.clock()))
            if shop_scoped and self.shop_cipher:
                query["shop_cipher"] = self.shop_cipher
            query["sign"] = sign(self.app_secret, path, query, raw)
            headers = {"Content-Type": "application/json", "x-tts-access-token": self.access_token}
            try:
                response = http.send(
                    self.session,
                    method,
                    self.api_base_url + path,
                    platform=PLATFORM,
                    timeout=self.timeout,
                    params=query,
                    data=raw or None,
                    headers=headers,
                )
                return self._envelope_data(response, read_only=read_only)
            except PlatformError as exc:
                if read_only:
                    exc.outcome_unknown = False  # a search sent as POST changes nothing
                raise _scrubbed(exc, self.app_secret, self.access_token) from None

        return self._with_retries(attempt_once, safe_to_repeat=True)

    def _token_call(self, path: str, params: Mapping[str, str]) -> TokenSet:
        """GET on the auth host. Its URL carries app_secret: http.send never puts URLs in errors,
        and whatever the other end echoes back (a proxy's "Cannot GET /…?app_secret=…") is
        scrubbed of the secret, the code and the tokens before it can reach a log."""

        def attempt_once() -> dict:
            try:
                response = http.send(
                    self.session,
                    "GET",
                    self.auth_base_url + path,
                    platform=PLATFORM,
                    timeout=self.timeout,
                    params=params,
                )
                return self._envelope_data(response, read_only=True)
            except PlatformError as exc:
                sent = (v for k, v in params.items() if k not in ("app_key", "grant_type"))
                raise _scrubbed(exc, self.app_secret, self.access_token, *sent) from None

        return TokenSet.from_api(self._with_retries(attempt_once, safe_to_repeat=False))

    # ---- authorization (§2) ----------------------------------------------------------------------

    def get_access_token(self, auth_code: str) -> TokenSet:
        """Exchange the redirect's `code` for tokens (§2.2). Reference: GET /api/v2/token/get."""
        return self._token_call(
            "/api/v2/token/get",
            {
                "app_key": self.app_key,
                "app_secret": self.app_secret,
                "auth_code": auth_code,
                "grant_type": "authorized_code",  # literally this, not OAuth's authorization_code
            },
        )

    def refresh_access_token(self, refresh_token: str) -> TokenSet:
        """New access AND refresh tokens (§2.3): persist both. Reference: GET /api/v2/token/refresh."""
        return self._token_call(
            "/api/v2/token/refresh",
            {
                "app_key": self.app_key,
                "app_secret": self.app_secret,
                "refresh_token": refresh_token,
                "grant_type": "refresh_token",
            },
        )

    def get_authorized_shops(self) -> list[Shop]:
        """The shops this token covers (§2.4). Sent WITHOUT shop_cipher, which is refused here."""
        data = self._call("GET", "/authorization/202309/shops", shop_scoped=False)
        return [Shop.from_api(s) for s in _objects(data, "shops")]

    # ---- orders (§3) -----------------------------------------------------------------------------

    def search_orders(
        self,
        *,
        update_time_ge: int | dt.datetime | None,
        update_time_lt: int | dt.datetime | None,
        page_size: int = PAGE_SIZE_MAX,
        page_token: str = "",
        order_status: str | None = None,
        sort_field: str = "update_time",
        sort_order: str = "ASC",
        create_time_ge: int | dt.datetime | None = None,
        create_time_lt: int | dt.datetime | None = None,
    ) -> OrderPage:
        """One page of orders in a time window (`_ge` inclusive, `_lt` exclusive) (§3.1)."""
        body: dict[str, Any] = {}
        for key, value in (
            ("update_time_ge", update_time_ge),
            ("update_time_lt", update_time_lt),
            ("create_time_ge", create_time_ge),
            ("create_time_lt", create_time_lt),
        ):
            if value is not None:
                body[key] = _unix(value)
        if order_status:
            body["order_status"] = order_status
        data = self._call(
            "POST",
            "/order/202309/orders/search",
            params={
                "page_size": page_size,
                "page_token": page_token,
                "sort_field": sort_field,
                "sort_order": sort_order,
            },
            body=body,
        )
        return OrderPage(
            orders=_objects(data, "orders"),
            next_page_token=str(data.get("next_page_token") or ""),
            total_count=_count(data, "total_count"),
        )

    def iter_orders(self, **filters: Any) -> Iterator[dict]:
        """Every order of `search_orders(**filters)`, following `next_page_token` until "" (§3.1)."""
        filters.pop("page_token", None)
        token = ""
        seen: set[str] = set()
        while True:
            page = self.search_orders(page_token=token, **filters)
            yield from page.orders
            token = page.next_page_token
            if not token:
                return
            if token in seen:
                raise PlatformError(
                    "TikTok Shop returned the same page token twice; stopping to avoid a loop.",
                    kind=ErrorKind.BAD_RESPONSE,
                    platform=PLATFORM,
                )
            seen.add(token)

    def get_orders(self, ids: Iterable[str]) -> list[dict]:
        """Full orders by id, ≤50 per call, comma-joined (§1.2, §3.2)."""
        ids = [str(i) for i in ids]
        orders: list[dict] = []
        for chunk in _chunks(ids, ORDER_IDS_PER_CALL):
            data = self._call("GET", "/order/202309/orders", params={"ids": ",".join(chunk)})
            orders.extend(_objects(data, "orders"))
        return orders

    # ---- products, warehouses, inventory (§7) ------------------------------------------------

    def search_products(
        self,
        *,
        seller_skus: Iterable[str] | None = None,
        status: str | None = None,
        page_size: int = PAGE_SIZE_MAX,
        page_token: str = "",
    ) -> ProductPage:
        """One page of products, optionally by seller SKUs (≤10) (§7.2)."""
        body: dict[str, Any] = {}
        if seller_skus is not None:
            body["seller_skus"] = [str(s) for s in seller_skus]
        if status:
            body["status"] = status
        if not body:
            body["status"] = "ALL"  # the documented default, sent so the body is never `{}` (§1.3)
        data = self._call(
            "POST",
            "/product/202309/products/search",
            params={"page_size": page_size, "page_token": page_token},
            body=body,
        )
        return ProductPage(
            products=_objects(data, "products"),
            next_page_token=str(data.get("next_page_token") or ""),
            total_count=_count(data, "total_count"),
        )

    def find_skus(self, seller_skus: Iterable[str]) -> dict[str, SkuRef]:
        """Seller SKU -> where it lives, for the SKUs found (exact matches only) (§7.2)."""
        wanted = list(dict.fromkeys(str(s) for s in seller_skus if s))
        found: dict[str, SkuRef] = {}
        for batch in _chunks(wanted, SELLER_SKUS_PER_SEARCH):
            token = ""
            while True:
                page = self.search_products(seller_skus=batch, page_token=token)
                for product in page.products:
                    for sku in _objects(product, "skus"):
                        seller_sku = str(sku.get("seller_sku") or "")
                        if seller_sku in batch and seller_sku not in found:
                            found[seller_sku] = _sku_ref(product, sku)
                token = page.next_page_token
                if not token or not page.products:
                    break
        return found

    def get_product(self, product_id: str) -> dict:
        """One product with its SKUs and per-warehouse inventory (§7.2 Get Product)."""
        return self._call("GET", f"/product/202309/products/{_path_id(product_id)}")

    def get_warehouses(self) -> list[dict]:
        """The shop's warehouses (§7.3); stock lives in enabled SALES_WAREHOUSE ones."""
        data = self._call("GET", "/logistics/202309/warehouses")
        return _objects(data, "warehouses")

    def update_inventory(self, product_id: str, skus: list[dict]) -> list[dict]:
        """Set ABSOLUTE quantities for SKUs of one product; return the per-SKU `data.errors` (§7.1).

        `skus`: `[{"id": sku_id, "inventory": [{"warehouse_id": …, "quantity": n}, …]}]`, listing
        every warehouse of each SKU. `code: 0` can still carry per-SKU failures: check the result.
        """
        if not skus:
            return []
        data = self._call(
            "POST",
            f"/product/202309/products/{_path_id(product_id)}/inventory/update",
            body={"skus": skus},
            read_only=False,
        )
        return _objects(data, "errors")


def make_session() -> requests.Session:
    """`http.make_session()` without transport-level retries: those would resend the same signed URL
    (this client re-signs each attempt). Adapters get requests' own zero-retry policy (`read=False`)
    so a read timeout surfaces as a timeout; urllib3's `Retry(0)` would report it as a dropped
    connection, i.e. "unreachable"."""
    session = http.make_session(read_retries=0)
    for prefix in ("http://", "https://"):
        session.mount(prefix, HTTPAdapter(max_retries=0, pool_maxsize=16))
    return session


def _scrubbed(exc: PlatformError, *secrets: str) -> PlatformError:
    """The error with every secret we sent replaced by "***", raw or percent-encoded, so a server
    that echoes the request back cannot carry a secret into a message or a log line. Values
    shorter than 8 characters (app keys, grant types) are not secrets and are left alone."""
    message = exc.message
    for secret in sorted({s for s in secrets if s and len(s) >= 8}, key=len, reverse=True):
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
            message = message.replace(form, "***")
    if message != exc.message:
        exc.message = message
        exc.args = (message,)
    return exc


def _bad_shape(key: str) -> PlatformError:
    return http.unexpected_shape(PLATFORM, key)


def _objects(data: Mapping[str, Any], key: str) -> list[dict]:
    return http.objects_in(data, key, platform=PLATFORM)


def _count(data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    if value in (None, ""):
        return 0
    if isinstance(value, bool):
        raise _bad_shape(key)
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        raise _bad_shape(key) from None


def _path_id(value: str) -> str:
    value = str(value)
    if not re.fullmatch(r"[0-9A-Za-z_-]+", value):
        raise ValueError(f"Not a TikTok Shop id: {value!r}")
    return value


def _sku_ref(product: Mapping[str, Any], sku: Mapping[str, Any]) -> SkuRef:
    inventory = []
    for entry in _objects(sku, "inventory"):
        try:
            inventory.append((str(entry.get("warehouse_id") or ""), int(entry.get("quantity") or 0)))
        except (TypeError, ValueError, OverflowError):
            continue
    return SkuRef(
        seller_sku=str(sku.get("seller_sku") or ""),
        product_id=str(product.get("id") or ""),
        sku_id=str(sku.get("id") or ""),
        warehouse_ids=tuple(w for w, _ in inventory if w),
        quantity=sum(q for _, q in inventory),
        inventory=tuple(inventory),
        price=dict(sku.get("price") or {}),
        product_status=str(product.get("status") or ""),
    )
