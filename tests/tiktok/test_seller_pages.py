"""The Seller Center pages and the JSON endpoints for tests and benchmarks."""

import json

import pytest
from django.urls import reverse

from sandbox.tiktok import orders as sandbox_orders
from sandbox.tiktok.models import App, Order, Shop, Sku
from sandbox.tiktok.seed import seed
from tests.tiktok.sandbox_calls import seeded

pytestmark = pytest.mark.django_db

SELLER = reverse("sandbox:tiktok:seller")
CREATE = reverse("sandbox:tiktok:seller-create-order")
ORDERS_JSON = reverse("sandbox:tiktok:seller-orders-json")


@pytest.fixture
def shop_page(db):
    return seeded("http://testserver")


def form_data(**changes):
    data = {
        "product_1": "TSHIRT-BLK-M",
        "quantity_1": "2",
        "product_2": "MUG-12OZ",
        "quantity_2": "1",
        "product_3": "",
        "quantity_3": "",
        "buyer_name": "Jane Doe",
        "buyer_email": "",
        "phone": "(+1)213-555-1234",
        "address_line1": "1199 Coleman Ave",
        "address_line2": "Suite 100",
        "city": "San Jose",
        "state": "California",
        "postal_code": "95110",
        "shipping_fee": "5.99",
        "seller_discount": "0",
        "tax_rate": "0",
        "status": "AWAITING_SHIPMENT",
    }
    data.update(changes)
    return data


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_seller_page_lists_products_with_stock_and_the_order_form(client, shop_page):
    page = client.get(SELLER)
    assert page.status_code == 200
    text = page.content.decode()
    for sku in ("TSHIRT-BLK-M", "TSHIRT-WHT-L", "MUG-12OZ", "CAP-NAVY", "BOTTLE-750", "TOTE-CANVAS"):
        assert sku in text
    assert "Create test order" in text and "No orders yet" in text


def test_the_seller_page_without_a_seed_asks_for_one(client, db):
    assert "sandbox_seed" in client.get(SELLER).content.decode()


def test_a_test_order_is_created_from_the_form(client, shop_page):
    response = client.post(CREATE, form_data(), follow=True)
    order = Order.objects.get()
    assert order.status == "AWAITING_SHIPMENT"
    assert sandbox_orders.line_summary(order) == "2 × TSHIRT-BLK-M, 1 × MUG-12OZ"
    assert order.data["payment"]["total_amount"] == "60.47"
    assert messages_of(response) == [
        f"Test order {order.order_id} created (AWAITING_SHIPMENT, total $60.47)."
    ]
    assert order.order_id in response.content.decode()
    assert len(order.order_id) == 18 and order.order_id.isdigit()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"product_1": "", "product_2": ""}, "Product 1: This field is required."),
        ({"seller_discount": "999"}, "exceeds the products' total"),
        ({"shipping_fee": "abc"}, "Shipping fee: Enter a number."),
        ({"product_2": "TSHIRT-BLK-M"}, "Each product may be picked once"),
        ({"quantity_1": "0"}, "Qty: Ensure this value is greater than or equal to 1."),
        ({"product_1": "NOT-A-SKU"}, "Select a valid choice"),
        ({"status": "COMPLETED"}, "Select a valid choice"),
        ({"buyer_email": "not-an-email"}, "Enter a valid email address."),
    ],
)
def test_a_bad_order_form_is_a_message_not_a_500(client, shop_page, changes, expected):
    response = client.post(CREATE, form_data(**changes), follow=True)
    assert response.status_code == 200
    assert any(expected in m for m in messages_of(response)), messages_of(response)
    assert not Order.objects.exists()


def test_an_inactive_product_cannot_be_ordered(client, shop_page):
    Sku.objects.get(seller_sku="MUG-12OZ").product.__class__.objects.filter(
        skus__seller_sku="MUG-12OZ"
    ).update(status="SELLER_DEACTIVATED")
    response = client.post(CREATE, form_data(), follow=True)
    assert any("not active" in m for m in messages_of(response))


def test_the_buttons_move_an_order_through_every_status(client, shop_page):
    order = sandbox_orders.create_order(shop_page.shop, {"CAP-NAVY": 1}, status="UNPAID", send_webhooks=False)
    url = reverse("sandbox:tiktok:seller-order-status", args=[order.order_id])
    stamps = [order.update_time]
    for status in sandbox_orders.FLOW[1:]:
        assert [
            s for s in sandbox_orders.next_statuses(Order.objects.get(pk=order.pk)) if s != "CANCELLED"
        ] == [status]
        extra = {"shipping_provider": "UPS", "tracking_number": "1Z999AA10123456784"}
        response = client.post(url, {"status": status, **extra}, follow=True)
        assert messages_of(response) == [f"Order {order.order_id} is now {status}."]
        stamps.append(Order.objects.get(pk=order.pk).update_time)
    assert stamps == sorted(set(stamps))  # update_time strictly increases
    data = Order.objects.get(pk=order.pk).data
    assert (data["status"], data["tracking_number"], data["shipping_provider"]) == (
        "COMPLETED",
        "1Z999AA10123456784",
        "UPS",
    )
    assert data["rts_time"] and data["collection_time"] and data["delivery_time"]
    assert {i["package_status"] for i in data["line_items"]} == {"COMPLETED"}
    assert sandbox_orders.next_statuses(Order.objects.get(pk=order.pk)) == []


@pytest.mark.parametrize(
    ("start", "post", "expected"),
    [
        ("AWAITING_SHIPMENT", {"status": "AWAITING_COLLECTION"}, "Shipping needs a carrier."),
        ("AWAITING_SHIPMENT", {"status": "UNPAID"}, "it cannot move to UNPAID"),
        ("AWAITING_SHIPMENT", {"status": "SHIPPED"}, "Select a valid choice"),
        ("IN_TRANSIT", {"status": "CANCELLED"}, "can be cancelled"),
    ],
)
def test_a_refused_status_change_is_a_message(client, shop_page, start, post, expected):
    order = sandbox_orders.create_order(shop_page.shop, {"CAP-NAVY": 1}, send_webhooks=False)
    if start != "AWAITING_SHIPMENT":
        sandbox_orders.set_status(order, start, send_webhooks=False)
    url = reverse("sandbox:tiktok:seller-order-status", args=[order.order_id])
    response = client.post(url, post, follow=True)
    assert response.status_code == 200
    assert any(expected in m for m in messages_of(response)), messages_of(response)
    assert Order.objects.get(pk=order.pk).status == start


def test_an_unknown_order_is_a_message(client, shop_page):
    url = reverse("sandbox:tiktok:seller-order-status", args=["123"])
    assert messages_of(client.post(url, {"status": "CANCELLED"}, follow=True)) == ["No order 123."]
    response = client.get(reverse("sandbox:tiktok:seller-order", args=["123"]), follow=True)
    assert messages_of(response) == ["No order 123."]


def test_the_order_page_shows_the_json_and_the_deliveries(client, shop_page):
    order = sandbox_orders.create_order(shop_page.shop, {"CAP-NAVY": 1}, send_webhooks=False)
    page = client.get(reverse("sandbox:tiktok:seller-order", args=[order.order_id]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Webhook deliveries" in text and "&quot;seller_sku&quot;: &quot;CAP-NAVY&quot;" in text


def test_orders_json_creates_orders_in_bulk(client, shop_page):
    body = {"count": 3, "status": "ON_HOLD", "skus": {"MUG-12OZ": 2}, "send_webhooks": False}
    response = client.post(ORDERS_JSON, json.dumps(body), content_type="application/json")
    assert response.status_code == 201
    ids = response.json()["order_ids"]
    assert len(ids) == 3 and set(Order.objects.values_list("status", flat=True)) == {"ON_HOLD"}
    assert all(len(Order.objects.get(order_id=i).data["line_items"]) == 2 for i in ids)


def test_orders_json_merges_overrides_for_malformed_orders(client, shop_page):
    body = {"skus": {"MUG-12OZ": 1}, "overrides": {"payment": {"total_amount": "oops"}, "buyer_email": None}}
    order_id = client.post(ORDERS_JSON, json.dumps(body), content_type="application/json").json()[
        "order_ids"
    ][0]
    data = Order.objects.get(order_id=order_id).data
    assert data["payment"]["total_amount"] == "oops" and data["payment"]["sub_total"] == "14.50"
    assert data["buyer_email"] is None


@pytest.mark.parametrize(
    "body",
    [
        b"{nope",
        b"[]",
        json.dumps({"skus": {"NOPE": 1}}).encode(),
        json.dumps({"count": "many"}).encode(),
        json.dumps({"count": 0}).encode(),
        json.dumps({"status": "DELIVERED"}).encode(),
        json.dumps({"skus": ["MUG-12OZ"]}).encode(),
        json.dumps({"colour": "red"}).encode(),
        json.dumps({"buyer": {"nickname": "x"}}).encode(),
        json.dumps({"shipping_fee": "-1"}).encode(),
    ],
)
def test_orders_json_refuses_bad_input_with_a_message(client, shop_page, body):
    response = client.post(ORDERS_JSON, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]
    assert not Order.objects.exists()


def test_status_json_moves_an_order_and_refuses_nonsense(client, shop_page):
    order = sandbox_orders.create_order(shop_page.shop, {"MUG-12OZ": 1}, send_webhooks=False)
    url = reverse("sandbox:tiktok:seller-order-status-json", args=[order.order_id])
    body = {"status": "IN_TRANSIT", "tracking_number": "TRK-1", "shipping_provider": "USPS"}
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.json()["status"] == "IN_TRANSIT"
    assert Order.objects.get(pk=order.pk).data["tracking_number"] == "TRK-1"
    assert (
        client.post(url, json.dumps({"status": "UNPAID"}), content_type="application/json").status_code == 400
    )
    missing = reverse("sandbox:tiktok:seller-order-status-json", args=["1"])
    assert client.post(missing, b"{}", content_type="application/json").status_code == 400


def test_the_seed_is_idempotent_and_follows_the_portal_url(db):
    first = seed("http://127.0.0.1:8000")
    second = seed("http://portal.example:9000/")
    assert first["app_secret"] == second["app_secret"] and len(first["app_secret"]) >= 32
    assert (App.objects.count(), Shop.objects.count(), Sku.objects.count()) == (1, 1, 6)
    app = App.objects.get()
    assert app.redirect_url == "http://portal.example:9000/oauth/tiktok_shop/callback/"
    assert app.webhook_url == "http://portal.example:9000/webhooks/tiktok/"
    assert second == {
        "name": "[Acme US] TikTok Shop (sandbox)",
        "platform": "tiktok_shop",
        "api_base_url": "http://portal.example:9000/sandbox/tiktok/open-api",
        "auth_base_url": "http://portal.example:9000/sandbox/tiktok/auth",
        "authorize_url": f"http://portal.example:9000/sandbox/tiktok/services/open/authorize?service_id={app.service_id}",
        "app_key": "sandbox-tts-app",
        "app_secret": app.app_secret,
    }
