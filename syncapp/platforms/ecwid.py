"""Ecwid REST API v3 client: orders, products and stock, store profile, OAuth and webhook signatures.

Reference: /work/shared/specs/ecwid_api.md (section numbers below are that file's). The base URL is a
constructor argument, so the same client talks to https://app.ecwid.com/api/v3 or to the sandbox.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote, quote_plus, urlencode, urlsplit, urlunsplit

import requests

from syncapp.platforms import http
from syncapp.platforms.http import DEFAULT_TIMEOUT, ErrorKind, PlatformError

PLATFORM = "Ecwid"
REAL_API_BASE_URL = "https://app.ecwid.com/api/v3"
REAL_AUTH_BASE_URL = "https://my.ecwid.com"
REAL_AUTHORIZE_URL = "https://my.ecwid.com/api/oauth/authorize"

PAGE_LIMIT = 100  # §4.4 / §5.1: `limit` is at most (and by default) 100 everywhere.
DEFAULT_RETRY_AFTER = 10.0  # §7.1: the official client waits 10 s when a 429 has no Retry-After.

Timeout = tuple[float, float] | float


@dataclass(frozen=True)
class ProductRef:
    """What a seller SKU points at in Ecwid: a product, or one variation ("combination") of it."""

    product_id: int
    combination_id: int | None
    sku: str
    name: str
    price: Decimal | None
    quantity: int | None  # None when stock is unlimited (§5.1: `quantity` is then omitted)
    unlimited: bool


class EcwidClient:
    """One store, one token. Every call raises PlatformError on failure (§7)."""

    def __init__(
        self,
        api_base_url: str,
        store_id: str | int,
        token: str,
        session: requests.Session | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        rate_limit_retries: int = 2,
        max_retry_after: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.api_base_url = api_base_url.rstrip("/")
        self.store_id = str(store_id).strip()
        self.token = token
        self.session = session or http.make_session()
        self.timeout = timeout
        self.rate_limit_retries = rate_limit_retries
        self.max_retry_after = max_retry_after
        self.sleep = sleep

    def __repr__(self) -> str:  # never show the token
        return f"EcwidClient({self.api_base_url!r}, store_id={self.store_id!r})"

    # --- transport ----------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return f"{self.api_base_url}/{quote(self.store_id, safe='')}{path}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> Any:
        """Send one API call and return its decoded JSON body.

        §2.2: the token goes in the Authorization header only (`?token=` was switched off in 2025).
        §7.1: a 429 is waited out here (Retry-After, 10 s when missing) up to `rate_limit_retries`
        times; that is safe even for POST because a rate-limited request was not processed.
        """
        method = method.upper()
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body, default=_json_default).encode()
            headers["Content-Type"] = "application/json;charset=utf-8"
        try:
            return self._send(method, path, params=params, data=data, headers=headers)
        except PlatformError as exc:
            raise _scrubbed(exc, self.token) from None

    def _send(self, method: str, path: str, *, params, data, headers) -> Any:
        retries = 0
        while True:
            response = http.send(
                self.session,
                method,
                self._url(path),
                platform=PLATFORM,
                timeout=self.timeout,
                params=params,
                data=data,
                headers=headers,
            )
            if response.status_code == 429:
                wait = http.parse_retry_after(response.headers.get("Retry-After"))
                wait = DEFAULT_RETRY_AFTER if wait is None else wait
                if retries < self.rate_limit_retries and wait <= self.max_retry_after:
                    retries += 1
                    self.sleep(wait)
                    continue
                raise error_from_response(response, retry_after=wait)
            if response.status_code >= 400:
                raise error_from_response(response)
            if not response.content:
                return {}
            try:
                return http.json_body(response, platform=PLATFORM)
            except PlatformError as exc:
                # A 2xx to a write means Ecwid took it; only the answer is unreadable.
                exc.outcome_unknown = method not in http.IDEMPOTENT_METHODS
                raise

    # --- store profile (§3) -------------------------------------------------------------------

    def get_profile(self) -> dict:
        """The store profile; works with any valid token (`read_store_profile` is always granted)."""
        return self._dict(self.request("GET", "/profile"))

    # --- orders (§4) --------------------------------------------------------------------------

    def create_order(self, payload: Mapping[str, Any]) -> str:
        """Create one order and return its string id (e.g. "XJ12H").

        §4.2: the create response is `{"id": <internal number>, "orderId": "<id>"}`, but the key's
        casing differs between sources (`orderId`/`orderid`) and old stores answered `{"id": n}`
        only — so read it case-insensitively and otherwise look the order up by its internal id.
        """
        answer = self.request("POST", "/orders", body=dict(payload))
        # From here on the order exists in Ecwid: any failure to learn its id is an unknown outcome,
        # so the caller looks for it (keywords search) instead of creating a duplicate.
        try:
            result = self._dict(answer)
            for key, value in result.items():
                if key.lower() == "orderid" and value not in (None, ""):
                    return str(value)
            internal_id = result.get("id")
            if internal_id in (None, ""):
                raise PlatformError(
                    "Ecwid created the order but its answer carries no order id.",
                    kind=ErrorKind.BAD_RESPONSE,
                    platform=PLATFORM,
                )
            # §4.1 CONFLICT: the internal id may not be accepted by GET /orders/{id} everywhere.
            order = self.get_order(str(internal_id))
            if order.get("id") in (None, ""):
                raise PlatformError(
                    "Ecwid returned an order without an id.", kind=ErrorKind.BAD_RESPONSE, platform=PLATFORM
                )
            return str(order["id"])
        except PlatformError as exc:
            exc.outcome_unknown = True
            raise

    def get_order(self, order_id: str) -> dict:
        """One order by its string id (§4.3)."""
        return self._dict(self.request("GET", f"/orders/{_segment(order_id)}"))

    def search_orders(
        self, *, keywords: str | None = None, offset: int = 0, limit: int = PAGE_LIMIT, **filters: Any
    ) -> dict:
        """One page of `GET /orders` as returned: `{total, count, offset, limit, items}` (§4.4).

        Filters use Ecwid's names (`ids`, `email`, `paymentStatus`, `createdFrom`, …); lists are sent
        comma-joined, datetimes as UNIX seconds.
        """
        params = _query({**filters, "keywords": keywords, "offset": offset, "limit": min(limit, PAGE_LIMIT)})
        return self._dict(self.request("GET", "/orders", params=params))

    def iter_orders(self, **filters: Any) -> Iterator[dict]:
        """Every matching order, page after page by `offset` (§4.4)."""
        offset = int(filters.pop("offset", 0) or 0)
        filters.pop("limit", None)
        while True:
            page = self.search_orders(offset=offset, limit=PAGE_LIMIT, **filters)
            items = _objects(page, "items")
            yield from items
            offset += len(items)
            if not items or offset >= _whole(page, "total"):
                return

    def find_orders_by_keyword(self, keyword: str) -> list[dict]:
        """All orders the fuzzy `keywords` search returns; the caller checks for an exact match (§4.4)."""
        return list(self.iter_orders(keywords=keyword))

    def update_order(self, order_id: str, payload: Mapping[str, Any]) -> int:
        """Partial update (§4.5): omitted fields stay, but `items`, when sent, replaces the whole list."""
        result = self._dict(self.request("PUT", f"/orders/{_segment(order_id)}", body=dict(payload)))
        return _whole(result, "updateCount")

    def delete_order(self, order_id: str) -> int:
        """Delete one order; returns `deleteCount`."""
        result = self._dict(self.request("DELETE", f"/orders/{_segment(order_id)}"))
        return _whole(result, "deleteCount")

    # --- products and stock (§5) --------------------------------------------------------------

    def search_products(self, *, offset: int = 0, limit: int = PAGE_LIMIT, **filters: Any) -> dict:
        """One page of `GET /products` as returned (§5.1)."""
        params = _query({**filters, "offset": offset, "limit": min(limit, PAGE_LIMIT)})
        return self._dict(self.request("GET", "/products", params=params))

    def find_products_by_sku(self, sku: str) -> list[dict]:
        """Products whose own SKU or one of whose variations' SKU is `sku` (§5.1), all pages."""
        found: list[dict] = []
        offset = 0
        while True:
            page = self.search_products(sku=sku, offset=offset)
            items = _objects(page, "items")
            found.extend(items)
            offset += len(items)
            if not items or offset >= _whole(page, "total"):
                return found

    def find_sku(self, sku: str) -> ProductRef | None:
        """The product or variation whose SKU is exactly `sku`, or None.

        §5.1: for a variation SKU the search hit is the parent product; the variation is found in its
        `combinations` (fetched separately when the search result leaves them out).
        """
        products = self.find_products_by_sku(sku)
        for product in products:
            if product.get("sku") == sku:
                return _product_ref(product)
        for product in products:
            if product.get("combinations") is None:
                combinations = self.get_combinations(_whole(product, "id", required=True))
            else:
                combinations = _objects(product, "combinations")
            for combination in combinations:
                if isinstance(combination, dict) and combination.get("sku") == sku:
                    return _combination_ref(product, combination)
        return None

    def get_product(self, product_id: int | str) -> dict:
        return self._dict(self.request("GET", f"/products/{_segment(product_id)}"))

    def get_combinations(self, product_id: int | str) -> list[dict]:
        """A product's variations: a JSON array (§5.4)."""
        result = self.request("GET", f"/products/{_segment(product_id)}/combinations")
        if not isinstance(result, list):
            raise PlatformError(
                "Ecwid answered the variations request with something that is not a list.",
                kind=ErrorKind.BAD_RESPONSE,
                platform=PLATFORM,
            )
        return result

    def set_product_stock(self, product_id: int | str, quantity: int) -> int:
        """Absolute stock (§5.2); `unlimited: false` so the number is tracked."""
        body = {"quantity": int(quantity), "unlimited": False}
        return self._update_count(self.request("PUT", f"/products/{_segment(product_id)}", body=body))

    def set_combination_stock(self, product_id: int | str, combination_id: int | str, quantity: int) -> int:
        """Absolute stock of one variation (§5.4)."""
        path = f"/products/{_segment(product_id)}/combinations/{_segment(combination_id)}"
        return self._update_count(
            self.request("PUT", path, body={"quantity": int(quantity), "unlimited": False})
        )

    def adjust_product_stock(self, product_id: int | str, delta: int) -> int:
        """Change stock by `delta` (§5.3: no read-modify-write race; stock may go negative)."""
        path = f"/products/{_segment(product_id)}/inventory"
        return self._update_count(self.request("PUT", path, body={"quantityDelta": int(delta)}))

    def adjust_combination_stock(self, product_id: int | str, combination_id: int | str, delta: int) -> int:
        """Change one variation's stock by `delta` (§5.4)."""
        path = f"/products/{_segment(product_id)}/combinations/{_segment(combination_id)}/inventory"
        return self._update_count(self.request("PUT", path, body={"quantityDelta": int(delta)}))

    # --- helpers -------------------------------------------------------------------------------

    @staticmethod
    def _dict(result: Any) -> dict:
        if not isinstance(result, dict):
            raise PlatformError(
                "Ecwid answered with JSON that is not an object.",
                kind=ErrorKind.BAD_RESPONSE,
                platform=PLATFORM,
            )
        return result

    def _update_count(self, result: Any) -> int:
        return _whole(self._dict(result), "updateCount")


# --- errors (§7.2, §7.3) -------------------------------------------------------------------------


def error_from_response(response: requests.Response, *, retry_after: float | None = None) -> PlatformError:
    """A PlatformError for an HTTP error answer.

    §7.2: the JSON body `{"errorMessage", "errorCode"}` is optional; without it the message is in the
    HTTP reason phrase (e.g. "400 Field OrderItem.quantity is absent").
    """
    status = response.status_code
    message, code = "", None
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        message = str(body.get("errorMessage") or body.get("error_description") or "")
        code = body.get("errorCode") or body.get("error") or None
    if not message:
        message = (response.reason or "").strip() or f"HTTP {status}"
    writes = response.request is not None and response.request.method not in http.IDEMPOTENT_METHODS
    kind = _kind_for(status, code, message)
    if kind is ErrorKind.RATE_LIMITED and retry_after is None:
        retry_after = http.parse_retry_after(response.headers.get("Retry-After"))
        retry_after = DEFAULT_RETRY_AFTER if retry_after is None else retry_after
    return PlatformError(
        message,
        kind=kind,
        platform=PLATFORM,
        status=status,
        code=code,
        retry_after=retry_after if kind is ErrorKind.RATE_LIMITED else None,
        request_id=response.headers.get("X-Ecwid-Api-Request-Id", ""),
        # A 5xx or 408 TIMEOUT after a write was sent (a lost response included) may still have
        # been applied.
        outcome_unknown=kind is ErrorKind.TRANSIENT and writes,
    )


def _kind_for(status: int, code: str | None, message: str = "") -> ErrorKind:
    if status == 429:
        return ErrorKind.RATE_LIMITED
    if status >= 500 or status == 408:
        return ErrorKind.TRANSIENT
    if status == 402 or code == "INSUFFICIENT_APP_SCOPE":
        return ErrorKind.PERMISSION  # plan restrictions / missing scope: a person must act
    if status == 403 and not code and "scope" in message.lower():
        # §7.2: no body, so only the reason phrase ("Insufficient app scope…") tells it from a bad token.
        return ErrorKind.PERMISSION
    if status in (401, 403) or code in ("invalid_client", "invalid_grant"):
        return ErrorKind.AUTH
    if status == 404:
        return ErrorKind.NOT_FOUND
    return ErrorKind.INVALID  # 400, 405, 409, 415, 422 and anything else in 4xx


# --- OAuth (§2.4) -------------------------------------------------------------------------------


def authorization_url(
    authorize_url: str, *, client_id: str, redirect_uri: str, scopes: Iterable[str] | str, state: str = ""
) -> str:
    """Where to send the merchant to install the app: all four parameters are required (§2.4 step 1)."""
    scope = scopes if isinstance(scopes, str) else " ".join(scopes)
    params = {"client_id": client_id, "redirect_uri": redirect_uri, "response_type": "code", "scope": scope}
    if state:
        params["state"] = state
    parts = urlsplit(authorize_url)
    query = f"{parts.query}&{urlencode(params)}" if parts.query else urlencode(params)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def exchange_code(
    auth_base_url: str,
    *,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    session: requests.Session | None = None,
    timeout: Timeout = DEFAULT_TIMEOUT,
) -> dict:
    """Trade an authorization code for a token (§2.4 step 3).

    Since 2025-03-20 this must be a POST with a form-encoded body; the old GET no longer works.
    Returns the answer as is: access_token ("secret_…"), token_type, scope, store_id (a number),
    email, public_token.
    """
    session = session or http.make_session()
    form = {
        "client_id": client_id,
        "client_secret": client_secret,
        "code": code,
        "redirect_uri": redirect_uri,
        "grant_type": "authorization_code",
    }
    response = http.send(
        session,
        "POST",
        f"{auth_base_url.rstrip('/')}/api/oauth/token",
        platform=PLATFORM,
        timeout=timeout,
        data=form,
        headers={"Accept": "application/json"},
    )
    try:
        if response.status_code >= 400:
            raise error_from_response(response)
        result = http.json_body(response, platform=PLATFORM)
    except PlatformError as exc:
        # Whatever the other end echoes back (the form it refused) must not carry the secret or code.
        raise _scrubbed(exc, client_secret, code) from None
    if not isinstance(result, dict) or not result.get("access_token") or result.get("store_id") in (None, ""):
        raise PlatformError(
            "Ecwid's token answer carries no access token or store id.",
            kind=ErrorKind.BAD_RESPONSE,
            platform=PLATFORM,
            status=response.status_code,
        )
    return result


# --- webhooks (§8.4) ----------------------------------------------------------------------------


def webhook_signature(event_created: int | str, event_id: str, client_secret: str) -> str:
    """base64(HMAC-SHA256(client_secret, "<eventCreated>.<eventId>")): only these two fields are signed."""
    message = f"{event_created}.{event_id}".encode()
    digest = hmac.new(client_secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_webhook_signature(
    signature: str | None, event_created: int | str, event_id: str, client_secret: str
) -> bool:
    """True if `X-Ecwid-Webhook-Signature` is right; fails closed when the header is missing."""
    if not signature or not client_secret:
        return False
    expected = webhook_signature(event_created, event_id, client_secret)
    return hmac.compare_digest(expected.encode(), signature.strip().encode())


# --- small pure helpers ---------------------------------------------------------------------------


def _scrubbed(exc: PlatformError, *secrets: str) -> PlatformError:
    """The error with every secret we sent replaced by "***" (raw or percent-encoded): a server
    that echoes the request back must not carry a token or client secret into a message or log."""
    message = exc.message
    for secret in sorted({s for s in secrets if s and len(s) >= 8}, key=len, reverse=True):
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
            message = message.replace(form, "***")
    if message != exc.message:
        exc.message = message
        exc.args = (message,)
    return exc


def _segment(value: int | str) -> str:
    return quote(str(value).strip(), safe="")


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _query(values: Mapping[str, Any]) -> dict[str, str]:
    """Ecwid's query conventions: comma lists, lowercase booleans, UNIX seconds for datetimes (§1)."""
    params: dict[str, str] = {}
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool):
            params[key] = "true" if value else "false"
        elif isinstance(value, dt.datetime):
            params[key] = str(int(value.timestamp()))
        elif isinstance(value, dt.date):
            params[key] = value.isoformat()
        elif isinstance(value, list | tuple | set | frozenset):
            params[key] = ",".join(str(v) for v in value)
        else:
            params[key] = str(value)
    return params


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _bad_shape(key: str) -> PlatformError:
    return http.unexpected_shape(PLATFORM, key)


def _objects(data: Mapping[str, Any], key: str) -> list[dict]:
    return http.objects_in(data, key, platform=PLATFORM)


def _whole(data: Mapping[str, Any], key: str, *, required: bool = False) -> int:
    """A whole number of an answer (`total`, `updateCount`, an id); BAD_RESPONSE if it is not one."""
    value = data.get(key)
    if value in (None, "") and not required:
        return 0
    if isinstance(value, bool) or value in (None, ""):
        raise _bad_shape(key)
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        raise _bad_shape(key) from None


def _stock(item: Mapping[str, Any]) -> tuple[int | None, bool]:
    unlimited = bool(item.get("unlimited", False))
    if unlimited or item.get("quantity") is None:
        return None, unlimited
    return _whole(item, "quantity"), unlimited


def _product_ref(product: Mapping[str, Any]) -> ProductRef:
    quantity, unlimited = _stock(product)
    return ProductRef(
        product_id=_whole(product, "id", required=True),
        combination_id=None,
        sku=str(product.get("sku") or ""),
        name=str(product.get("name") or ""),
        price=_decimal(product.get("price")),
        quantity=quantity,
        unlimited=unlimited,
    )


def _combination_ref(product: Mapping[str, Any], combination: Mapping[str, Any]) -> ProductRef:
    quantity, unlimited = _stock(combination)
    values = [str(o.get("value")) for o in _objects(combination, "options") if o.get("value")]
    name = str(product.get("name") or "")
    if values:
        name = f"{name} — {', '.join(values)}"
    price = _decimal(combination.get("price"))
    return ProductRef(
        product_id=_whole(product, "id", required=True),
        combination_id=_whole(combination, "id", required=True),
        sku=str(combination.get("sku") or ""),
        name=name,
        price=price if price is not None else _decimal(product.get("price")),
        quantity=quantity,
        unlimited=unlimited,
    )
