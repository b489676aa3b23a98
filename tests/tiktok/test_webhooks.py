"""The seller's status changes reach authorized apps as signed ORDER_STATUS_CHANGE webhooks (§6)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
import requests
from django.test import Client
from django.urls import reverse

from sandbox.tiktok import orders as sandbox_orders
from sandbox.tiktok.models import WebhookDelivery
from syncapp.platforms.tiktok_shop import verify_webhook_signature

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver():
    """A tiny portal stand-in that records every POST and answers `status`."""
    received, settings = [], {"status": 200}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received.append(SimpleNamespace(path=self.path, headers=dict(self.headers), body=body))
            self.send_response(settings["status"])
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(
        url=f"http://127.0.0.1:{server.server_port}/webhooks/tiktok/", received=received, settings=settings
    )
    server.shutdown()
    server.server_close()


@pytest.fixture
def listening_app(tts, receiver, token):
    """Our app, authorized for the shop (`token`), with its webhook URL pointing at the receiver."""
    tts.app.webhook_url = receiver.url
    tts.app.save()
    return tts.app


def test_a_new_order_and_each_status_change_post_a_signed_webhook(tts, receiver, listening_app):
    order = sandbox_orders.create_order(tts.shop, {"MUG-12OZ": 1}, status="UNPAID")
    response = requests.post(
        f"{tts.base}/seller/orders/{order.order_id}/status.json", json={"status": "ON_HOLD"}, timeout=10
    )
    assert response.status_code == 200
    assert [json.loads(r.body)["data"]["order_status"] for r in receiver.received] == ["UNPAID", "ON_HOLD"]
    for hit in receiver.received:
        assert hit.path == "/webhooks/tiktok/"
        assert verify_webhook_signature(
            hit.body, hit.headers["Authorization"], tts.app.app_key, tts.app.app_secret
        )
    payload = json.loads(receiver.received[-1].body)
    assert payload["type"] == 1 and payload["shop_id"] == tts.shop.shop_id
    assert payload["data"] == {
        "order_id": order.order_id,
        "order_status": "ON_HOLD",
        "is_on_hold_order": True,
        "update_time": response.json()["update_time"],
    }
    assert len({json.loads(r.body)["tts_notification_id"] for r in receiver.received}) == 2
    deliveries = WebhookDelivery.objects.filter(order=order)
    assert [(d.status_code, d.error, d.target) for d in deliveries] == [(200, "", receiver.url)] * 2


def test_a_cancellation_uses_the_webhook_spelling(tts, receiver, listening_app):
    order = sandbox_orders.create_order(tts.shop, {"MUG-12OZ": 1}, send_webhooks=False)
    sandbox_orders.set_status(order, "CANCELLED")
    assert json.loads(receiver.received[-1].body)["data"]["order_status"] == "CANCEL"  # §6.2 CONFLICT


def test_apps_without_an_authorization_get_nothing(tts, receiver):
    tts.app.webhook_url = receiver.url
    tts.app.save()
    sandbox_orders.create_order(tts.shop, {"MUG-12OZ": 1})
    assert receiver.received == [] and not WebhookDelivery.objects.exists()


def test_a_receiver_that_refuses_is_recorded(tts, receiver, listening_app):
    receiver.settings["status"] = 401
    order = sandbox_orders.create_order(tts.shop, {"MUG-12OZ": 1})
    delivery = WebhookDelivery.objects.get(order=order)
    assert (delivery.status_code, delivery.ok) == (401, False)
    assert "HTTP 401" in delivery.error


def test_a_down_portal_does_not_break_the_seller_page(tts, token):
    tts.app.webhook_url = "http://127.0.0.1:9/webhooks/tiktok/"  # nothing listens there
    tts.app.save()
    order = sandbox_orders.create_order(tts.shop, {"CAP-NAVY": 1}, send_webhooks=False)
    page = Client().post(
        reverse("sandbox:tiktok:seller-order-status", args=[order.order_id]),
        {"status": "AWAITING_COLLECTION", "shipping_provider": "UPS", "tracking_number": "1Z999"},
        follow=True,
    )
    assert page.status_code == 200
    assert f"Order {order.order_id} is now AWAITING_COLLECTION." in page.content.decode()
    delivery = WebhookDelivery.objects.get(order=order)
    assert delivery.status_code is None and "ConnectionError" in delivery.error
    detail = Client().get(reverse("sandbox:tiktok:seller-order", args=[order.order_id]))
    assert "failed" in detail.content.decode()
