"""Signed webhook pushes to the apps a shop has authorized (§6 of the API spec).

Delivery happens after the order's transaction commits (the receiver may read the order back at
once) with a 3 s timeout, like TikTok's ack window (§6.1). Every outcome is a WebhookDelivery row;
a receiver that is down or slow never breaks the page that triggered it.
"""

import json
import logging
import time

import requests
from django.db import transaction
from django.utils import timezone

from sandbox.tiktok import signing
from sandbox.tiktok.models import App, Order, WebhookDelivery, random_digits

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 3.0
ORDER_STATUS_CHANGE = 1  # §6.2 type numbers

# §6.2 CONFLICT: the webhook page spells the cancelled status `CANCEL` while the Order API says
# `CANCELLED`. We send the webhook page's spelling so receivers learn to accept both.
WEBHOOK_STATUS_NAMES = {"CANCELLED": "CANCEL"}


def authorized_apps(shop) -> list[App]:
    """Apps holding a live authorization for this shop, with a webhook URL."""
    now = timezone.now()
    return list(
        App.objects.filter(
            tokens__shop=shop, tokens__revoked_at__isnull=True, tokens__refresh_expires_at__gt=now
        )
        .exclude(webhook_url="")
        .distinct()
    )


def order_status_payload(order: Order) -> dict:
    return {
        "type": ORDER_STATUS_CHANGE,
        "tts_notification_id": random_digits(19),
        "shop_id": order.shop.shop_id,
        "timestamp": int(time.time()),
        "data": {
            "order_id": order.order_id,
            "order_status": WEBHOOK_STATUS_NAMES.get(order.status, order.status),
            "is_on_hold_order": bool(order.data.get("is_on_hold_order")),
            "update_time": order.update_time,
        },
    }


def deliver(app: App, payload: dict, *, order: Order | None = None, event_type: str = "") -> WebhookDelivery:
    """POST one payload to one app; record what happened. Never raises."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    delivery = WebhookDelivery(
        app=app,
        order=order,
        event_type=event_type or "ORDER_STATUS_CHANGE",
        target=app.webhook_url,
        payload=body.decode(),
    )
    started = time.monotonic()
    try:
        response = requests.post(
            app.webhook_url,
            data=body,
            headers={
                "Content-Type": "application/json",
                "Authorization": signing.webhook_signature(app.app_key, app.app_secret, body),
                "User-Agent": "TikTokShop-Webhook (sandbox)",
            },
            timeout=TIMEOUT_SECONDS,
        )
        delivery.status_code = response.status_code
        if response.status_code != 200:
            delivery.error = f"HTTP {response.status_code}: {response.text[:200]}"
    except requests.RequestException as exc:
        delivery.error = f"{type(exc).__name__}: could not deliver to {app.webhook_url}"
    except Exception as exc:  # a bad URL in the sandbox settings must not break the seller's page
        delivery.error = f"{type(exc).__name__}: {exc}"[:500]
    delivery.duration_ms = int((time.monotonic() - started) * 1000)
    try:
        delivery.save()
    except Exception:
        log.exception("Could not record a webhook delivery to %s", app.webhook_url)
    return delivery


def notify_order_status(order: Order) -> list[WebhookDelivery]:
    """ORDER_STATUS_CHANGE to every authorized app, now (call after the order is committed)."""
    return [
        deliver(app, order_status_payload(order), order=order, event_type="ORDER_STATUS_CHANGE")
        for app in authorized_apps(order.shop)
    ]


def notify_order_status_on_commit(order: Order) -> None:
    """Push the order's current status once the transaction commits (at once when none is open).

    The payload is built now, so two quick changes send two distinct statuses.
    """
    payloads = [(app, order_status_payload(order)) for app in authorized_apps(order.shop)]

    def push():
        for app, payload in payloads:
            deliver(app, payload, order=order, event_type="ORDER_STATUS_CHANGE")

    if payloads:
        transaction.on_commit(push, robust=True)
