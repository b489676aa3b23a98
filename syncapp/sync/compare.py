"""The TikTok order and its Ecwid order side by side, field by field, for the "compare" page.

The TikTok side is read through the same functions `map_order` uses, so an Ecwid order made by
`map_order` from the same TikTok order compares as all-same, and any row that differs points at a
change made on either side afterwards (or at a mapping rule that changed since).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from syncapp.sync.mapping import (
    MappingError,
    MappingRules,
    cents,
    ecwid_statuses,
    email_of,
    group_line_items,
    normalize_status,
    order_totals,
    person_of,
    tracking_of,
)

SECTIONS = ("buyer", "address", "items", "money", "status", "tracking")


@dataclass(frozen=True)
class Row:
    """One compared field. `tiktok` and `ecwid` are display strings ("" when the side has no value)."""

    section: str
    label: str
    tiktok: str
    ecwid: str
    same: bool


def compare_orders(
    tiktok_order: Mapping[str, Any],
    ecwid_order: Mapping[str, Any],
    rules: MappingRules | None = None,
) -> list[Row]:
    """Rows in the order buyer, address, items, money, status, tracking.

    A part of the TikTok order that cannot be read (bad amount, no line items) becomes one row
    saying why, with `same=False`, instead of an error: the page is where staff look at such orders.
    """
    rules = rules or MappingRules()
    builders: list[tuple[str, Callable[[], list[Row]]]] = [
        ("buyer", lambda: _buyer_rows(tiktok_order, ecwid_order)),
        ("address", lambda: _address_rows(tiktok_order, ecwid_order)),
        ("items", lambda: _item_rows(tiktok_order, ecwid_order)),
        ("money", lambda: _money_rows(tiktok_order, ecwid_order)),
        ("status", lambda: _status_rows(tiktok_order, ecwid_order, rules)),
        ("tracking", lambda: _tracking_rows(tiktok_order, ecwid_order)),
    ]
    rows: list[Row] = []
    for section, build in builders:
        try:
            rows.extend(build())
        except MappingError as error:
            rows.append(Row(section, "Cannot read the TikTok order", error.reason, "", False))
    return rows


# ---------------------------------------------------------------------------------------------------
# Normalizing values for display and comparison


def _text(value: Any) -> str:
    if value is None:
        return ""
    lines = str(value).replace("\r\n", "\n").split("\n")
    return "\n".join(" ".join(line.split()) for line in lines).strip()


def _text_row(section: str, label: str, tiktok: Any, ecwid: Any, *, ignore_case: bool = False) -> Row:
    left, right = _text(tiktok), _text(ecwid)
    same = left.casefold() == right.casefold() if ignore_case else left == right
    return Row(section, label, left, right, same)


def _amount(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        amount = cents(Decimal(str(value).strip()))
    except InvalidOperation:  # not a number, or too large to round
        return None
    return amount if amount.is_finite() else None


def _show(amount: Decimal | None, raw: Any = None) -> str:
    if amount is None:
        return _text(raw)
    return format(amount, "f")


def _money_row(label: str, tiktok: Decimal, ecwid_raw: Any, *, missing_is_zero: bool = False) -> Row:
    ecwid = _amount(ecwid_raw)
    if ecwid is None and missing_is_zero and (ecwid_raw is None or ecwid_raw == ""):
        ecwid = Decimal("0.00")
    return Row("money", label, _show(tiktok), _show(ecwid, ecwid_raw), ecwid is not None and ecwid == tiktok)


def _ecwid_person(ecwid_order: Mapping[str, Any]) -> Mapping[str, Any]:
    for key in ("shippingPerson", "billingPerson"):
        person = ecwid_order.get(key)
        if isinstance(person, Mapping) and person:
            return person
    return {}


def _ecwid_shipping(ecwid_order: Mapping[str, Any]) -> Mapping[str, Any]:
    option = ecwid_order.get("shippingOption")
    return option if isinstance(option, Mapping) else {}


# ---------------------------------------------------------------------------------------------------
# Sections


def _buyer_rows(tiktok_order: Mapping[str, Any], ecwid_order: Mapping[str, Any]) -> list[Row]:
    person = person_of(tiktok_order)
    return [
        _text_row("buyer", "Name", person.get("name"), _ecwid_person(ecwid_order).get("name")),
        _text_row("buyer", "Email", email_of(tiktok_order), ecwid_order.get("email"), ignore_case=True),
    ]


ADDRESS_FIELDS = (
    ("Street", "street", False),
    ("City", "city", False),
    ("State", "stateOrProvinceCode", True),
    ("Postal code", "postalCode", True),
    ("Country", "countryCode", True),
    ("Phone", "phone", False),
)


def _address_rows(tiktok_order: Mapping[str, Any], ecwid_order: Mapping[str, Any]) -> list[Row]:
    person = person_of(tiktok_order)
    ecwid = _ecwid_person(ecwid_order)
    return [
        _text_row("address", label, person.get(key), ecwid.get(key), ignore_case=ignore_case)
        for label, key, ignore_case in ADDRESS_FIELDS
    ]


@dataclass
class _ItemSummary:
    name: str = ""
    quantity: int = 0
    prices: tuple[Decimal | str, ...] = ()


def _item_rows(tiktok_order: Mapping[str, Any], ecwid_order: Mapping[str, Any]) -> list[Row]:
    tiktok: dict[str, _ItemSummary] = {}
    for group in group_line_items(tiktok_order):
        summary = tiktok.setdefault(group.seller_sku or group.name, _ItemSummary(name=group.name))
        summary.quantity += group.quantity
        summary.prices = (*summary.prices, group.price)

    ecwid: dict[str, _ItemSummary] = {}
    items = ecwid_order.get("items")
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, Mapping):
            continue
        name = _text(item.get("name"))
        summary = ecwid.setdefault(_text(item.get("sku")) or name, _ItemSummary(name=name))
        try:
            summary.quantity += int(item.get("quantity") or 0)
        except (TypeError, ValueError):
            pass
        price = _amount(item.get("price"))
        summary.prices = (*summary.prices, price if price is not None else _text(item.get("price")))

    rows: list[Row] = []
    for key in [*tiktok, *(k for k in ecwid if k not in tiktok)]:
        left, right = tiktok.get(key), ecwid.get(key)
        rows.append(_text_row("items", f"{key}: name", left and left.name, right and right.name))
        rows.append(
            Row(
                "items",
                f"{key}: quantity",
                str(left.quantity) if left else "",
                str(right.quantity) if right else "",
                bool(left and right and left.quantity == right.quantity),
            )
        )
        left_prices, right_prices = _price_set(left), _price_set(right)
        rows.append(
            Row(
                "items",
                f"{key}: unit price",
                ", ".join(left_prices),
                ", ".join(right_prices),
                bool(left and right) and left_prices == right_prices,
            )
        )
    return rows


def _price_set(summary: _ItemSummary | None) -> list[str]:
    if summary is None:
        return []
    return sorted({p if isinstance(p, str) else format(p, "f") for p in summary.prices})


def _money_rows(tiktok_order: Mapping[str, Any], ecwid_order: Mapping[str, Any]) -> list[Row]:
    totals = order_totals(tiktok_order)
    shipping = _ecwid_shipping(ecwid_order)
    handling = ecwid_order.get("handlingFee")
    ecwid_fees = handling.get("value") if isinstance(handling, Mapping) else None
    rows = [
        _money_row("Subtotal", totals.subtotal, ecwid_order.get("subtotal")),
        _money_row("Discount", totals.discount, ecwid_order.get("discount"), missing_is_zero=True),
        _money_row("Shipping", totals.shipping, shipping.get("shippingRate"), missing_is_zero=True),
        _money_row("Tax", totals.tax, ecwid_order.get("tax"), missing_is_zero=True),
    ]
    if totals.fees or _amount(ecwid_fees):
        rows.append(_money_row("Fees", totals.fees, ecwid_fees, missing_is_zero=True))
    rows.append(_money_row("Total", totals.total, ecwid_order.get("total")))
    return rows


def _status_rows(
    tiktok_order: Mapping[str, Any], ecwid_order: Mapping[str, Any], rules: MappingRules
) -> list[Row]:
    status = normalize_status(tiktok_order.get("status"))
    try:
        payment, fulfillment = ecwid_statuses(tiktok_order, rules)
    except MappingError:
        payment = fulfillment = ""
    rows = []
    for label, mapped, ecwid_key in (
        ("Payment status", payment, "paymentStatus"),
        ("Fulfillment status", fulfillment, "fulfillmentStatus"),
    ):
        shown = (
            f"{mapped} (from TikTok {status})"
            if mapped
            else f"TikTok {status or 'status missing'}, not mapped"
        )
        ecwid = _text(ecwid_order.get(ecwid_key)).upper()
        rows.append(Row("status", label, shown, ecwid, bool(mapped) and mapped == ecwid))
    return rows


def _tracking_rows(tiktok_order: Mapping[str, Any], ecwid_order: Mapping[str, Any]) -> list[Row]:
    tracking, carrier = tracking_of(tiktok_order)
    return [
        _text_row("tracking", "Tracking number", tracking, ecwid_order.get("trackingNumber")),
        _text_row("tracking", "Carrier", carrier, _ecwid_shipping(ecwid_order).get("shippingCarrierName")),
    ]
