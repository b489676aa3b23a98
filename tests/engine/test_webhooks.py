"""The TikTok webhook receiver: the spec's signature, refusals, dedupe, and the order pushed at once."""

import json

import pytest
from django_q.models import Schedule

from sandbox.tiktok import models as tts_models
from sandbox.tiktok import webhooks as tts_webhooks
from syncapp import tasks
from syncapp.models import Connection, WebhookEvent
from tests.engine.conftest import Status, ecwid_copies, make_orders, pull, sales_records

# tiktok_shop_api.md §6.3: the vector attributed to the official webhooks overview.
VECTOR_BODY = (
    b'{"type":1,"tts_notification_id":"7380066284010030890","shop_id":"7495540735365777507",'
    b'"timestamp":1718305585,"data":{"is_on_hold_order":true,"order_id":"576653688135258178",'
    b'"order_status":"UNPAID","update_time":1718305585}}'
)
VECTOR_SIGNATURE = "5dec0f11ec2f6783b8deee53c9ffbf8d024302f7c7e7fa55a35d17629031ac05"


@pytest.fixture
def vector_connection(db):
    return Connection.objects.create(
        name="Vector shop",
        platform=Connection.Platform.TIKTOK_SHOP,
        api_base_url="https://open-api.tiktokglobalshop.com",
        auth_base_url="https://auth.tiktok-shops.com",
        app_key="abcdef",
        app_secret="123",
        shop_id="7495540735365777507",
    )


def post(client, body: bytes, signature: str | None):
    headers = {"HTTP_AUTHORIZATION": signature} if signature is not None else {}
    return client.post("/webhooks/tiktok/", data=body, content_type="application/json", **headers)


def test_it_accepts_the_specs_vector(client, vector_connection):
    response = post(client, VECTOR_BODY, VECTOR_SIGNATURE)

    assert response.status_code == 200 and response.content == b""
    event = WebhookEvent.objects.get()
    assert (event.notification_id, event.order_id, event.order_status) == (
        "7380066284010030890",
        "576653688135258178",
        "UNPAID",
    )
    assert event.connection == vector_connection


@pytest.mark.parametrize("position", [0, 10, len(VECTOR_BODY) // 2, len(VECTOR_BODY) - 2])
def test_it_refuses_a_changed_byte_and_stores_nothing(client, vector_connection, position):
    body = bytearray(VECTOR_BODY)
    body[position] = ord("X") if body[position] != ord("X") else ord("Y")

    response = post(client, bytes(body), VECTOR_SIGNATURE)

    assert response.status_code == 401 and response.content == b""
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize("signature", [None, "", "Bearer " + VECTOR_SIGNATURE, VECTOR_SIGNATURE[:-1] + "0"])
def test_it_refuses_a_missing_or_wrong_signature(client, vector_connection, signature):
    assert post(client, VECTOR_BODY, signature).status_code == 401
    assert not WebhookEvent.objects.exists()


def test_it_refuses_an_unknown_shop(client, vector_connection):
    vector_connection.shop_id = "1"
    vector_connection.save()

    assert post(client, VECTOR_BODY, VECTOR_SIGNATURE).status_code == 401


def test_it_refuses_a_body_that_is_not_json_and_answers_only_post(client, vector_connection):
    assert post(client, b"not json", VECTOR_SIGNATURE).status_code == 401
    assert client.get("/webhooks/tiktok/").status_code == 405


def test_a_repeated_delivery_is_stored_once(client, vector_connection):
    for _ in range(3):
        assert post(client, VECTOR_BODY, VECTOR_SIGNATURE).status_code == 200

    assert WebhookEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_seller_side_order_reaches_ecwid_through_the_webhook_once(profile, shop):
    (order,) = make_orders(shop, 1, send_webhooks=True)  # the sandbox POSTs the signed webhook to us
    event = WebhookEvent.objects.get(order_id=order.order_id)
    app = tts_models.App.objects.get(app_key=profile.source.app_key)
    repeat = tts_webhooks.deliver(app, event.payload, order=order)  # TikTok delivers it again

    assert repeat.status_code == 200
    assert WebhookEvent.objects.filter(order_id=order.order_id).count() == 1
    outcome = tasks.process_webhook(event.pk)
    assert tasks.process_webhook(event.pk) == "Already processed."

    assert "success" in outcome
    (copy,) = ecwid_copies(order.order_id)
    record = sales_records(profile).get(source_id=order.order_id)
    assert (record.status, record.destination_id) == (Status.SUCCESS, copy["id"])


@pytest.mark.django_db(transaction=True)
def test_a_webhook_for_an_unpaid_order_changes_nothing_in_ecwid(profile, shop):
    (order,) = make_orders(shop, 1, status="UNPAID", send_webhooks=True)
    event = WebhookEvent.objects.get(order_id=order.order_id)

    tasks.process_webhook(event.pk)

    assert ecwid_copies(order.order_id) == []
    assert sales_records(profile).get(source_id=order.order_id).status == Status.SKIPPED
    assert json.loads(json.dumps(event.payload))["data"]["order_status"] == "UNPAID"


@pytest.mark.django_db(transaction=True)
def test_a_webhook_pushes_an_order_that_a_poll_stored_first(profile, shop):
    (order,) = make_orders(shop, 1, send_webhooks=True)
    pull(profile)  # the scheduled poll got there before the webhook was processed

    tasks.process_webhook(WebhookEvent.objects.get(order_id=order.order_id).pk)

    assert len(ecwid_copies(order.order_id)) == 1


@pytest.mark.django_db(transaction=True)
def test_an_order_tiktok_could_not_give_is_read_again_soon_not_at_the_next_poll(profile, shop, faults):
    (order,) = make_orders(shop, 1, send_webhooks=True)
    event = WebhookEvent.objects.get(order_id=order.order_id)
    faults("tiktok", error_next=10, path_contains="/order/")  # TikTok's order API has an outage

    outcome = tasks.process_webhook(event.pk)

    event.refresh_from_db()
    assert "could not read the order" in outcome and event.processed_at is None and event.read_retries == 1
    retry = Schedule.objects.get(name=f"webhook-{event.pk}-retry-1")
    assert (retry.func, retry.args, retry.schedule_type) == (
        "syncapp.tasks.process_webhook",
        repr((event.pk,)),
        Schedule.ONCE,
    )
    assert ecwid_copies(order.order_id) == []

    faults("tiktok", error_next=0)  # the outage is over when the retry runs
    assert "success" in tasks.process_webhook(event.pk)
    event.refresh_from_db()
    assert event.processed_at is not None
    assert len(ecwid_copies(order.order_id)) == 1
