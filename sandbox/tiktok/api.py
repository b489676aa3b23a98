"""The emulated Open API (`…/open-api/…`) and token endpoints (`…/auth/api/v2/token/…`).

Every check the spec documents is enforced, in the order a gateway would: path and method, app key,
timestamp window, signature, content type, shop cipher, access token, shop link, rate limit (it is
counted per app, shop and API, so it needs the shop), scope.
Errors use the platform's envelope `{"code", "message", "request_id", "data"}` (§4.1).
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import json
import os
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from sandbox import faults, inputs, ratelimit
from sandbox.tiktok import signing
from sandbox.tiktok.models import (
    App,
    AuthCode,
    Order,
    Product,
    Shop,
    Sku,
    Stock,
    Token,
    Warehouse,
    random_token,
)

PLATFORM = "tiktok"
TIMESTAMP_PAST = 300  # §1.2: [now − 5 min, now + 30 s]
TIMESTAMP_FUTURE = 30
RATE_LIMIT, RATE_WINDOW = 50, 1.0  # §5: 50 QPS per (app, shop, API)
ACCESS_TOKEN_LIFETIME = dt.timedelta(days=7)  # §2.2
REFRESH_TOKEN_LIFETIME = dt.timedelta(days=365)  # spec sample: refresh expiry ≈ a year out
MAX_ORDER_IDS = 50  # §3.2
MAX_SELLER_SKUS = 100  # §7.2: 10 is documented for 202502 only; 202309's cap is UNVERIFIED
ORDER_STATUSES = {
    "UNPAID",
    "ON_HOLD",
    "AWAITING_SHIPMENT",
    "PARTIALLY_SHIPPING",
    "AWAITING_COLLECTION",
    "IN_TRANSIT",
    "DELIVERED",
    "COMPLETED",
    "CANCELLED",
}
PRODUCT_STATUSES = {"ALL", *Product.Status.values}

INVALID_SIGN = (
    "Invalid credentials. The 'sign' query parameter is invalid. "
    "For more details: https://m.tiktok.shop/s/AIu6dbFhs2XW"  # §1.3, as observed live
)


class ApiError(Exception):
    def __init__(self, code: int, message: str, status: int = 400, headers: dict | None = None):
        super().__init__(message)
        self.code, self.message, self.status, self.headers = code, message, status, headers or {}


def request_id() -> str:
    return timezone.now().strftime("%Y%m%d%H%M%S") + secrets.token_hex(9).upper()


def envelope(
    code: int, message: str, data=None, *, status: int = 200, headers: dict | None = None
) -> JsonResponse:
    response = JsonResponse(
        {"code": code, "message": message, "request_id": request_id(), "data": data}, status=status
    )
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def render_error(status: int, reason: str, message: str, retry_after=None) -> JsonResponse:
    """Faults in TikTok's own shape: 429 → 36009002, 5xx → 36009003, 504 → 36009007 (§4.2)."""
    code = {"rate_limited": 36009002, "timeout": 36009007}.get(reason, 36009003)
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return envelope(code, message, status=status, headers=headers)


# ---- request context and checks --------------------------------------------------------------


@dataclass
class Call:
    request: HttpRequest
    path: str
    app: App
    token: Token
    shop: Shop | None
    kwargs: dict
    body: dict

    def param(self, name: str, default: str = "") -> str:
        return self.request.GET.get(name, default)


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    pattern: re.Pattern
    handler: Callable[[Call], dict]
    scope: str
    shop_scoped: bool  # True: shop_cipher required; False: shop_cipher refused (§1.2)


def load_json(raw: bytes | str):
    """Decode a JSON body or page token; ValueError for anything a JSON decoder would refuse.

    NaN/Infinity literals are not JSON; nesting deeper than the decoder's recursion limit is refused
    instead of crashing the view (bad input must get the envelope, never a 500).
    """

    def no_constant(name: str):
        raise ValueError(f"{name} is not a JSON value")

    try:
        return json.loads(raw, parse_constant=no_constant)
    except RecursionError:
        raise ValueError("The JSON is nested too deeply.") from None


def _int(value, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """An integer parameter: a query string of digits or a JSON integer (an integral float is
    tolerated; booleans, fractions, infinities and other types are refused with 36009004)."""
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ApiError(36009004, f"Invalid {name}: {value!r} is not an integer.")
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise ApiError(36009004, f"Invalid {name}: {value!r} is not an integer.") from None
    if (low is not None and number < low) or (high is not None and number > high):
        raise ApiError(36009004, f"Invalid {name}: must be between {low} and {high}.")
    return number


def _check_timestamp(raw: str) -> None:
    now = int(time.time())
    try:
        ts = int(raw)
    except (TypeError, ValueError):
        ts = -1
    if ts < 0 or ts < now - TIMESTAMP_PAST or ts > now + TIMESTAMP_FUTURE:
        raise ApiError(
            36009004,
            "Invalid timestamp. The timestamp must be Unix seconds no older than 5 minutes "
            "and no more than 30 seconds ahead of the server time.",
            401,
        )


def _app_from_key(app_key: str) -> App:
    app = App.objects.filter(app_key=app_key).first() if app_key else None
    if app is None:
        raise ApiError(36009004, "Invalid credentials. The app_key is missing or invalid.", 401)
    return app


def _token_from_header(request: HttpRequest, app: App) -> Token:
    value = request.headers.get("x-tts-access-token", "")
    if not value:
        raise ApiError(36009004, "Invalid credentials. The x-tts-access-token header is missing.", 401)
    token = Token.objects.select_related("shop", "app").filter(access_token=value).first()
    if token is None or token.revoked_at is not None or token.app_id != app.id:
        raise ApiError(
            36009004,
            "Invalid credentials. The access token in the x-tts-access-token header is invalid or revoked.",
            401,
        )
    if token.access_expires_at <= timezone.now():
        raise ApiError(105002, "Access token is expired, please refresh it.", 401)
    return token


def _page_token(payload: dict) -> str:
    # Opaque like the real ones (which contain / and +, §3.1): random bytes + the cursor, base64.
    return base64.b64encode(os.urandom(3) + json.dumps(payload, separators=(",", ":")).encode()).decode()


def _read_page_token(token: str, **expected) -> dict:
    invalid = ApiError(36009004, "Invalid page_token. Use the next_page_token of the same search.")
    try:
        payload = load_json(base64.b64decode(token, validate=True)[3:])
    except ValueError:
        raise invalid from None
    if not isinstance(payload, dict) or any(payload.get(k) != v for k, v in expected.items()):
        raise invalid
    return payload


def _cursor_int(cursor: dict, key: str) -> int:
    # A tampered token can carry anything; it is refused like any other invalid token.
    try:
        return _int(cursor.get(key), "page_token")
    except ApiError:
        raise ApiError(36009004, "Invalid page_token. Use the next_page_token of the same search.") from None


def _time_filter(body: dict, name: str):
    if name not in body:
        return None
    return _int(body[name], name, low=0)


# ---- handlers ----------------------------------------------------------------------------------


def get_authorized_shops(call: Call) -> dict:
    """GET /authorization/202309/shops (§2.4): the shops this token covers."""
    return {"shops": [call.token.shop.as_api()]}


def search_orders(call: Call) -> dict:
    """POST /order/202309/orders/search (§3.1)."""
    page_size = _int(call.param("page_size", ""), "page_size", low=1, high=100)
    sort_field = call.param("sort_field", "create_time")
    sort_order = call.param("sort_order", "DESC")
    if sort_field not in ("create_time", "update_time"):
        raise ApiError(36009004, "Invalid sort_field: use create_time or update_time.")
    if sort_order not in ("ASC", "DESC"):
        raise ApiError(36009004, "Invalid sort_order: use ASC or DESC.")
    body = call.body
    orders = Order.objects.filter(shop=call.shop)
    status = body.get("order_status")
    if status is not None:
        if not isinstance(status, str) or status not in ORDER_STATUSES:
            raise ApiError(36009004, f"Invalid order_status: {status!r}.")
        orders = orders.filter(status=status)
    for field in ("create_time", "update_time"):
        ge, lt = _time_filter(body, f"{field}_ge"), _time_filter(body, f"{field}_lt")
        if ge is not None:
            orders = orders.filter(**{f"{field}__gte": ge})  # _ge inclusive
        if lt is not None:
            orders = orders.filter(**{f"{field}__lt": lt})  # _lt exclusive
    total = orders.count()
    descending = sort_order == "DESC"
    token = call.param("page_token")
    if token:
        cursor = _read_page_token(token, f=sort_field, o=sort_order)
        value, pk = _cursor_int(cursor, "v"), _cursor_int(cursor, "pk")
        lookup = "lt" if descending else "gt"
        orders = orders.filter(**{f"{sort_field}__{lookup}": value}) | orders.filter(
            **{sort_field: value, f"pk__{lookup}": pk}
        )
    prefix = "-" if descending else ""
    page = list(orders.order_by(f"{prefix}{sort_field}", f"{prefix}pk")[: page_size + 1])
    more, page = len(page) > page_size, page[:page_size]
    next_token = ""
    if more:
        last = page[-1]
        next_token = _page_token(
            {"f": sort_field, "o": sort_order, "v": getattr(last, sort_field), "pk": last.pk}
        )
    return {"orders": [o.as_api() for o in page], "next_page_token": next_token, "total_count": total}


def get_order_detail(call: Call) -> dict:
    """GET /order/202309/orders?ids=a,b (§3.2): ≤50 ids; ids outside this shop are refused."""
    ids = [i.strip() for i in call.param("ids").split(",") if i.strip()]
    if not ids:
        raise ApiError(36009004, "Invalid ids: at least one order id is required.")
    if len(ids) > MAX_ORDER_IDS:
        raise ApiError(36009004, f"Invalid ids: at most {MAX_ORDER_IDS} order ids per request.")
    found = {o.order_id: o for o in Order.objects.filter(shop=call.shop, order_id__in=ids)}
    if any(i not in found for i in ids):
        raise ApiError(21008111, "The order or package does not belong to the current seller.", 200)
    return {"orders": [found[i].as_api() for i in dict.fromkeys(ids)]}


def search_products(call: Call) -> dict:
    """POST /product/202309/products/search (§7.2)."""
    page_size = _int(call.param("page_size", ""), "page_size", low=1, high=100)
    body = call.body
    products = Product.objects.filter(shop=call.shop).prefetch_related("skus__stock__warehouse")
    status = body.get("status", "ALL")
    if not isinstance(status, str) or status not in PRODUCT_STATUSES:
        raise ApiError(36009004, f"Invalid status: {status!r}.")
    if status != "ALL":
        products = products.filter(status=status)
    skus = body.get("seller_skus")
    if skus is not None:
        if not isinstance(skus, list) or not all(isinstance(s, str) for s in skus):
            raise ApiError(36009004, "Invalid seller_skus: must be an array of strings.")
        if len(skus) > MAX_SELLER_SKUS:
            # §7.2: 12019027 (max 10) is documented for the 202502 search; whether 202309 has the cap
            # is UNVERIFIED, so this version tolerates more (a sane bound stops abuse).
            raise ApiError(12019027, f"At most {MAX_SELLER_SKUS} seller_skus per search.")
        products = products.filter(skus__seller_sku__in=skus).distinct()
    for field in ("create_time", "update_time"):
        ge, le = _time_filter(body, f"{field}_ge"), _time_filter(body, f"{field}_le")
        if ge is not None:
            products = products.filter(**{f"{field}__gte": ge})
        if le is not None:
            products = products.filter(**{f"{field}__lte": le})
    total = products.count()
    token = call.param("page_token")
    if token:
        products = products.filter(pk__gt=_cursor_int(_read_page_token(token, k="products"), "pk"))
    page = list(products.order_by("pk")[: page_size + 1])
    more, page = len(page) > page_size, page[:page_size]
    next_token = _page_token({"k": "products", "pk": page[-1].pk}) if more else ""
    return {"products": [p.as_api() for p in page], "next_page_token": next_token, "total_count": total}


def _product_of_shop(call: Call) -> Product:
    product = (
        Product.objects.filter(shop=call.shop, product_id=call.kwargs["product_id"])
        .prefetch_related("skus__stock__warehouse")
        .first()
    )
    if product is None:
        raise ApiError(12052048, "The product does not belong to the current shop.", 200)
    return product


def get_product(call: Call) -> dict:
    """GET /product/202309/products/{product_id} (§7.2)."""
    return _product_of_shop(call).as_api()


def get_warehouses(call: Call) -> dict:
    """GET /logistics/202309/warehouses (§7.3)."""
    return {"warehouses": [w.as_api() for w in call.shop.warehouses.all()]}


def _sku_errors(entry, product: Product, shop_warehouses: dict, seen: set) -> tuple[Sku | None, list, dict]:
    """Check one `skus[]` entry of an inventory update (§7.1): (sku, errors, {warehouse: quantity})."""
    sku_id = str(entry.get("id") or "") if isinstance(entry, dict) else ""
    if not sku_id:
        return None, [{"code": 12052036, "message": "The SKU id is missing.", "detail": {"sku_id": ""}}], {}
    if sku_id in seen:
        return None, [{"code": 12052553, "message": "Duplicate SKU id.", "detail": {"sku_id": sku_id}}], {}
    seen.add(sku_id)
    sku = next((s for s in product.skus.all() if s.sku_id == sku_id), None)
    if sku is None:
        message = "The SKU id does not exist in this product."
        return None, [{"code": 12052556, "message": message, "detail": {"sku_id": sku_id}}], {}
    extra, quantities = [], {}
    inventory = entry.get("inventory")
    if not isinstance(inventory, list) or not inventory:
        message = "The SKU needs a valid warehouse inventory."
        return sku, [{"code": 12019022, "message": message, "detail": {"sku_id": sku_id}}], {}
    for item in inventory:
        item = item if isinstance(item, dict) else {}
        warehouse_id = str(item.get("warehouse_id") or "")
        if not warehouse_id and len(shop_warehouses) == 1:
            warehouse_id = next(iter(shop_warehouses))  # allowed when the shop has one warehouse
        quantity = item.get("quantity")
        if isinstance(quantity, float) and quantity.is_integer():
            quantity = int(quantity)  # 7.0 is tolerated like 7
        if not isinstance(quantity, int) or isinstance(quantity, bool):
            quantity = -1  # §7.1: an integer; a string, fraction or boolean is out of limits
        if warehouse_id not in shop_warehouses:
            exists = Warehouse.objects.filter(warehouse_id=warehouse_id).exists() if warehouse_id else False
            code, msg = (
                (12052530, "The warehouse is not in this shop")
                if exists
                else (12052097, "The warehouse does not exist")
            )
            extra.append({"warehouse_id": warehouse_id, "code": code, "message": msg})
        elif shop_warehouses[warehouse_id].effect_status != "ENABLED":
            extra.append(
                {"warehouse_id": warehouse_id, "code": 12052531, "message": "The warehouse is disabled"}
            )
        elif not 0 <= quantity <= 99_999:
            # §7.1 CONFLICT [1, 99,999] vs [0, 99,999]: we accept 0 (the SDK's range).
            extra.append(
                {"warehouse_id": warehouse_id, "code": 12052055, "message": "Quantity out of limits"}
            )
        else:
            quantities[warehouse_id] = quantity
    assigned = {s.warehouse.warehouse_id for s in sku.stock.all()}
    if not extra and assigned and set(quantities) != assigned:
        missing = assigned - set(quantities)
        code = 12019028 if missing else 12052037
        message = (
            "The SKU is stocked in several warehouses: include every one of them."
            if missing
            else "Inventory could not be updated: a warehouse is not assigned to this SKU."
        )
        return sku, [{"code": code, "message": message, "detail": {"sku_id": sku_id}}], {}
    if extra:
        return (
            sku,
            [
                {
                    "code": 12052990,
                    "message": "Check failed",
                    "detail": {"sku_id": sku_id, "extra_errors": extra},
                }
            ],
            {},
        )
    return sku, [], quantities


def update_inventory(call: Call) -> dict:
    """POST /product/202309/products/{id}/inventory/update (§7.1): absolute quantities per warehouse.

    A request-level problem is an error envelope; per-SKU problems come back in `data.errors` of a
    `code: 0` answer while the other SKUs are applied.
    """
    product = _product_of_shop(call)
    if product.status != "ACTIVATE":
        raise ApiError(
            12052901, f"The product status {product.status} does not allow inventory updates.", 200
        )
    entries = call.body.get("skus")
    if not isinstance(entries, list) or not entries:
        raise ApiError(12052036, "skus is required: a list of {id, inventory}.")
    warehouses = {w.warehouse_id: w for w in call.shop.warehouses.all()}
    errors, seen, applied = [], set(), False
    with transaction.atomic():
        for entry in entries:
            sku, sku_errors, quantities = _sku_errors(entry, product, warehouses, seen)
            errors.extend(sku_errors)
            if sku is None or sku_errors:
                continue
            for warehouse_id, quantity in quantities.items():
                Stock.objects.update_or_create(
                    sku=sku, warehouse=warehouses[warehouse_id], defaults={"quantity": quantity}
                )
            applied = True
        if applied:
            Product.objects.filter(pk=product.pk).update(update_time=int(time.time()))
    return {"errors": errors} if errors else {}


ROUTES = [
    Route(
        "shops",
        "GET",
        re.compile(r"/authorization/202309/shops"),
        get_authorized_shops,
        "seller.authorization.info",
        False,
    ),
    Route(
        "orders.search",
        "POST",
        re.compile(r"/order/202309/orders/search"),
        search_orders,
        "seller.order.info",
        True,
    ),
    Route(
        "orders.detail",
        "GET",
        re.compile(r"/order/202309/orders"),
        get_order_detail,
        "seller.order.info",
        True,
    ),
    Route(
        "products.search",
        "POST",
        re.compile(r"/product/202309/products/search"),
        search_products,
        "seller.product.basic",
        True,
    ),
    Route(
        "products.inventory",
        "POST",
        re.compile(r"/product/202309/products/(?P<product_id>[0-9]+)/inventory/update"),
        update_inventory,
        "seller.product.write",
        True,
    ),
    Route(
        "products.get",
        "GET",
        re.compile(r"/product/202309/products/(?P<product_id>[0-9]+)"),
        get_product,
        "seller.product.basic",
        True,
    ),
    Route(
        "warehouses",
        "GET",
        re.compile(r"/logistics/202309/warehouses"),
        get_warehouses,
        "seller.logistics",
        True,
    ),
]


def _route(method: str, path: str) -> tuple[Route, dict]:
    matches = [(r, m) for r in ROUTES if (m := r.pattern.fullmatch(path))]
    if not matches:
        raise ApiError(36009009, f"Invalid path: {path}", 404)
    for route, match in matches:
        if route.method == method:
            return route, match.groupdict()
    raise ApiError(36009010, f"Invalid HTTP method {method} for {path}.", 405)


def _is_empty_object(body: bytes) -> bool:
    try:
        return load_json(body) == {}
    except ValueError:
        return False


def _sign_ok(app_secret: str, path: str, query: list, body: bytes, given: str) -> bool:
    """§1.3 edge case (UNVERIFIED): the official Node/Python samples leave an empty `{}` body out
    of the signature, the Go/Java ones append it. Which one the server expects is unknown, so an
    empty JSON object body is accepted signed either way; any other body must be signed as sent."""
    candidates = [body]
    if body and len(body) < 64 and _is_empty_object(body):
        candidates.append(b"")
    return any(
        signing.sign_matches(signing.request_sign(app_secret, path, query, candidate), given)
        for candidate in candidates
    )


def _handle(request: HttpRequest, api_path: str) -> JsonResponse:
    path = "/" + api_path  # signed path: WITHOUT the sandbox's /sandbox/tiktok/open-api prefix (§1.3 step 4)
    route, kwargs = _route(request.method, path)
    query = request.GET
    app = _app_from_key(query.get("app_key", ""))
    _check_timestamp(query.get("timestamp", ""))
    given = query.get("sign", "")
    if not given:
        raise ApiError(36009004, "Invalid credentials. The 'sign' query parameter is missing.", 401)
    if not _sign_ok(app.app_secret, path, list(query.items()), request.body, given):
        raise ApiError(106001, INVALID_SIGN, 401)
    body: dict = {}
    if request.method == "POST":
        if request.content_type != "application/json":
            raise ApiError(36009022, "The request body must be application/json.")
        try:
            body = load_json(request.body) if request.body else {}
        except ValueError:
            raise ApiError(36009022, "The request body is not valid JSON.") from None
        if not isinstance(body, dict):
            raise ApiError(36009022, "The request body must be a JSON object.")
    cipher = query.get("shop_cipher", "")
    if not route.shop_scoped and cipher:
        raise ApiError(
            36009004,
            "Unexpected identifier. The `shop_cipher` query parameter is not required for this request.",
        )
    if route.shop_scoped and not cipher:
        raise ApiError(106013, "The shop_cipher query parameter is required for this request but missing.")
    token = _token_from_header(request, app)
    shop = None
    if route.shop_scoped:
        shop = Shop.objects.filter(cipher=cipher).first()
        if shop is None:
            raise ApiError(36009004, "Invalid shop_cipher: no shop matches it.")
        if shop.pk != token.shop_id:
            raise ApiError(
                101000,
                "Invalid x-tts-access-token: the token is not authorized for the shop given by shop_cipher.",
                401,
            )
    # §5: the quota is per (app, shop, API). Get Authorized Shops takes no cipher: its shop is the
    # token's, so two shops of one app never share a bucket.
    shop_key = shop.shop_id if shop is not None else token.shop.shop_id
    wait = faults.rate_limit_wait(PLATFORM, (app.app_key, shop_key, route.name), RATE_LIMIT, RATE_WINDOW)
    if wait is not None:
        raise ApiError(
            36009002,
            "Too many requests. Please retry later.",
            429,
            {"Retry-After": ratelimit.retry_after_header(wait)},
        )
    if route.scope not in (token.scopes or []):
        raise ApiError(
            105005, f"Access denied: this API needs the {route.scope} scope, which was not granted.", 403
        )
    data = route.handler(Call(request, path, app, token, shop, kwargs, body))
    return envelope(0, "Success", data)


@csrf_exempt
@faults.api_view(PLATFORM, render_error)
def open_api(request: HttpRequest, api_path: str) -> JsonResponse:
    try:
        if inputs.has_nul(request):
            raise ApiError(36009004, "Invalid parameter: the request contains a NUL character.")
        return _handle(request, api_path)
    except ApiError as exc:
        return envelope(exc.code, exc.message, status=exc.status, headers=exc.headers)


# ---- token endpoints (§2.2, §2.3) ------------------------------------------------------------


def token_data(token: Token) -> dict:
    shop = token.shop
    return {
        "access_token": token.access_token,
        "access_token_expire_in": int(token.access_expires_at.timestamp()),  # ABSOLUTE unix ts (§2.2)
        "refresh_token": token.refresh_token,
        "refresh_token_expire_in": int(token.refresh_expires_at.timestamp()),
        "open_id": shop.open_id,
        "seller_name": shop.seller_name,
        "seller_base_region": shop.region,
        "user_type": 0,
        "granted_scopes": list(token.scopes or []),
    }


def issue_token(app: App, shop: Shop, *, refresh_expires_at: dt.datetime | None = None) -> Token:
    """A new token pair for (app, shop): what an authorization or a refresh hands out."""
    now = timezone.now()
    return Token.objects.create(
        app=app,
        shop=shop,
        access_token=random_token("TTP_"),
        access_expires_at=now + ACCESS_TOKEN_LIFETIME,
        refresh_token=random_token("TTP_"),
        refresh_expires_at=refresh_expires_at or now + REFRESH_TOKEN_LIFETIME,
        scopes=list(app.scopes or []),
    )


def issue_auth_code(app: App, shop: Shop) -> AuthCode:
    """The `code` the consent page hands to the redirect URL: 30 minutes, single use (§2.1)."""
    now = timezone.now()
    return AuthCode.objects.create(
        code=random_token("", 64), app=app, shop=shop, expires_at=now + dt.timedelta(minutes=30)
    )


def _token_app(request: HttpRequest, grant_type: str) -> App:
    query = request.GET
    app = _app_from_key(query.get("app_key", ""))
    given = query.get("app_secret", "").encode("utf-8", "replace")
    if not given or not hmac.compare_digest(app.app_secret.encode(), given):
        raise ApiError(36009004, "Invalid credentials. The app_secret does not match the app_key.", 401)
    if query.get("grant_type") != grant_type:
        raise ApiError(36009004, f"Invalid grant_type: expected {grant_type!r}.")
    return app


def _token_view(handler):
    @csrf_exempt
    @faults.api_view(PLATFORM, render_error)
    def view(request: HttpRequest) -> JsonResponse:
        try:
            if request.method != "GET":
                raise ApiError(36009010, f"Invalid HTTP method {request.method}: use GET.", 405)
            return envelope(0, "success", handler(request))
        except ApiError as exc:
            return envelope(exc.code, exc.message, status=exc.status, headers=exc.headers)

    view.__name__ = handler.__name__
    return view


@_token_view
def token_get(request: HttpRequest) -> dict:
    """GET /api/v2/token/get: exchange a single-use auth code (§2.2)."""
    app = _token_app(request, "authorized_code")
    now = timezone.now()
    with transaction.atomic():
        code = (
            AuthCode.objects.select_related("shop")
            .filter(code=request.GET.get("auth_code", ""), app=app)
            .first()
        )
        # Claim the code with a conditional update: a second exchange (or a race) gets nothing.
        if (
            code is None
            or code.expires_at <= now
            or not AuthCode.objects.filter(pk=code.pk, used_at__isnull=True).update(used_at=now)
        ):
            raise ApiError(36004004, "Invalid auth code.")
        token = issue_token(app, code.shop)
    return token_data(token)


@_token_view
def token_refresh(request: HttpRequest) -> dict:
    """GET /api/v2/token/refresh: NEW access and refresh tokens; the old pair stops working (§2.3).

    Whether TikTok keeps an old refresh token valid is UNVERIFIED; the sandbox is strict (single
    use) so that two workers spending the same refresh token shows up in tests.
    """
    app = _token_app(request, "refresh_token")
    now = timezone.now()
    with transaction.atomic():
        old = (
            Token.objects.select_related("shop")
            .filter(refresh_token=request.GET.get("refresh_token", ""), app=app)
            .first()
        )
        if old is None or old.revoked_at is not None:
            raise ApiError(36004005, "can not find related auth record")
        if old.refresh_expires_at <= now:
            raise ApiError(36004001, "rt has expired")
        if not Token.objects.filter(pk=old.pk, revoked_at__isnull=True).update(revoked_at=now):
            raise ApiError(36004005, "can not find related auth record")
        token = issue_token(app, old.shop, refresh_expires_at=old.refresh_expires_at)
    return token_data(token)
