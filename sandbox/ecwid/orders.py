"""Orders as Ecwid handles them: validation, create (with its stock side effect), update, search (§4)."""

import datetime as dt
import secrets
import string
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from sandbox.ecwid.errors import ApiError
from sandbox.ecwid.models import (
    FULFILLMENT_STATUSES,
    MAX_ID,
    MAX_QUANTITY,
    PAYMENT_STATUSES,
    Combination,
    Order,
    Product,
    Store,
    Token,
    as_id,
    random_number,
)

REQUIRED_FIELDS = ("email", "subtotal", "total", "paymentStatus", "fulfillmentStatus")  # §4.2
MONEY_FIELDS = ("subtotal", "total", "tax", "discount", "couponDiscount")
# Computed by Ecwid; whatever a client sends for them is ignored (§4.2 `usdTotal`, §4.3).
READ_ONLY_FIELDS = frozenset(
    {
        "id",
        "internalId",
        "orderNumber",
        "vendorOrderNumber",
        "publicUid",
        "createTimestamp",
        "updateTimestamp",
        "updateDate",
        "usdTotal",
    }
)
# §4.2: arrays of objects in the order model (orderExtraFields {id, value, title, …}, discounts,
# surcharges).
LIST_OF_OBJECTS_FIELDS = ("orderExtraFields", "customDiscount", "discountInfo", "customSurcharges")
DEPRECATED_STATUSES = {"QUEUED": "AWAITING_PAYMENT", "ACCEPTED": "PAID", "DECLINED": "CANCELLED"}
ORDER_ID_ALPHABET = string.ascii_uppercase + string.digits
MAX_LIMIT = 100  # §4.4
MAX_AMOUNT = 10**12  # order amounts the sandbox indexes (Order.total: 14 digits, 2 decimals)
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")


def format_date(value: dt.datetime) -> str:
    """Ecwid's date format: "2024-09-04 07:22:09 +0000" (§1)."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S +0000")


def parse_date(value, field: str) -> dt.datetime:
    """UNIX seconds or `yyyy-MM-dd HH:mm:ss Z` / `yyyy-MM-dd HH:mm:ss` / `yyyy-MM-dd` (§1), as UTC."""
    text = str(value).strip()
    try:
        return dt.datetime.fromtimestamp(float(text), tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        pass
    for fmt in DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    raise ApiError(
        400,
        "WRONG_PARAMETER",
        f"Field {field} has a wrong date format: {text!r}. Use a UNIX timestamp or 'yyyy-MM-dd HH:mm:ss Z'.",
    )


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _status(value, allowed: tuple[str, ...], field: str) -> str:
    if not isinstance(value, str):
        raise ApiError(400, "WRONG_PARAMETER", f"Field Order.{field} must be a string")
    if value in DEPRECATED_STATUSES:
        raise ApiError(
            400, "WRONG_PARAMETER", f"Status {value} is deprecated, use {DEPRECATED_STATUSES[value]} instead"
        )
    if value not in allowed:
        raise ApiError(
            400,
            "WRONG_PARAMETER",
            f"Field Order.{field} has an unknown value {value!r}: use one of {allowed}",
        )
    return value


def _clean_items(items) -> list[dict]:
    if not isinstance(items, list):
        raise ApiError(400, "WRONG_PARAMETER", "Field Order.items must be a list")
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ApiError(400, "WRONG_PARAMETER", f"Order item {number} must be an object")
        if not isinstance(item.get("name"), str) or not item["name"].strip():
            raise ApiError(400, "WRONG_PARAMETER", "Field OrderItem.name is absent")
        if "quantity" not in item or item["quantity"] is None:
            raise ApiError(400, "WRONG_PARAMETER", "Field OrderItem.quantity is absent")
        quantity = item["quantity"]
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= MAX_QUANTITY:
            raise ApiError(400, "WRONG_PARAMETER", "Field OrderItem.quantity must be a positive whole number")
        for field in ("price", "productPrice", "tax", "weight", "shipping"):
            if item.get(field) is not None and not _number(item[field]):
                raise ApiError(400, "WRONG_PARAMETER", f"Field OrderItem.{field} must be a number")
        options = item.get("selectedOptions")
        if options is not None and (
            not isinstance(options, list) or not all(isinstance(o, dict) for o in options)
        ):
            raise ApiError(
                400, "WRONG_PARAMETER", "Field OrderItem.selectedOptions must be a list of objects"
            )
        for field in ("productId", "combinationId"):
            value = item.get(field)
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or not 0 < value < MAX_ID
            ):
                raise ApiError(400, "WRONG_PARAMETER", f"Field OrderItem.{field} must be a number")
    return items


def clean_order(body, *, partial: bool) -> dict:
    """The order fields a client may set, checked as Ecwid checks them; read-only fields dropped."""
    if not isinstance(body, dict):
        raise ApiError(400, "WRONG_PARAMETER", "The request body must be a JSON object (an order)")
    if not partial:
        for field in REQUIRED_FIELDS:
            if body.get(field) in (None, ""):
                raise ApiError(400, "WRONG_PARAMETER", f"Field Order.{field} is absent")
    if "email" in body and (not isinstance(body["email"], str) or "@" not in body["email"]):
        raise ApiError(400, "WRONG_PARAMETER", f"Field Order.email is not a valid email: {body['email']!r}")
    for field in MONEY_FIELDS:
        if body.get(field) is not None and not _number(body[field]):
            raise ApiError(400, "WRONG_PARAMETER", f"Field Order.{field} must be a number")
        if body.get(field) is not None and abs(body[field]) >= MAX_AMOUNT:
            # The sandbox indexes totals in a 12-digit column; a bigger amount is no real order.
            raise ApiError(400, "WRONG_PARAMETER", f"Field Order.{field} is out of range")
    if "paymentStatus" in body:
        _status(body["paymentStatus"], PAYMENT_STATUSES, "paymentStatus")
    if "fulfillmentStatus" in body:
        _status(body["fulfillmentStatus"], FULFILLMENT_STATUSES, "fulfillmentStatus")
    if "items" in body:
        _clean_items(body["items"])
    for person in ("billingPerson", "shippingPerson", "shippingOption", "handlingFee"):
        if body.get(person) is not None and not isinstance(body[person], dict):
            raise ApiError(400, "WRONG_PARAMETER", f"Field Order.{person} must be an object")
    for field in LIST_OF_OBJECTS_FIELDS:
        value = body.get(field)
        if value is not None and (not isinstance(value, list) or not all(isinstance(v, dict) for v in value)):
            raise ApiError(400, "WRONG_PARAMETER", f"Field Order.{field} must be a list of objects")
    if body.get("createDate") not in (None, ""):
        parse_date(body["createDate"], "Order.createDate")
    return {key: value for key, value in body.items() if key not in READ_ONLY_FIELDS}


def _with_item_ids(items: list[dict]) -> list[dict]:
    return [
        {**item, "id": item["id"] if isinstance(item.get("id"), int) else random_number()} for item in items
    ]


def _search_text(order: Order) -> str:
    """What `keywords` looks through (§4.4): id, transaction id, notes, email, names, streets, SKUs…"""
    p = order.payload
    parts = [
        order.order_id,
        str(order.internal_id),
        p.get("externalTransactionId"),
        p.get("privateAdminNotes"),
        p.get("email"),
        p.get("trackingNumber"),
    ]
    for key in ("billingPerson", "shippingPerson"):
        person = p.get(key) or {}
        parts += [person.get(f) for f in ("name", "companyName", "street", "city", "postalCode", "phone")]
    for item in p.get("items") or []:
        parts += [item.get("sku"), item.get("name")]
        parts += [o.get("value") for o in item.get("selectedOptions") or [] if isinstance(o, dict)]
    return "\n".join(str(part) for part in parts if part not in (None, "")).lower()


def _copy_fields(order: Order) -> None:
    p = order.payload
    order.email = str(p.get("email") or "")[:254]
    order.payment_status = p.get("paymentStatus") or ""
    order.fulfillment_status = p.get("fulfillmentStatus") or ""
    order.external_transaction_id = str(p.get("externalTransactionId") or "")[:255]
    try:
        order.total = Decimal(str(p.get("total") or 0)).quantize(Decimal("0.01"))
    except InvalidOperation:
        order.total = Decimal(0)
    if not order.total.is_finite() or abs(order.total) >= MAX_AMOUNT:
        order.total = Decimal(0)  # never store what the column cannot read back
    order.search_text = _search_text(order)


def _new_order_id(store: Store) -> str:
    # Random Order IDs (§4.1): five uppercase letters/digits, with the store's prefix/suffix if any.
    core = "".join(secrets.choice(ORDER_ID_ALPHABET) for _ in range(5))
    return f"{store.order_id_prefix}{core}{store.order_id_suffix}"


def create_order(store: Store, body, *, token: Token | None = None) -> Order:
    """Create an order from an API body (§4.2). Raises ApiError on invalid input."""
    data = clean_order(body, partial=False)
    if token is not None and token.kind == Token.Kind.PUBLIC:
        # §2.1: with a public token only unpaid orders, and no private notes.
        if data["paymentStatus"] not in ("AWAITING_PAYMENT", "INCOMPLETE"):
            raise ApiError(403, "INSUFFICIENT_APP_SCOPE", "A public token may only create unpaid orders")
        if data["fulfillmentStatus"] != "AWAITING_PROCESSING":
            raise ApiError(403, "INSUFFICIENT_APP_SCOPE", "A public token may only create new orders")
        data.pop("privateAdminNotes", None)
    now = timezone.now()
    created = parse_date(data["createDate"], "Order.createDate") if data.get("createDate") else now
    if "items" in data:
        data["items"] = _with_item_ids(data["items"])
    for _attempt in range(20):
        order_id, internal_id = _new_order_id(store), random_number()
        payload = {
            "id": order_id,
            "internalId": internal_id,
            "orderNumber": internal_id,
            "vendorOrderNumber": order_id,
            "publicUid": order_id,
            **data,
            "createDate": format_date(created),
            "updateDate": format_date(now),
            "createTimestamp": int(created.timestamp()),
            "updateTimestamp": int(now.timestamp()),
        }
        if store.currency == "USD":
            payload["usdTotal"] = data["total"]
        order = Order(
            store=store,
            order_id=order_id,
            internal_id=internal_id,
            payload=payload,
            created_at=created,
            updated_at=now,
            inserted_at=now,
        )
        _copy_fields(order)
        try:
            with transaction.atomic():
                order.save()
                if order.payment_status == "PAID" and order.email:
                    _take_stock(store, payload.get("items") or [])
        except IntegrityError:
            continue  # an id collision: draw again
        return order
    raise ApiError(500, "INTERNAL_ERROR", "Could not allocate an order id")


def _take_stock(store: Store, items: list[dict]) -> None:
    """§4.2: a PAID order whose items carry productId/combinationId decrements that stock, and the
    product counts as updated (§8.2: `product.updated` fires after an order decreases stock)."""
    now = timezone.now()
    for item in items:
        quantity = item["quantity"]
        combination = None
        if item.get("combinationId") is not None:
            combination = (
                Combination.objects.filter(combination_id=item["combinationId"], product__store=store)
                .select_related("product")
                .first()
            )
        if combination is not None and combination.sku:
            if not combination.unlimited:
                Combination.objects.filter(pk=combination.pk).update(quantity=F("quantity") - quantity)
                Product.objects.filter(pk=combination.product_id).update(updated_at=now)
            continue
        # A variation without its own SKU shares its product's stock (§5.4).
        product = combination.product if combination is not None else None
        if product is None and item.get("productId") is not None:
            product = Product.objects.filter(store=store, product_id=item["productId"]).first()
        if product is not None and not product.unlimited:
            Product.objects.filter(pk=product.pk).update(quantity=F("quantity") - quantity, updated_at=now)


def find_order(store: Store, order_id: str) -> Order:
    """By the string id, with or without the store's prefix/suffix, or by the internal id (§4.1)."""
    candidates = {order_id, f"{store.order_id_prefix}{order_id}{store.order_id_suffix}"}
    query = Q(order_id__in=candidates)
    if as_id(order_id) is not None:
        query |= Q(internal_id=as_id(order_id))
    order = store.orders.filter(query).first()
    if order is None:
        raise ApiError(404, "ORDER_NOT_FOUND", f"Order #{order_id} not found")
    return order


def update_order(order: Order, body) -> None:
    """Partial update (§4.5): omitted fields stay; `items`, when sent, replaces the whole list."""
    data = clean_order(body, partial=True)
    for field in REQUIRED_FIELDS:
        if field in data and data[field] in (None, ""):
            raise ApiError(400, "WRONG_PARAMETER", f"Field Order.{field} cannot be emptied")
    if "items" in data:
        data["items"] = _with_item_ids(data["items"])
    now = timezone.now()
    payload = {**order.payload, **data}
    if data.get("createDate"):
        order.created_at = parse_date(data["createDate"], "Order.createDate")
        payload["createDate"] = format_date(order.created_at)
        payload["createTimestamp"] = int(order.created_at.timestamp())
    payload["updateDate"] = format_date(now)
    payload["updateTimestamp"] = int(now.timestamp())
    if "total" in data and order.store.currency == "USD":
        payload["usdTotal"] = data["total"]
    order.payload = payload
    order.updated_at = now
    _copy_fields(order)
    order.save()


def _int_param(params, name: str, default: int, maximum: int | None = None) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "WRONG_PARAMETER", f"Parameter {name} must be a whole number") from None
    if value < 0:
        raise ApiError(400, "WRONG_PARAMETER", f"Parameter {name} must not be negative")
    maximum = MAX_QUANTITY if maximum is None else maximum
    if value > maximum:
        raise ApiError(400, "WRONG_PARAMETER", f"Parameter {name} must be at most {maximum}")
    return value


def page_params(params) -> tuple[int, int]:
    return _int_param(params, "offset", 0), _int_param(params, "limit", MAX_LIMIT, MAX_LIMIT)


def comma_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def search_orders(store: Store, params) -> dict:
    """`GET /orders` (§4.4): filters, `keywords`, offset/limit, INCOMPLETE hidden unless asked for."""
    offset, limit = page_params(params)
    orders = store.orders.all()
    if store.search_lag_seconds > 0:
        # §4.4: new orders reach the search index only after a while; GET by id is immediate.
        orders = orders.filter(
            inserted_at__lte=timezone.now() - dt.timedelta(seconds=store.search_lag_seconds)
        )
    for term in (params.get("keywords") or "").lower().split():
        orders = orders.filter(search_text__contains=term)
    if params.get("ids"):
        ids = comma_list(params["ids"])
        wrapped = [f"{store.order_id_prefix}{i}{store.order_id_suffix}" for i in ids]
        query = Q(order_id__in=ids + wrapped)
        numbers = [as_id(i) for i in ids if as_id(i) is not None]
        if numbers:
            query |= Q(internal_id__in=numbers)
        orders = orders.filter(query)
    if params.get("email"):
        orders = orders.filter(email__iexact=params["email"].strip())
    if params.get("paymentStatus"):
        orders = orders.filter(payment_status__in=comma_list(params["paymentStatus"]))
    else:
        orders = orders.exclude(payment_status="INCOMPLETE")
    if params.get("fulfillmentStatus"):
        orders = orders.filter(fulfillment_status__in=comma_list(params["fulfillmentStatus"]))
    for name, lookup in (
        ("createdFrom", "created_at__gte"),
        ("createdTo", "created_at__lte"),
        ("updatedFrom", "updated_at__gte"),
        ("updatedTo", "updated_at__lte"),
    ):
        if params.get(name):
            orders = orders.filter(**{lookup: parse_date(params[name], name)})
    for name, lookup in (("totalFrom", "total__gte"), ("totalTo", "total__lte")):
        if params.get(name):
            try:
                amount = Decimal(params[name])
            except InvalidOperation:
                amount = Decimal("NaN")
            if not amount.is_finite():
                raise ApiError(400, "WRONG_PARAMETER", f"Parameter {name} must be a number")
            # Beyond any storable total: clamp, so the database is never asked to compare an overflow.
            amount = max(-MAX_AMOUNT, min(MAX_AMOUNT, amount))
            orders = orders.filter(**{lookup: amount})
    total = orders.count()
    items = [order.payload for order in orders[offset : offset + limit]]
    return {"total": total, "count": len(items), "offset": offset, "limit": limit, "items": items}
