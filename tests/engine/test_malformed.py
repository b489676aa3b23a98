"""Orders that cannot be mapped each end as a readable "needs attention" row; the others sync."""

import pytest

from syncapp import tasks
from syncapp.models import Entity, Profile, SyncRecord
from tests.engine.conftest import Status, ecwid_copies, make_orders, sales_records

pytestmark = pytest.mark.django_db(transaction=True)


def spoil(order, change):
    """Edit the order's JSON on the seller side (what a buggy or surprising payload looks like)."""
    data = order.data
    change(data)
    order.data = data
    order.save(update_fields=["data"])


def run_tasks(profile):
    for entity in (Entity.ORDER_DETAIL, Entity.SALES_ORDER):
        tasks.run_profile_task(profile.tasks.get(entity=entity).pk)


def test_each_malformed_order_needs_attention_while_the_others_sync(profile, shop):
    Profile.objects.filter(pk=profile.pk).update(unknown_sku=Profile.UnknownSku.NEEDS_ATTENTION)
    good_before = make_orders(shop, 2)
    bad_money, unknown_sku, no_items, no_payment, bad_time = make_orders(shop, 5)
    good_after = make_orders(shop, 2)
    spoil(bad_money, lambda d: d["payment"].update(total_amount="12,50 USD"))
    spoil(unknown_sku, lambda d: d["line_items"][0].update(seller_sku="GHOST-404"))
    spoil(no_items, lambda d: d.update(line_items=[]))
    spoil(no_payment, lambda d: d.pop("payment"))
    spoil(bad_time, lambda d: d.update(update_time="soon"))

    run_tasks(profile)

    for order in good_before + good_after:
        assert len(ecwid_copies(order.order_id)) == 1
        assert sales_records(profile).get(source_id=order.order_id).status == Status.SUCCESS
    for order, words in [
        (bad_money, "12,50 USD"),
        (unknown_sku, "GHOST-404"),
        (no_items, "line item"),
        (no_payment, "payment"),
    ]:
        record = sales_records(profile).get(source_id=order.order_id)
        assert record.status == Status.NEEDS_ATTENTION, record.last_error
        assert words.lower() in record.last_error.lower()
        assert record.error_kind == "mapping"
        assert ecwid_copies(order.order_id) == []
    detail = SyncRecord.objects.get(profile=profile, entity=Entity.ORDER_DETAIL, source_id=bad_time.order_id)
    assert detail.status == Status.NEEDS_ATTENTION
    assert "update_time 'soon' is not a Unix time" in detail.last_error
    assert ecwid_copies(bad_time.order_id) == []


def test_an_unknown_sku_becomes_a_text_line_when_the_profile_says_so(profile, shop):
    (order,) = make_orders(shop, 1, {"MUG-12OZ": 1, "CAP-NAVY": 1})
    spoil(order, lambda d: d["line_items"][0].update(seller_sku="GHOST-404"))

    run_tasks(profile)

    (copy,) = ecwid_copies(order.order_id)
    ghost = next(item for item in copy["items"] if item["sku"] == "GHOST-404")
    assert "productId" not in ghost
