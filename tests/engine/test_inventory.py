"""Inventory: Ecwid stock reaches TikTok Shop, one record per seller SKU, over the sandboxes (live server).

Both sandboxes are seeded with the same catalogue, 100 of each in stock: MUG-12OZ, CAP-NAVY, BOTTLE-750,
TOTE-CANVAS, and the T-shirt (one TikTok product with SKUs TSHIRT-BLK-M and TSHIRT-WHT-L; in Ecwid a
product "TSHIRT" with those two variations). TikTok has one warehouse, the default.
"""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule

from sandbox.ecwid import store as ecwid_store
from sandbox.ecwid.models import Product as EcwidProduct
from sandbox.tiktok import models as tts_models
from syncapp import tasks
from syncapp.models import Connection, Entity, SyncAttempt, SyncRecord
from syncapp.sync import inventory
from syncapp.sync.inventory import EcwidItem, TikTokSku
from tests.engine.conftest import Status, make_orders

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def stock_task(profile, settings):
    """The profile's inventory task, switched on (it starts off)."""
    settings.SYNC_TIKTOK_CALLS_PER_SECOND = 0
    task = profile.tasks.get(entity=Entity.INVENTORY)
    task.enabled = True
    task.save()
    return task


def run(task) -> str:
    return tasks.run_profile_task(task.pk)


def tiktok_stock(seller_sku: str) -> dict[str, int]:
    sku = tts_models.Sku.objects.get(seller_sku=seller_sku)
    return {s.warehouse.warehouse_id: s.quantity for s in sku.stock.select_related("warehouse")}


def tiktok_total(seller_sku: str) -> int:
    return sum(tiktok_stock(seller_sku).values())


def records(profile) -> dict[str, SyncRecord]:
    return {r.source_id: r for r in SyncRecord.objects.filter(profile=profile, entity=Entity.INVENTORY)}


def updates(record: SyncRecord) -> list[SyncAttempt]:
    return list(record.attempt_rows.filter(action="update_inventory"))


def add_warehouse(shop, name: str, *, enabled: bool = True) -> tts_models.Warehouse:
    return tts_models.Warehouse.objects.create(
        shop=shop,
        name=name,
        warehouse_id=tts_models.random_digits(19),
        effect_status="ENABLED" if enabled else "DISABLED",
    )


def stock_in(warehouse, seller_sku: str, quantity: int) -> None:
    tts_models.Stock.objects.create(
        sku=tts_models.Sku.objects.get(seller_sku=seller_sku), warehouse=warehouse, quantity=quantity
    )


# ---------------------------------------------------------------------------------------------------
# Stock reaches TikTok Shop


def test_changed_ecwid_stock_reaches_tiktok_with_one_call_per_product(profile, stock_task):
    ecwid_store.set_stock("MUG-12OZ", 7)
    ecwid_store.set_stock("TSHIRT-BLK-M", 3)
    ecwid_store.set_stock("TSHIRT-WHT-L", 0)  # sold out: sent as 0 (§7.1 CONFLICT, tolerated)

    outcome = run(stock_task)

    assert (tiktok_total("MUG-12OZ"), tiktok_total("TSHIRT-BLK-M"), tiktok_total("TSHIRT-WHT-L")) == (7, 3, 0)
    assert "3 updated in TikTok Shop (2 calls)" in outcome
    rows = records(profile)
    mug = rows["MUG-12OZ"]
    assert mug.status == Status.SUCCESS and mug.synced_at and mug.attempts == 1
    assert mug.destination_id == tts_models.Sku.objects.get(seller_sku="MUG-12OZ").sku_id
    assert mug.source_payload["quantity"] == 7 and mug.source_payload["product_id"]
    assert mug.destination_payload["sent"]["inventory"][0]["quantity"] == 7
    (attempt,) = updates(mug)
    assert attempt.outcome == SyncAttempt.Outcome.OK and attempt.request["skus_in_call"] == 1
    shirt = rows["TSHIRT-BLK-M"]
    assert shirt.source_payload["combination_id"] and shirt.source_payload["quantity"] == 3
    assert updates(shirt)[0].request["skus_in_call"] == 2  # both T-shirt SKUs in one call
    stock_task.refresh_from_db()
    assert stock_task.last_run_ok is True and stock_task.last_outcome == outcome


def test_unchanged_stock_costs_no_update_call_and_no_write(profile, stock_task, faults):
    run(stock_task)
    assert not SyncAttempt.objects.exists()
    rows = records(profile)
    assert all(rows[s].status == Status.SUCCESS for s in ("MUG-12OZ", "TSHIRT-BLK-M", "TOTE-CANVAS"))
    # Any update call now would fail: a second run must not make one, nor touch the rows.
    faults("tiktok", error_next=10, path_contains="inventory/update")

    outcome = run(stock_task)

    assert "0 updated in TikTok Shop (0 calls)" in outcome
    assert not SyncAttempt.objects.exists()
    assert {s: r.updated_at for s, r in records(profile).items()} == {
        s: r.updated_at for s, r in rows.items()
    }


def test_the_ecwid_quantity_goes_to_the_default_warehouse_and_the_others_keep_theirs(
    profile, stock_task, shop
):
    second = add_warehouse(shop, "Overflow")
    stock_in(second, "MUG-12OZ", 40)
    default = shop.warehouses.get(is_default=True).warehouse_id
    ecwid_store.set_stock("MUG-12OZ", 9)

    run(stock_task)

    assert tiktok_stock("MUG-12OZ") == {default: 9, second.warehouse_id: 40}
    (attempt,) = updates(records(profile)["MUG-12OZ"])
    assert {w["warehouse_id"] for w in attempt.request["inventory"]} == {default, second.warehouse_id}


def test_quantities_tiktok_cannot_take_are_clamped(profile, stock_task):
    EcwidProduct.objects.filter(sku="MUG-12OZ").update(quantity=-3)  # Ecwid stock can go negative
    EcwidProduct.objects.filter(sku="CAP-NAVY").update(quantity=150_000)

    run(stock_task)

    assert (tiktok_total("MUG-12OZ"), tiktok_total("CAP-NAVY")) == (0, 99_999)
    rows = records(profile)
    assert "sent 0" in rows["MUG-12OZ"].last_error and "sent 99999" in rows["CAP-NAVY"].last_error


# ---------------------------------------------------------------------------------------------------
# Skipped, with the reason


def test_a_sku_on_one_side_only_is_skipped_with_a_reason(profile, stock_task, shop):
    mug = tts_models.Sku.objects.get(seller_sku="MUG-12OZ")
    tiktok_only = tts_models.Sku.objects.create(
        product=mug.product, seller_sku="MUG-GIFTBOX", sku_id=tts_models.random_digits(19), price=mug.price
    )
    tts_models.Product.objects.filter(skus__seller_sku="TOTE-CANVAS").update(status="SELLER_DEACTIVATED")
    ecwid_store.set_stock("TOTE-CANVAS", 5)

    run(stock_task)

    rows = records(profile)
    assert rows["MUG-GIFTBOX"].status == Status.SKIPPED
    assert rows["MUG-GIFTBOX"].last_error.startswith("Not in Ecwid")
    assert rows["MUG-GIFTBOX"].destination_id == tiktok_only.sku_id
    # The Ecwid parent product "TSHIRT" has no TikTok SKU; the tote's TikTok product is not active.
    for sku in ("TSHIRT", "TOTE-CANVAS"):
        assert rows[sku].status == Status.SKIPPED and rows[sku].last_error.startswith("Not in TikTok Shop")
        assert rows[sku].destination_id == "" and rows[sku].source_payload["sku"] == sku
    assert tiktok_total("TOTE-CANVAS") == 100
    assert not SyncAttempt.objects.exists()


def test_unlimited_ecwid_stock_is_skipped_unless_the_profile_sets_a_quantity(profile, stock_task):
    EcwidProduct.objects.filter(sku="MUG-12OZ").update(unlimited=True)

    run(stock_task)

    mug = records(profile)["MUG-12OZ"]
    assert mug.status == Status.SKIPPED and mug.last_error.startswith("Unlimited stock in Ecwid")
    assert mug.source_payload["unlimited"] is True and mug.source_payload["quantity"] is None
    assert tiktok_total("MUG-12OZ") == 100

    profile.inventory_unlimited_quantity = 500
    profile.save()
    run(stock_task)

    mug = records(profile)["MUG-12OZ"]
    assert mug.status == Status.SUCCESS and "unlimited" in mug.last_error
    assert tiktok_total("MUG-12OZ") == 500


def test_a_sku_that_ecwid_has_twice_needs_attention(profile, stock_task):
    original = EcwidProduct.objects.get(sku="CAP-NAVY")
    EcwidProduct.objects.create(
        store=original.store, product_id=original.product_id + 1, sku="CAP-NAVY", name="Cap copy", price=1
    )

    run(stock_task)

    cap = records(profile)["CAP-NAVY"]
    assert cap.status == Status.NEEDS_ATTENTION and "Ecwid has 2 items with this SKU" in cap.last_error


# ---------------------------------------------------------------------------------------------------
# Errors


def test_a_sku_tiktok_refuses_needs_attention_while_the_others_are_updated(profile, stock_task, shop):
    # TSHIRT-WHT-L also sits in a disabled warehouse: §7.1 wants every warehouse of the SKU listed,
    # and TikTok refuses that SKU (12052990 with 12052531) in a code-0 answer.
    stock_in(add_warehouse(shop, "Closed", enabled=False), "TSHIRT-WHT-L", 5)
    ecwid_store.set_stock("TSHIRT-BLK-M", 11)
    ecwid_store.set_stock("TSHIRT-WHT-L", 12)
    ecwid_store.set_stock("MUG-12OZ", 13)

    outcome = run(stock_task)

    rows = records(profile)
    white = rows["TSHIRT-WHT-L"]
    assert white.status == Status.NEEDS_ATTENTION and white.error_kind == "invalid"
    assert "The warehouse is disabled (code 12052531)" in white.last_error
    (attempt,) = updates(white)
    assert attempt.outcome == SyncAttempt.Outcome.ERROR
    assert attempt.response["errors"][0]["code"] == 12052990
    assert rows["TSHIRT-BLK-M"].status == Status.SUCCESS and rows["MUG-12OZ"].status == Status.SUCCESS
    assert (tiktok_total("TSHIRT-BLK-M"), tiktok_total("MUG-12OZ")) == (11, 13)
    assert tiktok_total("TSHIRT-WHT-L") == 105  # untouched
    assert "1 need attention" in outcome


def test_a_server_error_fails_the_sku_and_the_next_run_sends_it(profile, stock_task, faults):
    ecwid_store.set_stock("MUG-12OZ", 21)
    # The client retries a failed call twice (§9.7, re-signed): three 500s fail it.
    faults("tiktok", error_next=3, path_contains="inventory/update")

    run(stock_task)

    mug = records(profile)["MUG-12OZ"]
    assert mug.status == Status.FAILED and mug.error_kind == "transient"
    assert "may have applied it" in mug.last_error and "next run" in mug.last_error  # a 500 on a write
    assert tiktok_total("MUG-12OZ") == 100

    run(stock_task)

    mug = records(profile)["MUG-12OZ"]
    assert mug.status == Status.SUCCESS and mug.attempts == 2 and mug.last_error == ""
    assert [a.outcome for a in updates(mug)] == [SyncAttempt.Outcome.OK, SyncAttempt.Outcome.UNKNOWN]
    assert tiktok_total("MUG-12OZ") == 21


def test_a_long_rate_limit_stops_the_run_and_leaves_the_rest_failed(profile, stock_task, faults):
    ecwid_store.set_stock("MUG-12OZ", 1)
    ecwid_store.set_stock("CAP-NAVY", 2)
    faults("tiktok", rate_limit_next=1, retry_after=120, path_contains="inventory/update")

    outcome = run(stock_task)

    assert "Stopped early: TikTok Shop's rate limit" in outcome
    rows = records(profile)
    assert {rows[s].status for s in ("MUG-12OZ", "CAP-NAVY")} == {Status.FAILED}
    assert sorted(rows[s].error_kind for s in ("MUG-12OZ", "CAP-NAVY")) == ["rate_limited", "stopped"]
    stock_task.refresh_from_db()
    assert stock_task.last_run_ok is False

    run(stock_task)

    assert (tiktok_total("MUG-12OZ"), tiktok_total("CAP-NAVY")) == (1, 2)


def test_an_ecwid_catalogue_that_cannot_be_read_changes_nothing(profile, stock_task, faults):
    run(stock_task)
    before = {s: (r.status, r.updated_at) for s, r in records(profile).items()}
    faults("ecwid", error_next=5, path_contains="/products")

    outcome = run(stock_task)

    assert outcome.startswith("Inventory not synced: could not read Ecwid")
    assert {s: (r.status, r.updated_at) for s, r in records(profile).items()} == before


def test_an_expired_tiktok_token_is_refreshed_once_and_the_stock_is_sent(profile, stock_task):
    ecwid_store.set_stock("MUG-12OZ", 8)
    old_token = profile.source.access_token
    tts_models.Token.objects.filter(access_token=old_token).update(access_expires_at=timezone.now())

    run(stock_task)

    assert tiktok_total("MUG-12OZ") == 8
    profile.source.refresh_from_db()
    assert profile.source.access_token != old_token


def test_a_tiktok_authorization_that_cannot_be_refreshed_stops_the_run(profile, stock_task):
    ecwid_store.set_stock("MUG-12OZ", 8)
    tts_models.Token.objects.all().delete()  # the seller revoked the app

    outcome = run(stock_task)

    assert outcome.startswith("Inventory not synced: could not read TikTok Shop")
    stock_task.refresh_from_db()
    assert stock_task.last_run_ok is False
    profile.source.refresh_from_db()
    assert profile.source.status == Connection.Status.REAUTHORIZE
    assert tiktok_total("MUG-12OZ") == 100


# ---------------------------------------------------------------------------------------------------
# The task beside order sync


def test_the_inventory_task_is_off_by_default_and_order_sync_is_undisturbed(profile, shop):
    task = profile.tasks.get(entity=Entity.INVENTORY)
    assert task.enabled is False and not Schedule.objects.filter(name=task.schedule_name).exists()
    assert str(task).startswith("Ecwid > TikTok Shop: Inventory")
    make_orders(shop, 1, items={"MUG-12OZ": 2})

    tasks.run_profile(profile.pk)

    assert SyncRecord.objects.filter(
        profile=profile, entity=Entity.SALES_ORDER, status=Status.SUCCESS
    ).count()
    assert not SyncRecord.objects.filter(entity=Entity.INVENTORY).exists()
    assert tasks.run_profile_task(task.pk).endswith("switched off.")
    assert ecwid_store.stock_of("MUG-12OZ") == 98  # the imported order took 2

    task.enabled = True
    task.save()
    tasks.run_profile(profile.pk)  # orders first, then the stock they left

    assert tiktok_total("MUG-12OZ") == 98
    assert records(profile)["MUG-12OZ"].status == Status.SUCCESS


def test_sync_profile_runs_inventory_in_the_foreground(profile, capsys):
    ecwid_store.set_stock("CAP-NAVY", 4)

    call_command("sync_profile", profile.name, "--entity", "inventory")

    assert "1 updated in TikTok Shop (1 calls)" in capsys.readouterr().out
    assert tiktok_total("CAP-NAVY") == 4


def test_a_resync_sends_an_unchanged_sku_again(profile, stock_task):
    run(stock_task)
    assert not SyncAttempt.objects.exists()

    inventory.request_resync(SyncRecord.objects.filter(profile=profile, source_id="BOTTLE-750"))
    run(stock_task)
    run(stock_task)  # the resync is spent: no second call

    (attempt,) = SyncAttempt.objects.all()
    assert attempt.record.source_id == "BOTTLE-750" and attempt.outcome == SyncAttempt.Outcome.OK


def test_staff_resync_an_inventory_row_from_the_admin_and_set_the_unlimited_quantity(
    admin_client, admin_user, profile, stock_task
):
    run(stock_task)
    bottle = records(profile)["BOTTLE-750"]

    response = admin_client.post(
        reverse("admin:syncapp_syncrecord_changelist"),
        {"action": "resync_selected", "_selected_action": [bottle.pk]},
        follow=True,
    )

    assert "Queued 1 record(s) to sync again" in response.content.decode()
    bottle.refresh_from_db()
    assert bottle.resync_requested_by == admin_user and bottle.resync_requested_at
    page = admin_client.get(reverse("admin:syncapp_profile_change", args=[profile.pk])).content.decode()
    assert "Quantity for unlimited stock" in page


def test_a_long_run_leaves_the_rest_for_the_next_one(profile, stock_task):
    for sku in ("MUG-12OZ", "CAP-NAVY"):
        ecwid_store.set_stock(sku, 1)

    result = inventory.sync_inventory(stock_task, budget_seconds=0)

    assert result.partial and "wait for the next one" in result.summary()
    assert {records(profile)[s].status for s in ("MUG-12OZ", "CAP-NAVY")} == {Status.PENDING}
    inventory.sync_inventory(stock_task)
    assert (tiktok_total("MUG-12OZ"), tiktok_total("CAP-NAVY")) == (1, 1)


# ---------------------------------------------------------------------------------------------------
# The decision, without calls


def _tiktok(inventory_: tuple) -> list[TikTokSku]:
    return [TikTokSku("S", "P1", "K1", "T", inventory_)]


def _ecwid(quantity, unlimited=False) -> list[EcwidItem]:
    return [EcwidItem("S", 1, None, "N", quantity, unlimited)]


def test_a_sku_stocked_nowhere_gets_the_shops_default_sales_warehouse():
    warehouses = {
        "R": {"id": "R", "type": "RETURN_WAREHOUSE", "effect_status": "ENABLED", "is_default": True},
        "A": {"id": "A", "type": "SALES_WAREHOUSE", "effect_status": "ENABLED", "is_default": False},
        "B": {"id": "B", "type": "SALES_WAREHOUSE", "effect_status": "ENABLED", "is_default": True},
    }

    decision = inventory.decide("S", _ecwid(5), _tiktok(()), warehouses)

    assert decision.needs_call and decision.inventory == [{"warehouse_id": "B", "quantity": 5}]


def test_without_the_warehouse_list_the_skus_first_warehouse_takes_the_stock():
    decision = inventory.decide("S", _ecwid(5), _tiktok((("W1", 2), ("W2", 3))), None)

    assert decision.inventory == [
        {"warehouse_id": "W1", "quantity": 5},
        {"warehouse_id": "W2", "quantity": 3},
    ]
    assert not inventory.decide("S", _ecwid(2), _tiktok((("W1", 2), ("W2", 3))), None).needs_call


def test_a_refused_zero_explains_what_to_do():
    kind, text = inventory.explain_sku_error(
        {"code": 12052055, "message": "Quantity out of limits", "detail": {"sku_id": "K1"}}, quantity=0
    )

    assert kind == "invalid" and "(code 12052055)" in text and "minimum is 1" in text
