import json

import pytest

from syncapp.sync.compare import SECTIONS, Row, compare_orders
from syncapp.sync.mapping import MappingRules, map_order
from tests.sync.tiktok_fixtures import MAPPABLE, PRODUCTS, load


def ecwid_copy(tiktok_order: dict, rules: MappingRules | None = None) -> dict:
    """What Ecwid would give back for an order created by map_order: the payload plus its own ids."""
    payload = map_order(tiktok_order, PRODUCTS, rules or MappingRules())
    return json.loads(json.dumps(payload)) | {"id": "XJ12H", "internalId": 516483487}


def row(rows: list[Row], label: str) -> Row:
    (found,) = [r for r in rows if r.label == label]
    return found


def differing(rows: list[Row]) -> list[str]:
    return [r.label for r in rows if not r.same]


@pytest.mark.parametrize("name", MAPPABLE)
def test_an_order_mapped_from_the_same_tiktok_order_is_the_same_in_every_row(name):
    order = load(name)
    rows = compare_orders(order, ecwid_copy(order))
    assert differing(rows) == []
    assert {r.section for r in rows} == set(SECTIONS)


def test_rows_show_both_sides_for_staff():
    order = load("awaiting_collection_multi_sku")
    rows = compare_orders(order, ecwid_copy(order))
    assert row(rows, "Name") == Row("buyer", "Name", "Maria Garcia", "Maria Garcia", True)
    assert row(rows, "State") == Row("address", "State", "CO", "CO", True)
    assert row(rows, "MUG-12OZ: quantity") == Row("items", "MUG-12OZ: quantity", "2", "2", True)
    assert row(rows, "MUG-12OZ: unit price") == Row("items", "MUG-12OZ: unit price", "12.50", "12.50", True)
    assert row(rows, "Discount") == Row("money", "Discount", "5.00", "5.00", True)
    assert row(rows, "Fees") == Row("money", "Fees", "0.28", "0.28", True)
    assert row(rows, "Total") == Row("money", "Total", "62.47", "62.47", True)
    assert row(rows, "Payment status") == Row(
        "status", "Payment status", "PAID (from TikTok AWAITING_COLLECTION)", "PAID", True
    )


def test_a_changed_quantity_is_highlighted():
    order = load("awaiting_collection_multi_sku")
    ecwid = ecwid_copy(order)
    ecwid["items"][0]["quantity"] = 3
    rows = compare_orders(order, ecwid)
    assert differing(rows) == ["MUG-12OZ: quantity"]
    assert row(rows, "MUG-12OZ: quantity") == Row("items", "MUG-12OZ: quantity", "2", "3", False)


def test_a_changed_total_is_highlighted():
    order = load("awaiting_shipment_two_units")
    ecwid = ecwid_copy(order)
    ecwid["total"] = 39.97
    rows = compare_orders(order, ecwid)
    assert differing(rows) == ["Total"]
    assert row(rows, "Total") == Row("money", "Total", "38.97", "39.97", False)


def test_a_changed_address_is_highlighted():
    order = load("awaiting_shipment_two_units")
    ecwid = ecwid_copy(order)
    ecwid["shippingPerson"]["city"] = "Santa Clara"
    ecwid["shippingPerson"]["street"] = "1200 Coleman Ave\nSuite 100"
    rows = compare_orders(order, ecwid)
    assert differing(rows) == ["Street", "City"]
    assert row(rows, "City").tiktok == "San Jose"


def test_amounts_are_compared_as_numbers_not_text():
    order = load("awaiting_shipment_two_units")
    ecwid = ecwid_copy(order)
    ecwid["total"], ecwid["subtotal"], ecwid["tax"] = "38.970", 36, 2.97
    assert differing(compare_orders(order, ecwid)) == []


@pytest.mark.parametrize("value", ["abc", "NaN", "1e999999", None, True])
def test_an_unreadable_ecwid_amount_differs_and_is_shown_as_it_is(value):
    order = load("awaiting_shipment_two_units")
    ecwid = ecwid_copy(order)
    ecwid["total"] = value
    rows = compare_orders(order, ecwid)
    assert differing(rows) == ["Total"]
    assert row(rows, "Total").ecwid == ("" if value is None else str(value))


def test_whitespace_and_letter_case_of_codes_do_not_count_as_changes():
    order = load("awaiting_shipment_two_units")
    ecwid = ecwid_copy(order)
    ecwid["shippingPerson"]["stateOrProvinceCode"] = "ca"
    ecwid["shippingPerson"]["street"] = "1199 Coleman Ave\r\nSuite  100 "
    ecwid["email"] = "V2B2V5@scs.tiktokw.us"
    assert differing(compare_orders(order, ecwid)) == []


def test_an_item_only_in_ecwid_is_highlighted():
    order = load("awaiting_shipment_two_units")
    ecwid = ecwid_copy(order)
    ecwid["items"].append({"name": "Gift box", "sku": "GIFT-BOX", "quantity": 1, "price": 2.0})
    rows = compare_orders(order, ecwid)
    assert differing(rows) == ["GIFT-BOX: name", "GIFT-BOX: quantity", "GIFT-BOX: unit price"]
    assert row(rows, "GIFT-BOX: quantity") == Row("items", "GIFT-BOX: quantity", "", "1", False)


def test_a_status_changed_by_hand_in_ecwid_is_highlighted():
    order = load("in_transit_tracking")
    ecwid = ecwid_copy(order)
    ecwid["fulfillmentStatus"] = "DELIVERED"
    ecwid["trackingNumber"] = ""
    assert differing(compare_orders(order, ecwid)) == ["Fulfillment status", "Tracking number"]


def test_a_tiktok_order_that_moved_on_shows_what_the_ecwid_order_lacks():
    order = load("awaiting_shipment_two_units")
    ecwid = ecwid_copy(order)
    shipped = load("in_transit_tracking")
    order |= {k: shipped[k] for k in ("status", "tracking_number", "shipping_provider")}
    assert differing(compare_orders(order, ecwid)) == ["Fulfillment status", "Tracking number", "Carrier"]


def test_the_profile_rules_decide_the_expected_statuses():
    order = load("in_transit_tracking")
    ecwid = ecwid_copy(order)
    rules = MappingRules(fulfillment_status_map={"IN_TRANSIT": "OUT_FOR_DELIVERY"})
    assert differing(compare_orders(order, ecwid, rules)) == ["Fulfillment status"]


def test_an_unreadable_tiktok_order_is_shown_rather_than_failing():
    order = load("awaiting_shipment_two_units")
    ecwid = ecwid_copy(order)
    order["payment"]["total_amount"] = "abc"
    rows = compare_orders(order, ecwid)
    assert row(rows, "Cannot read the TikTok order") == Row(
        "money",
        "Cannot read the TikTok order",
        "The payment block has total_amount 'abc', which is not an amount.",
        "",
        False,
    )
    assert differing(rows) == ["Cannot read the TikTok order"]


def test_an_on_hold_order_compares_without_an_expected_status():
    order = load("on_hold")
    rows = compare_orders(order, {})
    assert row(rows, "Payment status").tiktok == "TikTok ON_HOLD, not mapped"
    assert not row(rows, "Payment status").same


def test_an_empty_ecwid_order_differs_everywhere_it_should_have_something():
    order = load("awaiting_shipment_two_units")
    rows = compare_orders(order, {})
    same = {r.label for r in rows if r.same}
    # Zero amounts on the TikTok side match an Ecwid order that has none.
    assert same == {"Discount", "Shipping", "Tracking number", "Carrier"}
