from datetime import UTC, date, datetime

import pytest

from syncapp.sync.mapping import (
    DEFAULT_FULFILLMENT_STATUS_MAP,
    PAID_STATUSES,
    Decision,
    MappingError,
    MappingRules,
    decide,
)
from tests.sync.tiktok_fixtures import load

RULES = MappingRules()


def order_in(status: str, **changes) -> dict:
    order = load("awaiting_shipment_two_units")
    order["status"] = status
    order.update(changes)
    return order


@pytest.mark.parametrize("already_synced", [False, True])
def test_unpaid_orders_are_never_imported(already_synced):
    decision = decide(order_in("UNPAID"), RULES, already_synced=already_synced)
    assert decision == Decision("skip", "unpaid orders are never imported")
    assert str(decision) == "skip: unpaid orders are never imported"


def test_an_order_on_hold_waits_until_tiktok_releases_it():
    decision = decide(order_in("ON_HOLD"), RULES, already_synced=False)
    assert str(decision) == "wait: on hold until TikTok releases it"


@pytest.mark.parametrize("status", PAID_STATUSES)
def test_every_paid_status_is_synced_by_default(status):
    assert decide(order_in(status), RULES, already_synced=False).action == "sync"
    assert decide(order_in(status), RULES, already_synced=True).action == "sync"


@pytest.mark.parametrize("spelling", ["CANCELLED", "CANCEL", "cancelled"])
def test_an_order_cancelled_before_it_was_imported_is_skipped(spelling):
    decision = decide(order_in(spelling), RULES, already_synced=False)
    assert str(decision) == "skip: cancelled before it was imported"


@pytest.mark.parametrize("spelling", ["CANCELLED", "CANCEL"])
def test_an_order_cancelled_after_it_was_imported_is_synced_to_cancel_it_in_ecwid(spelling):
    decision = decide(order_in(spelling), RULES, already_synced=True)
    assert decision.action == "sync"
    assert "cancel" in decision.reason


def test_a_webhook_shaped_order_with_order_status_is_understood():
    webhook_data = {"order_id": "576486316948490001", "order_status": "CANCEL", "update_time": 1644412885}
    assert decide(webhook_data, RULES, already_synced=True).action == "sync"


def test_statuses_outside_the_taken_set_are_skipped_naming_the_rule():
    rules = MappingRules(taken_statuses=frozenset({"AWAITING_SHIPMENT"}))
    decision = decide(order_in("DELIVERED"), rules, already_synced=False)
    assert str(decision) == "skip: status DELIVERED is not one this profile imports"
    assert decide(order_in("AWAITING_SHIPMENT"), rules, already_synced=False).action == "sync"


def test_cancellations_are_not_passed_on_when_the_profile_does_not_take_cancelled():
    rules = MappingRules(taken_statuses=frozenset(PAID_STATUSES))
    decision = decide(order_in("CANCELLED"), rules, already_synced=True)
    assert decision == Decision("skip", "status CANCELLED is not one this profile imports")


def test_a_status_tiktok_adds_later_is_skipped_not_guessed():
    decision = decide(order_in("RETURN_IN_PROGRESS"), RULES, already_synced=False)
    assert str(decision) == "skip: status RETURN_IN_PROGRESS is not one this profile imports"


def test_an_order_without_a_status_needs_attention():
    order = order_in("")
    with pytest.raises(MappingError) as caught:
        decide(order, RULES, already_synced=False)
    assert caught.value.field == "status"


class TestEarliestDate:
    earliest = int(datetime(2024, 7, 1, tzinfo=UTC).timestamp())

    def test_orders_created_before_the_earliest_date_are_skipped(self):
        rules = MappingRules(earliest_create_time=self.earliest)
        decision = decide(order_in("AWAITING_SHIPMENT"), rules, already_synced=False)
        assert decision.action == "skip"
        assert decision.reason == (
            "created 2024-06-25 07:20 UTC, before this profile's earliest date 2024-07-01 00:00 UTC"
        )

    def test_orders_created_on_or_after_the_earliest_date_are_synced(self):
        rules = MappingRules(earliest_create_time=self.earliest)
        order = order_in("AWAITING_SHIPMENT", create_time=self.earliest)
        assert decide(order, rules, already_synced=False).action == "sync"

    def test_an_already_synced_order_keeps_getting_updates(self):
        rules = MappingRules(earliest_create_time=self.earliest)
        assert decide(order_in("IN_TRANSIT"), rules, already_synced=True).action == "sync"

    @pytest.mark.parametrize(
        "given", [datetime(2024, 7, 1, tzinfo=UTC), datetime(2024, 7, 1), date(2024, 7, 1)]
    )
    def test_the_earliest_date_may_be_given_as_a_date_or_datetime_read_as_utc(self, given):
        assert MappingRules(earliest_create_time=given).earliest_create_time == self.earliest

    def test_an_order_without_create_time_is_not_skipped_by_the_date_rule(self):
        rules = MappingRules(earliest_create_time=self.earliest)
        order = order_in("AWAITING_SHIPMENT")
        del order["create_time"]
        assert decide(order, rules, already_synced=False).action == "sync"


class TestRules:
    def test_status_maps_override_the_defaults_entry_by_entry(self):
        rules = MappingRules(
            fulfillment_status_map={"completed": "CUSTOM_FULFILLMENT_STATUS_1", "CANCEL": "RETURNED"}
        )
        assert rules.fulfillment_status_map["COMPLETED"] == "CUSTOM_FULFILLMENT_STATUS_1"
        assert rules.fulfillment_status_map["CANCELLED"] == "RETURNED"
        assert rules.fulfillment_status_map["IN_TRANSIT"] == DEFAULT_FULFILLMENT_STATUS_MAP["IN_TRANSIT"]
        assert rules.payment_status_map["DELIVERED"] == "PAID"

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"payment_status_map": {"DELIVERED": "SHIPPED"}},
            {"fulfillment_status_map": {"DELIVERED": "PAID"}},
            {"fulfillment_status_map": {"SHIPPED": "SHIPPED"}},
            {"taken_statuses": frozenset({"UNPAID"})},
            {"taken_statuses": frozenset({"ON_HOLD"})},
            {"taken_statuses": frozenset({"SHIPPED"})},
            {"unknown_sku": "ignore"},
            {"earliest_create_time": "2024-07-01"},
        ],
    )
    def test_bad_rules_are_refused_when_the_profile_is_read(self, kwargs):
        with pytest.raises(ValueError):
            MappingRules(**kwargs)

    def test_the_webhook_spelling_is_accepted_in_the_taken_set(self):
        rules = MappingRules(taken_statuses=frozenset({"AWAITING_SHIPMENT", "CANCEL"}))
        assert rules.taken_statuses == frozenset({"AWAITING_SHIPMENT", "CANCELLED"})
