"""The TikTok Shop webhook receiver: verify, dedupe, queue, and answer 200 fast.

tiktok_shop_api.md §6.1: answer HTTP 200 with an empty body within 3 s (401 empty body = signature
rejected); TikTok retries failed deliveries, so a delivery may come more than once — each
`tts_notification_id` is stored once and processed once. The order itself is re-read with Get Order
Detail (§6.2: the webhook's status spelling differs from the API's), so the webhook is a trigger only.
"""

from __future__ import annotations

import json
import logging

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_q.tasks import async_task

from syncapp.models import Connection, WebhookEvent
from syncapp.platforms.tiktok_shop import verify_webhook_signature

log = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def tiktok_webhook(request: HttpRequest) -> HttpResponse:
    raw = request.body
    try:
        payload = json.loads(raw)
    except ValueError:
        payload = None
    shop_id = str(payload.get("shop_id") or "") if isinstance(payload, dict) else ""
    # §6.3: HMAC over app_key + the raw body as received. The signature is checked before anything
    # in the body is trusted: a body that is not even JSON is refused like any bad signature.
    candidates = Connection.objects.filter(platform=Connection.Platform.TIKTOK_SHOP)
    if shop_id:
        candidates = candidates.filter(shop_id=shop_id)
    signature = request.headers.get("Authorization")
    connection = next(
        (c for c in candidates if verify_webhook_signature(raw, signature, c.app_key, c.app_secret)), None
    )
    if connection is None:
        return HttpResponse(status=401)
    if not isinstance(payload, dict):
        return HttpResponse(status=400)

    notification_id = str(payload.get("tts_notification_id") or "")
    if not notification_id:
        return HttpResponse(status=400)
    data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
    try:
        event_type = int(payload.get("type"))
    except (TypeError, ValueError):
        event_type = None
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(
                notification_id=notification_id[:64],
                connection=connection,
                event_type=event_type,
                order_id=str(data.get("order_id") or "")[:64],
                order_status=str(data.get("order_status") or "")[:32],
                payload=payload,
            )
    except IntegrityError:
        return HttpResponse(status=200)  # a repeated delivery: already stored and queued
    try:
        async_task("syncapp.tasks.process_webhook", event.pk, task_name=f"webhook-{event.pk}")
    except Exception:
        # The event is stored; the next scheduled pull picks the order up anyway.
        log.exception("Could not queue webhook event %s", event.pk)
    return HttpResponse(status=200)
