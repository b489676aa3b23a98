import pytest

from syncapp.sync.mapping import (
    MappingError,
    MappingRules,
    is_copy_of,
    map_order,
    map_status_update,
    source_id_of,
)
from tests.sync.tiktok_fixtures import PRODUCTS, load

RULES = MappingRules()


class TestStatusUpdate:
    def test_a_shipped_order_sends_statuses_tracking_and_the_whole_shipping_option(self):
        update = map_status_update(load("in_transit_tracking"), RULES)
        assert update == {
            "paymentStatus": "PAID",
            "fulfillmentStatus": "SHIPPED",
            "disableAllCustomerNotifications": True,
            "trackingNumber": "9400111899562537866361",
            "shippingOption": {
                "shippingMethodName": "Standard Shipping",
                "shippingRate": 5.99,
                "shippingCarrierName": "USPS",
            },
        }

    @pytest.mark.parametrize("spelling", ["CANCELLED", "CANCEL"])
    def test_a_cancellation_cancels_the_ecwid_order(self, spelling):
        order = load("cancelled")
        order["status"] = spelling
        update = map_status_update(order, RULES)
        assert update == {
            "paymentStatus": "CANCELLED",
            "fulfillmentStatus": "WILL_NOT_DELIVER",
            "disableAllCustomerNotifications": True,
        }

    @pytest.mark.parametrize(
        "name", ["awaiting_shipment_two_units", "in_transit_tracking", "cancelled", "jp_non_ascii"]
    )
    def test_an_update_never_sends_items_because_ecwid_would_replace_them_all(self, name):
        assert "items" not in map_status_update(load(name), RULES)

    def test_the_update_agrees_with_what_a_create_would_send(self):
        order = load("jp_non_ascii")
        created = map_order(order, PRODUCTS, RULES)
        update = map_status_update(order, RULES)
        for key, value in update.items():
            assert created[key] == value

    def test_an_order_without_tracking_sends_only_statuses(self):
        update = map_status_update(load("awaiting_collection_multi_sku"), RULES)
        assert set(update) == {"paymentStatus", "fulfillmentStatus", "disableAllCustomerNotifications"}

    def test_an_unmapped_status_is_a_mapping_error(self):
        with pytest.raises(MappingError):
            map_status_update(load("on_hold"), RULES)


class TestFindingTheSourceAgain:
    def test_an_order_made_by_map_order_names_its_tiktok_order(self):
        ecwid = map_order(load("awaiting_shipment_two_units"), PRODUCTS, RULES) | {"id": "XJ12H"}
        assert source_id_of(ecwid) == "576461413038785752"
        assert is_copy_of(ecwid, "576461413038785752")

    def test_an_order_from_the_web_shop_has_no_source(self):
        ecwid = {"id": "K8XTQ", "externalTransactionId": "pi_3PZx2LJ8e1", "privateAdminNotes": "Gift wrap"}
        assert source_id_of(ecwid) is None
        assert not is_copy_of(ecwid, "576461413038785752")

    def test_the_extra_field_alone_is_enough(self):
        ecwid = {"orderExtraFields": [{"id": "tiktok_order_id", "value": "576461413038785752"}]}
        assert source_id_of(ecwid) == "576461413038785752"
        assert is_copy_of(ecwid, "576461413038785752")

    def test_the_transaction_id_alone_is_enough(self):
        ecwid = {"externalTransactionId": "576461413038785752"}
        assert source_id_of(ecwid) == "576461413038785752"
        assert is_copy_of(ecwid, " 576461413038785752 ")

    def test_the_admin_note_is_a_last_resort_for_source_id_only(self):
        ecwid = {"privateAdminNotes": "Called buyer.\nTikTok Shop order 576461413038785752"}
        assert source_id_of(ecwid) == "576461413038785752"
        assert not is_copy_of(ecwid, "576461413038785752")

    @pytest.mark.parametrize(
        "ecwid",
        [
            {"externalTransactionId": "5764614130387857520"},
            {"externalTransactionId": "76461413038785752"},
            {"orderExtraFields": [{"id": "tiktok_order_id", "value": "576461413038785753"}]},
            {"orderExtraFields": [{"id": "other", "value": "576461413038785752"}]},
            {"privateAdminNotes": "TikTok Shop order 576461413038785752"},
            {},
        ],
    )
    def test_a_fuzzy_keyword_hit_is_not_taken_for_a_copy(self, ecwid):
        assert not is_copy_of(ecwid, "576461413038785752")

    def test_an_empty_id_matches_nothing(self):
        assert not is_copy_of({"externalTransactionId": ""}, "")
