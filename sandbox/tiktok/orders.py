"""Test orders of the emulated shop: create them and move them through their statuses.

What the seller's Buyer View and Seller Center do in a Development Shop (§8 of the API spec), as
plain functions for the pages, the JSON endpoints and tests. Orders are built in the exact shape of
the Order API (§3.3): one line item per unit, money as 2-decimal strings whose payment block obeys
the documented formulas, recipient address with state (L1) and city (L3) in `district_info`.
Test orders do not reserve stock: the portal pushes the store's stock here anyway.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import secrets
import string
import time
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from sandbox.tiktok import webhooks
from sandbox.tiktok.models import Order, Shop, Sku, random_digits

FLOW = [
    "UNPAID",
    "ON_HOLD",
    "AWAITING_SHIPMENT",
    "AWAITING_COLLECTION",
    "IN_TRANSIT",
    "DELIVERED",
    "COMPLETED",
]
CANCELLED = "CANCELLED"
ALL_STATUSES = [*FLOW[:3], "PARTIALLY_SHIPPING", *FLOW[3:], CANCELLED]  # §3.4
INITIAL_STATUSES = ["UNPAID", "ON_HOLD", "AWAITING_SHIPMENT"]
CANCELLABLE = frozenset(INITIAL_STATUSES)  # Buyer View cancels while on hold / awaiting shipment
SHIPPED = frozenset(FLOW[3:])  # has a carrier and a tracking number
CARRIERS = ["USPS", "UPS", "FedEx", "DHL eCommerce"]
STEP_LABELS = {
    "ON_HOLD": "On hold",
    "AWAITING_SHIPMENT": "Awaiting shipment",
    "AWAITING_COLLECTION": "Ship",
    "IN_TRANSIT": "In transit",
    "DELIVERED": "Delivered",
    "COMPLETED": "Completed",
    "CANCELLED": "Cancel",
}
CENT = Decimal("0.01")
MAX_QUANTITY = 99
MAX_AMOUNT = Decimal("1000000")  # a test order's fee or discount; keeps Decimal math within precision


class OrderError(ValueError):
    """A request the seller page or JSON endpoint refuses, with a message for a person."""


@dataclasses.dataclass
class Buyer:
    name: str = "Jane Doe"
    email: str = ""  # "" -> an anonymized relay address like TikTok's (§3.3)
    phone: str = "(+1)213-555-1234"
    address_line1: str = "1199 Coleman Ave"
    address_line2: str = "Suite 100"
    city: str = "San Jose"
    state: str = "California"
    postal_code: str = "95110"
    region_code: str = "US"
    message: str = ""

    @classmethod
    def from_mapping(cls, data: Mapping | None) -> Buyer:
        if isinstance(data, cls):
            return data
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise OrderError("buyer must be an object.")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise OrderError(f"Unknown buyer field(s): {', '.join(unknown)}.")
        return cls(**{k: str(v) for k, v in data.items()})


def money(value) -> Decimal:
    """A non-negative amount with at most 2 decimals, or OrderError."""
    if isinstance(value, bool):
        raise OrderError(f"{value!r} is not an amount.")
    try:
        amount = Decimal(str(value).strip() or "0")
    except (InvalidOperation, ValueError):
        raise OrderError(f"{value!r} is not an amount.") from None
    if not amount.is_finite() or not 0 <= amount <= MAX_AMOUNT:
        raise OrderError(f"{value!r} must be an amount from 0 to {MAX_AMOUNT}.")
    if amount != amount.quantize(CENT):
        raise OrderError(f"{value!r} must be an amount with at most 2 decimals.")
    return amount


def _fmt(amount: Decimal) -> str:
    return f"{amount.quantize(CENT, rounding=ROUND_HALF_UP):.2f}"


def _relay_email() -> str:
    local = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(10))
    return f"{local}@scs.tiktokw.us"


def _user_id(email: str, name: str) -> str:
    digest = hashlib.sha256(f"{email}|{name}".encode()).hexdigest()
    return "7" + str(int(digest, 16))[:18]


def _masked_phone(phone: str) -> str:
    digits = "".join(c for c in phone if c.isdigit())
    if len(digits) < 7:
        return phone
    return f"(+1){digits[-10:-7] or digits[:3]}-***-{digits[-4:]}"


def _distribute(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split `total` over `weights` in cents, proportionally; the shares add up exactly."""
    weight_sum = sum(weights)
    if not weights or total == 0 or weight_sum == 0:
        return [Decimal("0.00")] * len(weights)
    shares = [(total * w / weight_sum).quantize(CENT, rounding=ROUND_HALF_UP) for w in weights]
    shares[-1] += total - sum(shares)
    return shares


def _resolve_items(shop: Shop, items) -> list[tuple[Sku, int]]:
    if isinstance(items, Mapping):
        items = list(items.items())
    lines: dict[str, int] = {}
    for entry in items or []:
        try:
            seller_sku, quantity = entry
            if isinstance(quantity, bool):
                raise TypeError
            quantity = int(quantity)
        except (TypeError, ValueError, OverflowError):
            raise OrderError("Items must be seller SKU -> quantity.") from None
        if not 1 <= quantity <= MAX_QUANTITY:
            raise OrderError(f"Quantity of {seller_sku} must be 1–{MAX_QUANTITY}.")
        lines[str(seller_sku)] = lines.get(str(seller_sku), 0) + quantity
    if not lines:
        raise OrderError("Pick at least one product.")
    skus = {s.seller_sku: s for s in Sku.objects.select_related("product").filter(product__shop=shop)}
    resolved = []
    for seller_sku, quantity in lines.items():
        sku = skus.get(seller_sku)
        if sku is None:
            raise OrderError(f"No product with seller SKU {seller_sku!r} in {shop.name}.")
        if sku.product.status != "ACTIVATE":
            raise OrderError(f"{seller_sku} is not active; only active products can be ordered.")
        resolved.append((sku, quantity))
    return resolved


def _deep_merge(base: dict, extra: Mapping) -> dict:
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _deep_merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def build_order_data(
    shop: Shop,
    order_id: str,
    lines: list[tuple[Sku, int]],
    *,
    buyer: Buyer,
    now: int,
    shipping_fee: Decimal,
    seller_discount: Decimal,
    tax_rate: Decimal,
) -> dict:
    """The order object of §3.3 at creation (status fields are applied afterwards)."""
    units = [sku for sku, quantity in lines for _ in range(quantity)]  # ONE line item per unit
    original_total = sum((sku.price for sku in units), Decimal("0"))
    if seller_discount > original_total:
        raise OrderError(f"Seller discount {seller_discount} exceeds the products' total {original_total}.")
    discounts = _distribute(seller_discount, [sku.price for sku in units])
    package_id = random_digits(19)
    warehouse = shop.warehouses.filter(is_default=True).first() or shop.warehouses.first()
    line_items, product_tax = [], Decimal("0")
    for sku, discount in zip(units, discounts, strict=True):
        sale_price = sku.price - discount
        tax = (sale_price * tax_rate).quantize(CENT, rounding=ROUND_HALF_UP)
        product_tax += tax
        line_items.append(
            {
                "id": random_digits(18),
                "sku_id": sku.sku_id,
                "seller_sku": sku.seller_sku,
                "product_id": sku.product.product_id,
                "product_name": sku.product.title,
                "sku_name": sku.sku_name,
                "sku_image": f"https://p16-oec-va.example/sandbox/{sku.seller_sku.lower()}.jpeg",
                "sku_type": "NORMAL",
                "currency": sku.currency,
                "original_price": _fmt(sku.price),
                "sale_price": _fmt(sale_price),
                "seller_discount": _fmt(discount),
                "platform_discount": "0.00",
                "item_tax": [{"tax_type": "SALES_TAX", "tax_amount": _fmt(tax), "tax_rate": str(tax_rate)}],
                "retail_delivery_fee": "0.00",
                "buyer_service_fee": "0.00",
                "small_order_fee": "0.00",
                "display_status": "",
                "package_id": package_id,
                "package_status": "TO_FULFILL",
                "tracking_number": "",
                "shipping_provider_id": "",
                "shipping_provider_name": "",
                "rts_time": 0,
                "cancel_reason": "",
                "cancel_user": "",
                "is_gift": False,
                "is_dangerous_good": False,
                "needs_prescription": False,
            }
        )
    # §3.3 formulas: sub_total = original - seller_discount - platform_discount;
    # shipping_fee = original_shipping_fee - its discounts; total = sub_total + shipping + tax + fees.
    sub_total = original_total - seller_discount
    tax = product_tax
    total = sub_total + shipping_fee + tax
    first, _, last = buyer.name.strip().partition(" ")
    street = ", ".join(p for p in (buyer.address_line1, buyer.address_line2) if p)
    state_code = buyer.state[:2].upper() if len(buyer.state) > 2 else buyer.state.upper()
    email = buyer.email or _relay_email()
    return {
        "id": order_id,
        "status": "",
        "create_time": now,
        "update_time": now,
        "paid_time": 0,
        "rts_time": 0,
        "collection_time": 0,
        "delivery_time": 0,
        "cancel_time": 0,
        "rts_sla_time": now + 2 * 86400,
        "tts_sla_time": now + 3 * 86400,
        "user_id": _user_id(email, buyer.name),
        "buyer_email": email,
        "buyer_message": buyer.message,
        "is_on_hold_order": False,
        "is_cod": False,
        "is_sample_order": False,
        "is_replacement_order": False,
        "is_exchange_order": False,
        "is_buyer_request_cancel": False,
        "has_updated_recipient_address": False,
        "order_type": "NORMAL",
        "commerce_platform": "TIKTOK_SHOP",
        "fulfillment_type": "FULFILLMENT_BY_SELLER",
        "shipping_type": "SELLER",
        "delivery_type": "HOME_DELIVERY",
        "delivery_option_id": "7091146663229654785",
        "delivery_option_name": "Standard Shipping",
        "payment_method_name": "CCDC",
        "shipping_provider": "",
        "shipping_provider_id": "",
        "tracking_number": "",
        "warehouse_id": warehouse.warehouse_id if warehouse else "",
        "cancel_reason": "",
        "cancellation_initiator": "",
        "seller_note": "",
        "packages": [{"id": package_id}],
        "payment": {
            "currency": units[0].currency,
            "original_total_product_price": _fmt(original_total),
            "seller_discount": _fmt(seller_discount),
            "platform_discount": "0.00",
            "sub_total": _fmt(sub_total),
            "original_shipping_fee": _fmt(shipping_fee),
            "shipping_fee_seller_discount": "0.00",
            "shipping_fee_platform_discount": "0.00",
            "shipping_fee_cofunded_discount": "0.00",
            "shipping_fee": _fmt(shipping_fee),
            "tax": _fmt(tax),
            "product_tax": _fmt(product_tax),
            "shipping_fee_tax": "0.00",
            "retail_delivery_fee": "0.00",
            "total_amount": _fmt(total),
        },
        "recipient_address": {
            "name": buyer.name,
            "first_name": first,
            "last_name": last,
            "phone_number": _masked_phone(buyer.phone),
            "full_address": f"{street}, {buyer.city}, {state_code} {buyer.postal_code}".strip(", "),
            "address_detail": buyer.address_line2,
            "address_line1": buyer.address_line1,
            "address_line2": buyer.address_line2,
            "address_line3": "",
            "address_line4": "",
            "postal_code": buyer.postal_code,
            "region_code": buyer.region_code,
            "district_info": [
                {"address_level": "L0", "address_level_name": "Country", "address_name": "United States"},
                {"address_level": "L1", "address_level_name": "State", "address_name": buyer.state},
                {"address_level": "L3", "address_level_name": "City", "address_name": buyer.city},
            ],
            "delivery_preferences": {"drop_off_location": ""},
        },
        "line_items": line_items,
    }


def _apply_status(data: dict, status: str, now: int, *, shipping_provider: str, tracking_number: str) -> None:
    """Set `status` and the fields that come with reaching it (§3.3 times, shipping, packages)."""
    data["status"] = status
    items = data.get("line_items")
    items = items if isinstance(items, list) else []  # a malformed test order (`overrides`) stays one
    if status != "UNPAID" and not data.get("paid_time"):
        data["paid_time"] = now
    if status == "ON_HOLD":
        data["is_on_hold_order"] = True
    if status == "AWAITING_COLLECTION":
        data["rts_time"] = now
        data["shipping_provider"] = shipping_provider
        data["shipping_provider_id"] = data.get("shipping_provider_id") or random_digits(19)
        data["tracking_number"] = tracking_number
    package_status = {
        "AWAITING_COLLECTION": "PROCESSING",
        "IN_TRANSIT": "FULFILLING",
        "DELIVERED": "COMPLETED",
        "COMPLETED": "COMPLETED",
        CANCELLED: "CANCELLED",
    }.get(status)
    if status == "IN_TRANSIT":
        data["collection_time"] = now
    if status == "DELIVERED":
        data["delivery_time"] = now
    if status == CANCELLED:
        data["cancel_time"] = now
        data["cancel_reason"] = "Cancelled by the seller (sandbox)"
        data["cancellation_initiator"] = "SELLER"
    for item in items:
        if not isinstance(item, dict):
            continue
        # line items have no ON_HOLD display status (§3.3): paid, so awaiting shipment
        item["display_status"] = "AWAITING_SHIPMENT" if status == "ON_HOLD" else status
        if package_status:
            item["package_status"] = package_status
        if status == "AWAITING_COLLECTION":
            item["tracking_number"] = tracking_number
            item["shipping_provider_name"] = shipping_provider
            item["shipping_provider_id"] = data["shipping_provider_id"]
            item["rts_time"] = now
        if status == CANCELLED:
            item["cancel_reason"] = data["cancel_reason"]
            item["cancel_user"] = "SELLER"


def _tracking_number() -> str:
    return "9400" + "".join(secrets.choice(string.digits) for _ in range(18))


def create_order(
    shop: Shop,
    items,
    *,
    status: str = "AWAITING_SHIPMENT",
    buyer: Buyer | Mapping | None = None,
    shipping_fee="0",
    seller_discount="0",
    tax_rate="0",
    overrides: Mapping | None = None,
    send_webhooks: bool = True,
    now: int | None = None,
) -> Order:
    """Create one order for `items` (seller SKU -> quantity, or pairs) in one of the first statuses.

    `overrides` is merged (deeply) into the order JSON last, to make malformed orders for tests.
    """
    if status not in INITIAL_STATUSES:
        raise OrderError(f"A new order starts as one of {', '.join(INITIAL_STATUSES)}, not {status!r}.")
    buyer = Buyer.from_mapping(buyer)
    try:
        tax_rate = Decimal(str(tax_rate))
    except (InvalidOperation, ValueError):
        raise OrderError(f"Tax rate {tax_rate!r} is not a number.") from None
    if not tax_rate.is_finite() or not 0 <= tax_rate < 1:
        raise OrderError("Tax rate must be a fraction between 0 and 1 (e.g. 0.0825).")
    shipping, discount = money(shipping_fee), money(seller_discount)
    if overrides is not None and not isinstance(overrides, Mapping):
        raise OrderError("overrides must be an object.")
    lines = _resolve_items(shop, items)
    now = int(now if now is not None else time.time())
    for _ in range(5):  # an 18-digit id collision is astronomically rare; retry rather than fail
        order_id = random_digits(18)
        data = build_order_data(
            shop,
            order_id,
            lines,
            buyer=buyer,
            now=now,
            shipping_fee=shipping,
            seller_discount=discount,
            tax_rate=tax_rate,
        )
        for step in FLOW[: FLOW.index(status) + 1]:
            _apply_status(data, step, now, shipping_provider="", tracking_number="")
        data["update_time"] = now
        if overrides:
            _deep_merge(data, overrides)
        try:
            with transaction.atomic():
                order = Order.objects.create(
                    shop=shop, order_id=order_id, status=status, create_time=now, update_time=now, data=data
                )
                if send_webhooks:
                    webhooks.notify_order_status_on_commit(order)
            return order
        except IntegrityError:
            continue
    raise OrderError("Could not allocate an order id.")


def create_orders(shop: Shop, items, *, count: int, **options) -> list[Order]:
    """`count` orders with the same items, in one transaction (for tests and benchmarks)."""
    try:
        count = int(count)
    except (TypeError, ValueError, OverflowError):
        raise OrderError("count must be an integer.") from None
    if not 1 <= count <= 5000:
        raise OrderError("count must be 1–5000.")
    with transaction.atomic():
        return [create_order(shop, items, **options) for _ in range(int(count))]


def line_summary(order: Order) -> str:
    """ "2 × MUG-12OZ, 1 × CAP-NAVY": quantities are counts of line items per SKU (§3.3)."""
    counts: dict[str, int] = {}
    items = order.data.get("line_items") if isinstance(order.data, dict) else None
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            key = str(item.get("seller_sku") or item.get("sku_id") or "?")
            counts[key] = counts.get(key, 0) + 1
    return ", ".join(f"{n} × {sku}" for sku, n in counts.items())


def next_steps(order: Order) -> list[tuple[str, str]]:
    """(status, button label) for each move the seller page offers."""
    return [(status, STEP_LABELS.get(status, status)) for status in next_statuses(order)]


def next_statuses(order: Order) -> list[str]:
    """Where the seller can move this order from here (the buttons of the seller page)."""
    if order.status in FLOW and order.status != FLOW[-1]:
        options = [FLOW[FLOW.index(order.status) + 1]]
        if order.status in CANCELLABLE:
            options.append(CANCELLED)
        return options
    return []


def set_status(
    order: Order,
    status: str,
    *,
    shipping_provider: str = "",
    tracking_number: str = "",
    send_webhooks: bool = True,
    now: int | None = None,
) -> Order:
    """Move an order forward (skipping steps is allowed; their fields are filled) or cancel it.

    `update_time` strictly increases on every change, so a poller comparing it never misses one.
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("shop").get(pk=order.pk)
        current = order.status
        if status == CANCELLED:
            if current not in CANCELLABLE:
                raise OrderError(
                    f"Order {order.order_id} is {current}; only {', '.join(CANCELLABLE)} can be cancelled."
                )
            path = [CANCELLED]
        elif status in FLOW and current in FLOW and FLOW.index(status) > FLOW.index(current):
            path = FLOW[FLOW.index(current) + 1 : FLOW.index(status) + 1]
        elif status not in ALL_STATUSES or status == "PARTIALLY_SHIPPING":
            raise OrderError(f"Unknown status {status!r}.")
        else:
            raise OrderError(f"Order {order.order_id} is {current}; it cannot move to {status}.")
        stamp = max(int(now if now is not None else time.time()), order.update_time + 1)
        data = order.data
        if any(step in SHIPPED for step in path) and not data.get("tracking_number"):
            shipping_provider = shipping_provider.strip() or "USPS"
            tracking_number = tracking_number.strip() or _tracking_number()
        for step in path:
            _apply_status(
                data, step, stamp, shipping_provider=shipping_provider, tracking_number=tracking_number
            )
        data["update_time"] = stamp
        order.status, order.update_time, order.data = status, stamp, data
        order.save(update_fields=["status", "update_time", "data"])
        if send_webhooks:
            webhooks.notify_order_status_on_commit(order)
    return order


def shop_for(identifier: str | None = None) -> Shop:
    """The shop by id or cipher, or the sandbox's (first) shop."""
    shops = Shop.objects.all()
    shop = (
        shops.filter(shop_id=identifier).first() or shops.filter(cipher=identifier).first()
        if identifier
        else shops.first()
    )
    if shop is None:
        raise OrderError(
            "No such shop. Run `manage.py sandbox_seed` first." if not identifier else "No such shop."
        )
    return shop


def find_order(order_id: str, shop: Shop | None = None) -> Order:
    qs = Order.objects.select_related("shop")
    if shop is not None:
        qs = qs.filter(shop=shop)
    order = qs.filter(order_id=str(order_id)).first()
    if order is None:
        raise OrderError(f"No order {order_id}.")
    return order


def seller_skus(shop: Shop) -> Iterable[Sku]:
    return Sku.objects.select_related("product").prefetch_related("stock").filter(product__shop=shop)
