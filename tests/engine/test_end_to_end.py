"""Orders created on the seller side end up, once each, in the Ecwid store, and stay in step."""

from collections import Counter
from decimal import Decimal

import pytest

from sandbox.tiktok import orders as tts_orders
from syncapp import tasks
from syncapp.models import Entity, SyncAttempt, SyncRecord
from syncapp.sync import orders
from tests.engine.conftest import Status, ecwid_copies, make_orders, pull, push_until_settled, sales_records

pytestmark = pytest.mark.django_db(transaction=True)


def run_tasks(profile):
    for entity in (Entity.ORDER_DETAIL, Entity.SALES_ORDER):
        tasks.run_profile_task(profile.tasks.get(entity=entity).pk)


def the_ecwid_copy(order):
    copies = ecwid_copies(order.order_id)
    assert len(copies) == 1, f"TikTok order {order.order_id} has {len(copies)} Ecwid orders"
    return copies[0]


def test_each_new_order_becomes_one_ecwid_order_with_equal_totals_and_quantities(profile, shop):
    created = [
        *make_orders(shop, 1, {"MUG-12OZ": 3}),
        *make_orders(
            shop, 1, {"TSHIRT-BLK-M": 2, "BOTTLE-750": 1}, shipping_fee="5.99", seller_discount="2.50"
        ),
        *make_orders(shop, 1, {"TOTE-CANVAS": 1, "CAP-NAVY": 2, "TSHIRT-WHT-L": 1}, tax_rate="0.0825"),
    ]

    run_tasks(profile)

    for order in created:
        order.refresh_from_db()
        ecwid = the_ecwid_copy(order)
        assert Decimal(str(ecwid["total"])) == Decimal(order.data["payment"]["total_amount"])
        tiktok_quantities = Counter(item["seller_sku"] for item in order.data["line_items"])
        ecwid_quantities = Counter()
        for item in ecwid["items"]:
            ecwid_quantities[item["sku"]] += item["quantity"]
        assert ecwid_quantities == tiktok_quantities
        record = sales_records(profile).get(source_id=order.order_id)
        assert record.status == Status.SUCCESS
        assert record.destination_id == ecwid["id"]
    task = profile.tasks.get(entity=Entity.SALES_ORDER)
    assert task.last_run_ok and "3 success" in task.last_outcome


def test_variation_skus_are_linked_to_their_ecwid_combination(profile, shop):
    (order,) = make_orders(shop, 1, {"TSHIRT-BLK-M": 1})

    run_tasks(profile)

    (item,) = the_ecwid_copy(order)["items"]
    assert item["productId"] and item["combinationId"]


def test_status_updates_reach_the_existing_ecwid_order(profile, shop):
    shipped, cancelled = make_orders(shop, 2)
    run_tasks(profile)

    tts_orders.set_status(shipped, "AWAITING_COLLECTION", shipping_provider="UPS", tracking_number="1Z999AA1")
    tts_orders.set_status(shipped, "IN_TRANSIT", send_webhooks=False)
    tts_orders.set_status(cancelled, "CANCELLED", send_webhooks=False)
    run_tasks(profile)

    ecwid = the_ecwid_copy(shipped)
    assert (ecwid["paymentStatus"], ecwid["fulfillmentStatus"]) == ("PAID", "SHIPPED")
    assert ecwid["trackingNumber"] == "1Z999AA1"
    assert ecwid["shippingOption"]["shippingCarrierName"] == "UPS"
    ecwid = the_ecwid_copy(cancelled)
    assert (ecwid["paymentStatus"], ecwid["fulfillmentStatus"]) == ("CANCELLED", "WILL_NOT_DELIVER")

    tts_orders.set_status(shipped, "DELIVERED", send_webhooks=False)
    run_tasks(profile)

    assert the_ecwid_copy(shipped)["fulfillmentStatus"] == "DELIVERED"
    record = sales_records(profile).get(source_id=shipped.order_id)
    actions = list(record.attempt_rows.order_by("started_at", "id").values_list("action", flat=True))
    assert actions == ["create", "update", "update"]


def test_the_steady_state_costs_one_ecwid_call_per_new_order(profile, shop):
    make_orders(shop, 1, {"MUG-12OZ": 1, "CAP-NAVY": 1})
    run_tasks(profile)  # warms the SKU cache
    created = make_orders(shop, 20, {"MUG-12OZ": 1, "CAP-NAVY": 1})

    run_tasks(profile)

    attempts = SyncAttempt.objects.filter(record__source_id__in=[o.order_id for o in created])
    assert attempts.count() == 20
    assert set(attempts.values_list("action", flat=True)) == {"create"}


def test_an_unchanged_order_costs_nothing_more(profile, shop):
    make_orders(shop, 5)
    run_tasks(profile)
    attempts_before = SyncAttempt.objects.count()

    result = pull(profile, since=0)
    tasks.run_profile_task(profile.tasks.get(entity=Entity.SALES_ORDER).pk)

    assert (result.seen, result.unchanged, result.queued) == (5, 5, 0)
    assert SyncAttempt.objects.count() == attempts_before


def test_unpaid_orders_are_skipped_and_on_hold_orders_wait_until_released(profile, shop):
    (unpaid,) = make_orders(shop, 1, status="UNPAID")
    (on_hold,) = make_orders(shop, 1, status="ON_HOLD")

    run_tasks(profile)

    assert sales_records(profile).get(source_id=unpaid.order_id).last_error.startswith("Skip: unpaid")
    waiting = sales_records(profile).get(source_id=on_hold.order_id)
    assert (waiting.status, waiting.last_error) == (Status.SKIPPED, "Wait: on hold until TikTok releases it.")
    assert ecwid_copies(on_hold.order_id) == []

    tts_orders.set_status(on_hold, "AWAITING_SHIPMENT", send_webhooks=False)
    run_tasks(profile)

    assert the_ecwid_copy(on_hold)["fulfillmentStatus"] == "AWAITING_PROCESSING"
    assert ecwid_copies(unpaid.order_id) == []


def test_the_pull_keeps_the_full_payload_under_the_tiktok_id(profile, shop):
    (order,) = make_orders(shop, 1)

    result = pull(profile)

    assert (result.new, result.queued) == (1, 1)
    detail = SyncRecord.objects.get(profile=profile, entity=Entity.ORDER_DETAIL, source_id=order.order_id)
    assert detail.status == Status.SUCCESS
    assert detail.source_payload["payment"]["total_amount"] == order.data["payment"]["total_amount"]
    assert detail.source_updated_at == order.update_time
    assert profile.tasks.get(entity=Entity.ORDER_DETAIL).cursor is not None


def test_a_second_pull_window_overlaps_the_first_and_adds_no_rows(profile, shop):
    make_orders(shop, 3)
    pull(profile)
    make_orders(shop, 2)

    result = pull(profile)

    assert (result.new, result.unchanged) == (2, 3)
    assert SyncRecord.objects.filter(profile=profile, entity=Entity.ORDER_DETAIL).count() == 5


def test_resync_pushes_a_record_again_and_says_who_asked(profile, shop, admin_user):
    (order,) = make_orders(shop, 1)
    run_tasks(profile)
    record = sales_records(profile).get(source_id=order.order_id)

    orders.request_resync(SyncRecord.objects.filter(pk=record.pk), user=admin_user)
    push_until_settled(profile)

    record.refresh_from_db()
    assert record.resync_requested_by == admin_user and record.resync_requested_at
    assert record.status == Status.SUCCESS
    assert list(record.attempt_rows.values_list("action", flat=True)) == ["update", "create"]
    assert len(ecwid_copies(order.order_id)) == 1


def test_a_pull_out_of_time_goes_on_where_it_stopped(profile, shop):
    make_orders(shop, 3)

    first = pull(profile, budget_seconds=0)
    second = pull(profile)

    assert (first.seen, first.partial) == (1, True)
    assert "next one goes on from here" in first.summary()
    assert (second.new, second.unchanged) == (2, 1)
