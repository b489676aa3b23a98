"""Exactly once into Ecwid, whatever fails in between: faults, lost answers, killed workers."""

import time
from collections import Counter

import pytest

from sandbox.ecwid.models import Order as EcwidOrder
from sandbox.tiktok import orders as tts_orders
from syncapp.models import SyncRecord
from syncapp.sync import orders
from tests.engine import processes
from tests.engine.conftest import Status, pull, push_until_settled, sales_records

pytestmark = pytest.mark.django_db(transaction=True)


def ecwid_copies_per_order() -> Counter:
    return Counter(EcwidOrder.objects.values_list("external_transaction_id", flat=True))


def assert_exactly_one_copy_each(created):
    copies = ecwid_copies_per_order()
    wanted = {o.order_id for o in created}
    assert set(copies) == wanted, (
        f"missing {len(wanted - set(copies))}, unexpected {len(set(copies) - wanted)}"
    )
    twice = [order_id for order_id, n in copies.items() if n > 1]
    assert not twice, f"{len(twice)} TikTok orders are in Ecwid more than once"


def test_500_orders_through_20_percent_ecwid_faults_make_exactly_500_ecwid_orders(
    profile, shop, faults, settings
):
    settings.PLATFORM_HTTP_TIMEOUT = (2.0, 0.3)  # the client gives up before the injected hang ends
    created = tts_orders.create_orders(
        shop, {"MUG-12OZ": 1, "TSHIRT-BLK-M": 2}, count=500, send_webhooks=False
    )
    pull(profile)
    faults(
        "ecwid",
        error_rate=0.07,
        lost_response_rate=0.08,  # created, but the answer is a 502
        timeout_rate=0.03,
        timeout_seconds=0.5,
        rate_limit=120,  # 429s with Retry-After once the engine outruns 120 calls a second
        rate_window=1.0,
        rate_limit_next=3,
        retry_after=1,
    )

    push_until_settled(profile, rounds=200)

    assert sales_records(profile).filter(status=Status.SUCCESS).count() == 500
    assert EcwidOrder.objects.count() == 500
    assert_exactly_one_copy_each(created)
    unknown = SyncRecord.objects.filter(attempt_rows__outcome="unknown").distinct().count()
    adopted = SyncRecord.objects.filter(attempt_rows__action="search").distinct().count()
    assert unknown > 10 and adopted > 10  # the lost answers really happened and were looked up


def test_an_order_whose_create_answer_was_lost_is_found_not_created_again(profile, shop, faults):
    (order,) = tts_orders.create_orders(shop, {"CAP-NAVY": 1}, count=1, send_webhooks=False)
    pull(profile)
    faults("ecwid", lost_response_next=1, path_contains="/orders")

    push_until_settled(profile)

    record = sales_records(profile).get()
    actions = list(record.attempt_rows.order_by("started_at", "id").values_list("action", "outcome"))
    assert actions == [("create", "unknown"), ("search", "ok")]
    assert record.status == Status.SUCCESS
    assert_exactly_one_copy_each([order])


def test_after_an_unknown_outcome_it_waits_for_the_search_index_before_looking(
    profile, shop, faults, settings
):
    settings.SYNC_ECWID_SEARCH_LAG_SECONDS = 30
    tts_orders.create_orders(shop, {"CAP-NAVY": 1}, count=1, send_webhooks=False)
    pull(profile)
    faults("ecwid", lost_response_next=1, path_contains="/orders")

    orders.push_due(profile)
    orders.push_due(profile)

    record = sales_records(profile).get()
    assert record.status == Status.FAILED and "search index" in record.last_error
    assert record.create_outcome_unknown and not record.destination_id
    assert list(record.attempt_rows.values_list("action", flat=True)) == ["create"]


def test_a_worker_killed_in_the_middle_of_a_run_loses_and_duplicates_nothing(profile, shop, faults):
    created = tts_orders.create_orders(shop, {"BOTTLE-750": 1}, count=80, send_webhooks=False)
    pull(profile)
    faults("ecwid", latency_ms=40)
    records = sales_records(profile)

    worker = processes.start("push", str(profile.pk), SYNC_LEASE_SECONDS="2")
    try:
        processes.wait_for(
            lambda: records.filter(status=Status.SUCCESS).count() >= 10, timeout=60, what="10 pushed"
        )
        # Kill it while it waits for Ecwid's answer to a create: the worst moment.
        processes.wait_for(
            lambda: records.filter(create_outcome_unknown=True, destination_id="").exists(),
            timeout=10,
            what="a create in flight",
        )
    finally:
        processes.kill(worker)
    done_before_restart = records.filter(status=Status.SUCCESS).count()
    assert done_before_restart < 80, "the worker finished before it could be killed"
    assert records.filter(status=Status.IN_PROGRESS).exists()

    time.sleep(2.2)  # the dead worker's lease runs out
    restarted = processes.start("push", str(profile.pk))
    assert restarted.wait(timeout=120) == 0, restarted.stdout.read().decode()

    assert records.filter(status=Status.SUCCESS).count() == 80
    assert_exactly_one_copy_each(created)
