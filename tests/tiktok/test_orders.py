"""How the sandbox builds and moves orders: the order object of §3.3, money and statuses."""

from decimal import Decimal

import pytest

from sandbox.tiktok import orders as sandbox_orders
from sandbox.tiktok.orders import OrderError
from tests.tiktok.sandbox_calls import seeded

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    return seeded("http://testserver").shop


def test_a_seller_discount_is_spread_over_the_units_to_the_cent(shop):
    order = sandbox_orders.create_order(shop, {"MUG-12OZ": 3}, seller_discount="1.00", send_webhooks=False)
    discounts = [Decimal(i["seller_discount"]) for i in order.data["line_items"]]
    assert sorted(discounts) == [Decimal("0.33"), Decimal("0.33"), Decimal("0.34")]
    assert [i["sale_price"] for i in order.data["line_items"]] == [
        f"{Decimal('14.50') - d:.2f}" for d in discounts
    ]
    assert order.data["payment"]["sub_total"] == "42.50"


def test_taxes_and_totals_follow_the_documented_formulas(shop):
    order = sandbox_orders.create_order(
        shop, {"BOTTLE-750": 1, "TOTE-CANVAS": 2}, shipping_fee="4.99", tax_rate="0.0825", send_webhooks=False
    )
    pay = order.data["payment"]
    assert pay["original_total_product_price"] == "63.95"
    assert pay["tax"] == pay["product_tax"] == "5.27"  # 2.47 + 1.40 + 1.40, per line, to the cent
    assert pay["total_amount"] == "74.21"  # 63.95 + 4.99 + 5.27


def test_every_unit_is_its_own_line_item_with_its_own_id(shop):
    order = sandbox_orders.create_order(shop, {"TSHIRT-WHT-L": 3}, send_webhooks=False)
    items = order.data["line_items"]
    assert len(items) == 3 and len({i["id"] for i in items}) == 3
    assert {(i["seller_sku"], i["sku_name"], i["product_name"]) for i in items} == {
        ("TSHIRT-WHT-L", "White, L", "Classic T-shirt")
    }


def test_jumping_ahead_fills_the_skipped_steps(shop):
    order = sandbox_orders.create_order(shop, {"CAP-NAVY": 1}, status="UNPAID", send_webhooks=False)
    order = sandbox_orders.set_status(order, "IN_TRANSIT", send_webhooks=False)
    data = order.data
    assert data["paid_time"] and data["rts_time"] and data["collection_time"]
    assert data["shipping_provider"] == "USPS" and data["tracking_number"].startswith("9400")
    assert data["is_on_hold_order"] is True
    assert {i["tracking_number"] for i in data["line_items"]} == {data["tracking_number"]}


def test_update_time_moves_even_within_one_second(shop):
    order = sandbox_orders.create_order(
        shop, {"CAP-NAVY": 1}, status="UNPAID", send_webhooks=False, now=2_000_000_000
    )
    moved = sandbox_orders.set_status(order, "ON_HOLD", send_webhooks=False, now=2_000_000_000)
    assert moved.update_time == 2_000_000_001 and moved.data["update_time"] == 2_000_000_001


def test_a_cancelled_order_says_who_cancelled(shop):
    order = sandbox_orders.create_order(shop, {"CAP-NAVY": 1}, send_webhooks=False)
    data = sandbox_orders.set_status(order, "CANCELLED", send_webhooks=False).data
    assert (data["status"], data["cancellation_initiator"]) == ("CANCELLED", "SELLER")
    assert {i["display_status"] for i in data["line_items"]} == {"CANCELLED"}


@pytest.mark.parametrize(
    ("items", "options", "message"),
    [
        ({}, {}, "at least one product"),
        ({"NOPE": 1}, {}, "No product with seller SKU"),
        ({"MUG-12OZ": 0}, {}, "Quantity"),
        ({"MUG-12OZ": 1}, {"status": "IN_TRANSIT"}, "starts as one of"),
        ({"MUG-12OZ": 1}, {"seller_discount": "15"}, "exceeds"),
        ({"MUG-12OZ": 1}, {"shipping_fee": "1.999"}, "at most 2 decimals"),
        ({"MUG-12OZ": 1}, {"tax_rate": "1.5"}, "Tax rate"),
        ({"MUG-12OZ": 1}, {"buyer": {"age": 3}}, "Unknown buyer field"),
    ],
)
def test_bad_orders_are_refused_with_a_message(shop, items, options, message):
    with pytest.raises(OrderError, match=message):
        sandbox_orders.create_order(shop, items, send_webhooks=False, **options)
