"""TikTok Shop order → Ecwid order: the rules for taking an order, and the payload to create or update it.

Pure functions over plain dicts: no models, no HTTP. The caller looks products up in Ecwid (by seller
SKU, see `order_skus`) and passes what it found; everything else comes from the TikTok order itself.

Facts this module leans on (specs/tiktok_shop_api.md §3.3, specs/ecwid_api.md §4.2):
- TikTok money is decimal strings; every amount here is a `Decimal` until the payload is built, where
  it becomes a JSON number quantized to cents, so the Ecwid `total` is TikTok's `total_amount` exactly.
- A TikTok line item is one unit: there is no quantity field, so units are counted.
- Ecwid's create computes nothing: subtotal, discount, shipping, tax and total are sent as final numbers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, Literal

CENT = Decimal("0.01")
ZERO = Decimal("0")

# TikTok order statuses, specs/tiktok_shop_api.md §3.4.
UNPAID = "UNPAID"
ON_HOLD = "ON_HOLD"
CANCELLED = "CANCELLED"
PAID_STATUSES = (
    "AWAITING_SHIPMENT",
    "PARTIALLY_SHIPPING",
    "AWAITING_COLLECTION",
    "IN_TRANSIT",
    "DELIVERED",
    "COMPLETED",
)
TIKTOK_STATUSES = frozenset({UNPAID, ON_HOLD, CANCELLED, *PAID_STATUSES})
# The ORDER_STATUS_CHANGE webhook spells it CANCEL while the Order API says CANCELLED (§6.2 CONFLICT).
STATUS_ALIASES = {"CANCEL": CANCELLED}

# Ecwid status enums, specs/ecwid_api.md §4.6.
ECWID_PAYMENT_STATUSES = frozenset(
    {
        "AWAITING_PAYMENT",
        "PAID",
        "CANCELLED",
        "REFUNDED",
        "PARTIALLY_REFUNDED",
        "INCOMPLETE",
        "CUSTOM_PAYMENT_STATUS_1",
        "CUSTOM_PAYMENT_STATUS_2",
        "CUSTOM_PAYMENT_STATUS_3",
    }
)
ECWID_FULFILLMENT_STATUSES = frozenset(
    {
        "AWAITING_PROCESSING",
        "PROCESSING",
        "SHIPPED",
        "DELIVERED",
        "WILL_NOT_DELIVER",
        "RETURNED",
        "READY_FOR_PICKUP",
        "OUT_FOR_DELIVERY",
        "CUSTOM_FULFILLMENT_STATUS_1",
        "CUSTOM_FULFILLMENT_STATUS_2",
        "CUSTOM_FULFILLMENT_STATUS_3",
    }
)

DEFAULT_TAKEN_STATUSES = frozenset({*PAID_STATUSES, CANCELLED})
DEFAULT_PAYMENT_STATUS_MAP: Mapping[str, str] = MappingProxyType(
    {
        "AWAITING_SHIPMENT": "PAID",
        "PARTIALLY_SHIPPING": "PAID",
        "AWAITING_COLLECTION": "PAID",
        "IN_TRANSIT": "PAID",
        "DELIVERED": "PAID",
        "COMPLETED": "PAID",
        "CANCELLED": "CANCELLED",
    }
)
DEFAULT_FULFILLMENT_STATUS_MAP: Mapping[str, str] = MappingProxyType(
    {
        "AWAITING_SHIPMENT": "AWAITING_PROCESSING",
        "PARTIALLY_SHIPPING": "PROCESSING",
        "AWAITING_COLLECTION": "PROCESSING",
        "IN_TRANSIT": "SHIPPED",
        "DELIVERED": "DELIVERED",
        "COMPLETED": "DELIVERED",
        "CANCELLED": "WILL_NOT_DELIVER",
    }
)

DEFAULT_SHIPPING_METHOD = "TikTok Shop shipping"
TIKTOK_ID_FIELD = "tiktok_order_id"
TIKTOK_ID_TITLE = "TikTok order"
ECWID_DATE_FORMAT = "%Y-%m-%d %H:%M:%S +0000"  # specs/ecwid_api.md §4.2 createDate


class MappingError(Exception):
    """The TikTok order cannot become an Ecwid order as it is; a person has to look at it.

    `reason` is written for a merchant's staff and names the field and the bad value; `field` is the
    path of that field in the TikTok order (e.g. `line_items[1].sale_price`).
    """

    def __init__(self, reason: str, *, field: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.field = field


class UnknownSkuError(MappingError):
    """Some line items have no Ecwid product, and the profile says to stop rather than add text lines."""

    def __init__(self, reason: str, *, skus: list[str], field: str = "line_items"):
        super().__init__(reason, field=field)
        self.skus = skus


@dataclass(frozen=True)
class ProductMatch:
    """What the caller found in Ecwid for one seller SKU (specs/ecwid_api.md §5.1)."""

    product_id: int
    combination_id: int | None = None
    name: str = ""


@dataclass(frozen=True)
class Decision:
    """Whether to sync an order now, skip it for good, or wait for it to change."""

    action: Literal["sync", "skip", "wait"]
    reason: str

    def __str__(self) -> str:
        return f"{self.action}: {self.reason}"


def normalize_status(value: Any) -> str:
    """TikTok status in its Order API spelling: upper case, the webhook's CANCEL read as CANCELLED."""
    status = str(value or "").strip().upper()
    return STATUS_ALIASES.get(status, status)


def _status_map(given: Mapping[str, str], defaults: Mapping[str, str], allowed: frozenset[str], what: str):
    merged = dict(defaults)
    for tiktok_status, ecwid_status in given.items():
        key = normalize_status(tiktok_status)
        value = str(ecwid_status).strip().upper()
        if key not in TIKTOK_STATUSES:
            raise ValueError(f"{tiktok_status!r} is not a TikTok Shop order status.")
        if value not in allowed:
            raise ValueError(f"{ecwid_status!r} is not an Ecwid {what} status.")
        merged[key] = value
    return MappingProxyType(merged)


@dataclass(frozen=True)
class MappingRules:
    """A profile's choices for taking and shaping orders. Defaults are the ones the task card sets.

    The status maps given here override the defaults entry by entry (a profile that only wants
    DELIVERED → SHIPPED passes just that). Bad values raise ValueError at construction, so a profile
    form can show the problem before anything runs.
    """

    unknown_sku: Literal["text_line", "needs_attention"] = "text_line"
    taken_statuses: frozenset[str] = DEFAULT_TAKEN_STATUSES
    earliest_create_time: int | None = None
    payment_status_map: Mapping[str, str] = field(default_factory=lambda: DEFAULT_PAYMENT_STATUS_MAP)
    fulfillment_status_map: Mapping[str, str] = field(default_factory=lambda: DEFAULT_FULFILLMENT_STATUS_MAP)
    payment_method: str = "TikTok Shop"
    referer_id: str = "TikTokShop"
    # TikTok buyer emails are relay addresses (§3.3), so Ecwid should not mail them by default.
    notify_customer: bool = False

    def __post_init__(self) -> None:
        if self.unknown_sku not in ("text_line", "needs_attention"):
            raise ValueError(
                f"unknown_sku must be 'text_line' or 'needs_attention', not {self.unknown_sku!r}."
            )
        taken = frozenset(normalize_status(s) for s in self.taken_statuses)
        for status in taken:
            if status in (UNPAID, ON_HOLD):
                raise ValueError(f"{status} orders cannot be taken: they are not firm sales yet.")
            if status not in TIKTOK_STATUSES:
                raise ValueError(f"{status!r} is not a TikTok Shop order status.")
        object.__setattr__(self, "taken_statuses", taken)
        object.__setattr__(self, "unknown_sku", str(self.unknown_sku))
        object.__setattr__(self, "earliest_create_time", _unix_time(self.earliest_create_time))
        object.__setattr__(
            self,
            "payment_status_map",
            _status_map(
                self.payment_status_map, DEFAULT_PAYMENT_STATUS_MAP, ECWID_PAYMENT_STATUSES, "payment"
            ),
        )
        object.__setattr__(
            self,
            "fulfillment_status_map",
            _status_map(
                self.fulfillment_status_map,
                DEFAULT_FULFILLMENT_STATUS_MAP,
                ECWID_FULFILLMENT_STATUSES,
                "fulfillment",
            ),
        )


def _unix_time(value: int | date | datetime | None) -> int | None:
    """A profile's earliest date as Unix seconds; a date means its midnight UTC, naive datetimes are UTC."""
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, datetime):
        return int((value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp())
    if isinstance(value, date):
        return int(datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp())
    raise ValueError(f"earliest_create_time must be a Unix time or a date, not {value!r}.")


# ---------------------------------------------------------------------------------------------------
# Reading values out of the TikTok order


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def parse_money(
    value: Any, *, field: str, owner: str = "The order", default: Decimal | None = None
) -> Decimal:
    """A TikTok money string as a Decimal, or a MappingError that names the field and the value.

    `default` is returned for a missing or empty optional field; without it the field is required.
    """
    name = field.rsplit(".", 1)[-1]
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is not None:
            return default
        raise MappingError(f"{owner} has no {name}.", field=field)
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise MappingError(f"{owner} has {name} {value!r}, which is not an amount.", field=field)
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else str(value))
    except InvalidOperation:
        amount = None
    # Beyond 10^12 it is not a price but a typo or an exponent trick ("1e999999" cannot even be rounded).
    if amount is None or not amount.is_finite() or amount.adjusted() >= 12:
        raise MappingError(f"{owner} has {name} {value!r}, which is not an amount.", field=field)
    if amount < 0:
        raise MappingError(f"{owner} has {name} {value!r}, which is negative.", field=field)
    return amount


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _number(amount: Decimal) -> float:
    # JSON number for Ecwid. float() of a value quantized to cents prints back as the same two
    # decimals (repr is the shortest round-trip form), so Decimal(str(x)) == amount again.
    return float(cents(amount))


def order_id_of(order: Mapping[str, Any]) -> str:
    order_id = _text(order.get("id"))
    if not order_id:
        raise MappingError("The TikTok order has no id.", field="id")
    return order_id


def _payment(order: Mapping[str, Any]) -> Mapping[str, Any]:
    payment = order.get("payment")
    if not isinstance(payment, Mapping) or not payment:
        raise MappingError(
            "The TikTok order has no payment block, so its amounts are unknown.", field="payment"
        )
    return payment


def _line_items(order: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    items = order.get("line_items")
    if not isinstance(items, list) or not items:
        raise MappingError("The TikTok order has no line items.", field="line_items")
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise MappingError(f"Line item {index + 1} is not an object.", field=f"line_items[{index}]")
    return items


def _item_owner(index: int, item: Mapping[str, Any]) -> str:
    sku = _text(item.get("seller_sku"))
    if sku:
        return f"Line item {index + 1} (SKU {sku})"
    name = _text(item.get("product_name"))
    return f"Line item {index + 1} ({name})" if name else f"Line item {index + 1}"


def order_skus(order: Mapping[str, Any]) -> list[str]:
    """Distinct seller SKUs of the order, in order of appearance: the lookups the caller must make."""
    seen: dict[str, None] = {}
    items = order.get("line_items")
    for item in items if isinstance(items, list) else []:
        if isinstance(item, Mapping) and (sku := _text(item.get("seller_sku"))):
            seen.setdefault(sku)
    return list(seen)


@dataclass
class LineGroup:
    """Identical TikTok line items (same seller SKU and sale price) counted into one Ecwid item."""

    seller_sku: str
    name: str
    price: Decimal
    quantity: int = 0
    tax: Decimal = ZERO
    first_index: int = 0


def group_line_items(order: Mapping[str, Any]) -> list[LineGroup]:
    """One group per (seller SKU, sale price), in order of first appearance (§3.3: a line item is a unit)."""
    groups: dict[tuple[str, str, Decimal], LineGroup] = {}
    for index, item in enumerate(_line_items(order)):
        owner = _item_owner(index, item)
        price = cents(
            parse_money(item.get("sale_price"), field=f"line_items[{index}].sale_price", owner=owner)
        )
        tax = ZERO
        item_tax = item.get("item_tax") or []
        for tax_index, entry in enumerate(item_tax if isinstance(item_tax, list) else []):
            if isinstance(entry, Mapping):
                tax += parse_money(
                    entry.get("tax_amount"),
                    field=f"line_items[{index}].item_tax[{tax_index}].tax_amount",
                    owner=owner,
                    default=ZERO,
                )
        sku = _text(item.get("seller_sku"))
        # Items without a seller SKU cannot be looked up; keep them apart by TikTok's own SKU id.
        key = (sku, "" if sku else _text(item.get("sku_id")) or _text(item.get("product_name")), price)
        group = groups.get(key)
        if group is None:
            group = groups[key] = LineGroup(
                seller_sku=sku, name=_item_name(item), price=price, first_index=index
            )
        group.quantity += 1
        group.tax += tax
    return list(groups.values())


def _item_name(item: Mapping[str, Any]) -> str:
    product = _text(item.get("product_name"))
    variant = _text(item.get("sku_name"))
    base = product or _text(item.get("seller_sku")) or f"TikTok item {_text(item.get('sku_id'))}".strip()
    return f"{base} — {variant}" if variant else base


# ---------------------------------------------------------------------------------------------------
# Money


@dataclass(frozen=True)
class Totals:
    """The Ecwid money fields, all in cents, that add up to TikTok's total_amount exactly.

    subtotal − discount + shipping + fees (+ tax unless prices_include_tax) == total.
    """

    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    tax: Decimal
    fees: Decimal
    total: Decimal
    prices_include_tax: bool = False


def order_totals(order: Mapping[str, Any], groups: list[LineGroup] | None = None) -> Totals:
    """Work the Ecwid amounts out of TikTok's payment block (formulas in specs/tiktok_shop_api.md §3.3).

    TikTok: sub_total = Σ sale_price − platform_discount (sale prices already carry the seller's
    discount); total_amount = sub_total + shipping_fee + tax + retail_delivery_fee. Ecwid gets
    subtotal = Σ price × quantity, and the platform discount as `discount`. Anything TikTok charged or
    took off that the formula does not explain goes into fees or discount, so the total stays exact.
    """
    payment = _payment(order)
    groups = group_line_items(order) if groups is None else groups
    owner = "The payment block"

    def money(name: str, default: Decimal | None = ZERO) -> Decimal:
        return parse_money(payment.get(name), field=f"payment.{name}", owner=owner, default=default)

    total = cents(money("total_amount", default=None))
    subtotal = sum((g.price * g.quantity for g in groups), ZERO)
    if _text(payment.get("sub_total")):
        tiktok_sub_total = cents(money("sub_total"))
    else:
        tiktok_sub_total = subtotal - cents(money("platform_discount"))
    discount = max(subtotal - tiktok_sub_total, ZERO)
    shipping = cents(money("shipping_fee"))
    if _text(payment.get("tax")):
        tax = cents(money("tax"))
    else:
        tax = cents(money("product_tax") + money("shipping_fee_tax"))
    fees = cents(money("retail_delivery_fee"))

    prices_include_tax = False
    rest = total - (subtotal - discount + shipping + tax + fees)
    if rest and tax and total == subtotal - discount + shipping + fees:
        # Markets with VAT in the price (UK/EU) report the tax but do not add it on top: Ecwid's
        # GROSS mode (pricesIncludeTax, specs/ecwid_api.md §4.2) says the same. UNVERIFIED for TikTok.
        prices_include_tax, rest = True, ZERO
    if rest > 0:
        fees += rest
    elif rest < 0:
        discount -= rest
    return Totals(subtotal, discount, shipping, tax, fees, total, prices_include_tax)


# ---------------------------------------------------------------------------------------------------
# Buyer and address

US_STATE_CODES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
    "colorado": "CO", "connecticut": "CT", "delaware": "DE", "district of columbia": "DC",
    "washington dc": "DC", "washington d.c.": "DC", "florida": "FL", "georgia": "GA", "hawaii": "HI",
    "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS", "kentucky": "KY",
    "louisiana": "LA", "maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI",
    "minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT", "nebraska": "NE",
    "nevada": "NV", "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM", "new york": "NY",
    "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK", "oregon": "OR",
    "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC", "south dakota": "SD",
    "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA",
    "washington": "WA", "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY",
    "puerto rico": "PR", "guam": "GU", "u.s. virgin islands": "VI", "us virgin islands": "VI",
    "virgin islands": "VI", "american samoa": "AS", "northern mariana islands": "MP",
    "armed forces americas": "AA", "armed forces europe": "AE", "armed forces pacific": "AP",
}  # fmt: skip
_US_CODES = frozenset(US_STATE_CODES.values())


def _address(order: Mapping[str, Any]) -> Mapping[str, Any]:
    # Empty while UNPAID / ON_HOLD and partly masked when TikTok ships (§3.3): never required.
    address = order.get("recipient_address")
    return address if isinstance(address, Mapping) else {}


def _district(address: Mapping[str, Any], level: str) -> Mapping[str, Any]:
    info = address.get("district_info")
    for entry in info if isinstance(info, list) else []:
        if isinstance(entry, Mapping) and _text(entry.get("address_level")).upper() == level:
            return entry
    return {}


def _state_code(address: Mapping[str, Any], country: str) -> str:
    state = _district(address, "L1")
    name = _text(state.get("address_name"))
    iso = _text(state.get("iso_code"))
    if country in ("US", ""):
        if code := US_STATE_CODES.get(" ".join(name.lower().split())):
            return code
        if name.upper() in _US_CODES:
            return name.upper()
    if iso:
        # ISO 3166-2 style "US-CA" → "CA", the form Ecwid's stateOrProvinceCode uses (§4.2).
        return iso.split("-", 1)[1] if "-" in iso else iso
    return name


def person_of(order: Mapping[str, Any]) -> dict[str, str]:
    """Ecwid shippingPerson/billingPerson from TikTok's recipient_address; empty parts are left out."""
    address = _address(order)
    name = _text(address.get("name")) or " ".join(
        part for part in (_text(address.get("first_name")), _text(address.get("last_name"))) if part
    )
    lines = [_text(address.get(f"address_line{n}")) for n in range(1, 5)]
    street = "\n".join(line for line in lines if line)
    street = street or _text(address.get("address_detail")) or _text(address.get("full_address"))
    city = (
        _text(_district(address, "L3").get("address_name"))
        or _text(address.get("post_town"))
        or _text(_district(address, "L2").get("address_name"))
    )
    country = _text(address.get("region_code")).upper()
    person = {
        "name": name,
        "street": street,
        "city": city,
        "stateOrProvinceCode": _state_code(address, country),
        "postalCode": _text(address.get("postal_code")),
        "countryCode": country,
        "phone": _text(address.get("phone_number")),
    }
    return {key: value for key, value in person.items() if value}


def email_of(order: Mapping[str, Any]) -> str:
    """The buyer's (relay) email, or a stable address that can never receive mail (RFC 2606 .invalid)."""
    email = _text(order.get("buyer_email"))
    if "@" in email:
        return email
    return f"tiktok-{order_id_of(order)}@example.invalid"


def tracking_of(order: Mapping[str, Any]) -> tuple[str, str]:
    """(tracking numbers, carrier) from the order, or from its line items when split into packages."""
    numbers: dict[str, None] = {}
    carriers: dict[str, None] = {}
    if number := _text(order.get("tracking_number")):
        numbers.setdefault(number)
    if carrier := _text(order.get("shipping_provider")):
        carriers.setdefault(carrier)
    items = order.get("line_items")
    for item in items if isinstance(items, list) else []:
        if isinstance(item, Mapping):
            if number := _text(item.get("tracking_number")):
                numbers.setdefault(number)
            if carrier := _text(item.get("shipping_provider_name")):
                carriers.setdefault(carrier)
    return ", ".join(numbers), ", ".join(carriers)


def ecwid_statuses(order: Mapping[str, Any], rules: MappingRules) -> tuple[str, str]:
    """(paymentStatus, fulfillmentStatus) for the order's TikTok status, from the profile's maps."""
    status = normalize_status(order.get("status"))
    if not status:
        raise MappingError("The TikTok order has no status.", field="status")
    payment = rules.payment_status_map.get(status)
    fulfillment = rules.fulfillment_status_map.get(status)
    if payment is None or fulfillment is None:
        raise MappingError(
            f"The TikTok order has status {status}, which this profile does not map to an Ecwid status.",
            field="status",
        )
    return payment, fulfillment


def _shipping_option(order: Mapping[str, Any], totals: Totals) -> dict[str, Any]:
    option: dict[str, Any] = {
        "shippingMethodName": _text(order.get("delivery_option_name")) or DEFAULT_SHIPPING_METHOD,
        "shippingRate": _number(totals.shipping),
    }
    if carrier := tracking_of(order)[1]:
        option["shippingCarrierName"] = carrier
    return option


def _create_date(order: Mapping[str, Any]) -> str:
    value = order.get("create_time")
    if value in (None, ""):
        return ""
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        raise MappingError(
            f"The TikTok order has create_time {value!r}, which is not a Unix time.", field="create_time"
        ) from None
    return datetime.fromtimestamp(seconds, UTC).strftime(ECWID_DATE_FORMAT)


# ---------------------------------------------------------------------------------------------------
# Public entry points


def decide(order: Mapping[str, Any], rules: MappingRules, *, already_synced: bool) -> Decision:
    """Take the order now, skip it for good (with the rule that says so), or wait for it to change."""
    status = normalize_status(order.get("status") or order.get("order_status"))
    if not status:
        raise MappingError("The TikTok order has no status.", field="status")
    if status == UNPAID:
        return Decision("skip", "unpaid orders are never imported")
    if status == ON_HOLD:
        # §3.4: the buyer may still cancel and the address is empty; it becomes AWAITING_SHIPMENT.
        return Decision("wait", "on hold until TikTok releases it")
    if status == CANCELLED and not already_synced:
        return Decision("skip", "cancelled before it was imported")
    if not already_synced and rules.earliest_create_time is not None:
        created = _optional_int(order.get("create_time"))
        if created is not None and created < rules.earliest_create_time:
            return Decision(
                "skip",
                f"created {_date(created)}, before this profile's earliest date "
                f"{_date(rules.earliest_create_time)}",
            )
    if status not in rules.taken_statuses:
        return Decision("skip", f"status {status} is not one this profile imports")
    if status == CANCELLED:
        return Decision("sync", "cancelled after it was imported: cancel the Ecwid order too")
    if already_synced:
        return Decision("sync", f"update the Ecwid order to status {status}")
    return Decision("sync", f"paid order in status {status}")


def _optional_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _date(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M UTC")


def map_order(
    order: Mapping[str, Any],
    products: Mapping[str, ProductMatch | None],
    rules: MappingRules,
) -> dict[str, Any]:
    """The Ecwid `POST /orders` body for a TikTok order (specs/ecwid_api.md §4.2, §4.7).

    `products` maps seller SKU → what Ecwid has for it (None or absent: no such product). Raises
    MappingError (or UnknownSkuError, when the profile says so) with a reason staff can act on.
    """
    order_id = order_id_of(order)
    groups = group_line_items(order)
    _check_unknown_skus(order, groups, products, rules)
    totals = order_totals(order, groups)
    payment_status, fulfillment_status = ecwid_statuses(order, rules)

    payload: dict[str, Any] = {
        "email": email_of(order),
        "paymentStatus": payment_status,
        "fulfillmentStatus": fulfillment_status,
        "paymentMethod": rules.payment_method,
        "items": [_ecwid_item(group, products.get(group.seller_sku)) for group in groups],
        "subtotal": _number(totals.subtotal),
        "tax": _number(totals.tax),
        "total": _number(totals.total),
        "pricesIncludeTax": totals.prices_include_tax,
        "shippingOption": _shipping_option(order, totals),
        # §4.7: the TikTok id goes where `keywords` search finds it, plus a visible extra field.
        "externalTransactionId": order_id,
        "privateAdminNotes": f"TikTok Shop order {order_id}",
        "orderExtraFields": [{"id": TIKTOK_ID_FIELD, "title": TIKTOK_ID_TITLE, "value": order_id}],
        "refererId": rules.referer_id,
        "disableAllCustomerNotifications": not rules.notify_customer,
        # Relay addresses never agreed to marketing (§3.3 buyer_email).
        "acceptMarketing": False,
    }
    if totals.discount:
        payload["discount"] = _number(totals.discount)
        payload["discountInfo"] = [
            {
                "value": _number(totals.discount),
                "type": "ABSOLUTE",
                "base": "ON_TOTAL",
                "description": "TikTok Shop platform discount",
            }
        ]
    if totals.fees:
        payload["handlingFee"] = {
            "name": "TikTok Shop fees",
            "value": _number(totals.fees),
            "description": "Retail delivery fee and other charges collected by TikTok Shop",
        }
    person = person_of(order)
    if person:
        payload["shippingPerson"] = dict(person)
        payload["billingPerson"] = dict(person)
    if created := _create_date(order):
        payload["createDate"] = created
    if comments := _text(order.get("buyer_message")):
        payload["orderComments"] = comments
    if tracking := tracking_of(order)[0]:
        payload["trackingNumber"] = tracking
    return payload


def _check_unknown_skus(
    order: Mapping[str, Any],
    groups: list[LineGroup],
    products: Mapping[str, ProductMatch | None],
    rules: MappingRules,
) -> None:
    if rules.unknown_sku != "needs_attention":
        return
    unknown = [g.seller_sku for g in groups if g.seller_sku and products.get(g.seller_sku) is None]
    unknown = list(dict.fromkeys(unknown))
    without_sku = [g for g in groups if not g.seller_sku]
    if not unknown and not without_sku:
        return
    problems = []
    if unknown:
        problems.append(f"no Ecwid product has SKU {', '.join(unknown)}")
    for group in without_sku:
        problems.append(f"line item {group.first_index + 1} ({group.name}) has no seller SKU")
    raise UnknownSkuError(
        "Cannot import: " + "; ".join(problems) + ". This profile stops orders with unknown products "
        "for a person to check (add the SKU in Ecwid, then resync).",
        skus=unknown,
    )


def _ecwid_item(group: LineGroup, match: ProductMatch | None) -> dict[str, Any]:
    item: dict[str, Any] = {"name": group.name, "quantity": group.quantity, "price": _number(group.price)}
    if group.seller_sku:
        item["sku"] = group.seller_sku
    if match is not None:
        # With productId (+ combinationId) and PAID, Ecwid takes the stock itself (§4.2 stock side effect).
        item["productId"] = match.product_id
        if match.combination_id is not None:
            item["combinationId"] = match.combination_id
    if group.tax:
        item["tax"] = _number(group.tax)  # Ecwid: "Total tax applied to the product" (whole line)
    return item


def map_status_update(order: Mapping[str, Any], rules: MappingRules) -> dict[str, Any]:
    """The partial `PUT /orders/{id}` body that brings an existing Ecwid order up to date.

    Never contains `items`: a PUT with items replaces the whole list (specs/ecwid_api.md §4.5).
    `shippingOption` is sent whole once there is a carrier, since a partial object may replace it.
    """
    order_id_of(order)
    payment_status, fulfillment_status = ecwid_statuses(order, rules)
    update: dict[str, Any] = {
        "paymentStatus": payment_status,
        "fulfillmentStatus": fulfillment_status,
        "disableAllCustomerNotifications": not rules.notify_customer,
    }
    tracking, carrier = tracking_of(order)
    if tracking:
        update["trackingNumber"] = tracking
    if carrier:
        update["shippingOption"] = _shipping_option(order, order_totals(order))
    return update


_ADMIN_NOTE = re.compile(r"TikTok Shop order (\d+)")


def _extra_field_value(ecwid_order: Mapping[str, Any]) -> str:
    fields = ecwid_order.get("orderExtraFields")
    for entry in fields if isinstance(fields, list) else []:
        if isinstance(entry, Mapping) and _text(entry.get("id")) == TIKTOK_ID_FIELD:
            return _text(entry.get("value"))
    return ""


def source_id_of(ecwid_order: Mapping[str, Any]) -> str | None:
    """The TikTok order id an Ecwid order was made from, or None for orders we did not make.

    The extra field is ours alone; `externalTransactionId` is shared with payment gateways, so it
    only counts when it looks like a TikTok id (all digits, §3.3); the admin note is the last resort.
    """
    if value := _extra_field_value(ecwid_order):
        return value
    transaction = _text(ecwid_order.get("externalTransactionId"))
    if transaction.isdigit():
        return transaction
    match = _ADMIN_NOTE.search(_text(ecwid_order.get("privateAdminNotes")))
    return match.group(1) if match else None


def is_copy_of(ecwid_order: Mapping[str, Any], tiktok_order_id: str) -> bool:
    """Exact check after Ecwid's fuzzy `keywords` search (specs/ecwid_api.md §4.4)."""
    wanted = _text(tiktok_order_id)
    if not wanted:
        return False
    return wanted in (_text(ecwid_order.get("externalTransactionId")), _extra_field_value(ecwid_order))
