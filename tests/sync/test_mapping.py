import copy
import json
from decimal import Decimal

import pytest

from syncapp.sync.mapping import (
    MappingError,
    MappingRules,
    ProductMatch,
    UnknownSkuError,
    map_order,
    order_skus,
    order_totals,
)
from tests.sync.tiktok_fixtures import ALL, MAPPABLE, PRODUCTS, load

RULES = MappingRules()


def mapped(name_or_order, products=PRODUCTS, rules=RULES) -> dict:
    order = load(name_or_order) if isinstance(name_or_order, str) else name_or_order
    return map_order(order, products, rules)


def money(value) -> Decimal:
    return Decimal(str(value))


def added_up(payload: dict) -> Decimal:
    """Ecwid's own arithmetic: subtotal − discount + shipping + fees (+ tax when prices are net)."""
    total = money(payload["subtotal"]) - money(payload.get("discount", 0))
    total += money(payload["shippingOption"]["shippingRate"])
    total += money(payload.get("handlingFee", {}).get("value", 0))
    if not payload["pricesIncludeTax"]:
        total += money(payload["tax"])
    return total


class TestTotals:
    @pytest.mark.parametrize("name", MAPPABLE)
    def test_the_ecwid_total_is_tiktok_total_amount_exactly(self, name):
        order = load(name)
        payload = json.loads(json.dumps(mapped(order)))  # as it travels
        assert money(payload["total"]) == Decimal(order["payment"]["total_amount"])
        assert added_up(payload) == money(payload["total"])

    @pytest.mark.parametrize("name", ALL)
    def test_order_totals_add_up_for_every_fixture(self, name):
        order = load(name)
        totals = order_totals(order)
        assert totals.total == Decimal(order["payment"]["total_amount"])
        tax = 0 if totals.prices_include_tax else totals.tax
        assert totals.subtotal - totals.discount + totals.shipping + totals.fees + tax == totals.total

    def test_money_is_sent_as_json_numbers_rounded_to_cents(self):
        payload = mapped("awaiting_shipment_two_units")
        for value in (payload["subtotal"], payload["tax"], payload["total"], payload["items"][0]["price"]):
            assert isinstance(value, float)
        assert json.dumps(payload["total"]) == "38.97"
        assert payload["items"][0]["tax"] == 2.97  # two units of 1.485

    def test_a_platform_discount_becomes_the_ecwid_discount(self):
        payload = mapped("awaiting_collection_multi_sku")
        assert payload["subtotal"] == 57.0
        assert payload["discount"] == 5.0
        assert payload["discountInfo"] == [
            {
                "value": 5.0,
                "type": "ABSOLUTE",
                "base": "ON_TOTAL",
                "description": "TikTok Shop platform discount",
            }
        ]
        assert payload["shippingOption"]["shippingRate"] == 5.99
        assert payload["tax"] == 4.2
        assert payload["handlingFee"]["value"] == 0.28  # Colorado retail delivery fee
        assert payload["total"] == 62.47

    def test_an_order_without_discount_or_fees_sends_neither(self):
        payload = mapped("awaiting_shipment_two_units")
        assert "discount" not in payload and "discountInfo" not in payload
        assert "handlingFee" not in payload

    def test_without_sub_total_the_platform_discount_field_is_used(self):
        order = load("awaiting_collection_multi_sku")
        del order["payment"]["sub_total"]
        payload = mapped(order)
        assert payload["discount"] == 5.0
        assert payload["total"] == 62.47

    def test_charges_tiktok_adds_beyond_its_formula_become_fees_so_the_total_stays_exact(self):
        order = load("awaiting_shipment_two_units")
        order["payment"]["small_order_fee"] = "1.99"
        order["payment"]["total_amount"] = "40.96"
        payload = mapped(order)
        assert payload["handlingFee"]["value"] == 1.99
        assert payload["total"] == 40.96
        assert added_up(payload) == Decimal("40.96")

    def test_money_taken_off_beyond_the_formula_becomes_discount_so_the_total_stays_exact(self):
        order = load("awaiting_shipment_two_units")
        order["payment"]["total_amount"] = "37.97"
        payload = mapped(order)
        assert payload["discount"] == 1.0
        assert added_up(payload) == Decimal("37.97")

    def test_tax_already_inside_the_prices_is_not_added_twice(self):
        # UK/EU prices include VAT; if TikTok reports that VAT in `tax` without adding it to the total,
        # the order is sent as GROSS instead of inventing a discount.
        order = load("gb_non_ascii")
        order["payment"]["tax"] = "4.33"
        payload = mapped(order)
        assert payload["pricesIncludeTax"] is True
        assert payload["tax"] == 4.33
        assert payload["discount"] == 2.0
        assert payload["total"] == 25.99
        assert added_up(payload) == Decimal("25.99")

    def test_order_level_tax_falls_back_to_product_and_shipping_tax(self):
        payload = mapped("completed_sparse")
        assert payload["tax"] == 1.4
        assert payload["total"] == 22.9

    def test_whole_currency_amounts_keep_their_value(self):
        payload = mapped("jp_non_ascii")
        assert payload["subtotal"] == 5180.0
        assert payload["total"] == 5180.0
        assert [item["price"] for item in payload["items"]] == [3980.0, 1200.0]


class TestItems:
    def test_two_identical_line_items_become_one_item_of_quantity_two(self):
        payload = mapped("awaiting_shipment_two_units")
        assert payload["items"] == [
            {
                "name": "Short Boat Invisible Socks — Red, M",
                "quantity": 2,
                "price": 18.0,
                "sku": "SOCK-RED-M",
                "productId": 103,
                "tax": 2.97,
            }
        ]

    def test_several_skus_keep_the_order_they_first_appear_in(self):
        items = mapped("awaiting_collection_multi_sku")["items"]
        assert [(i["sku"], i["quantity"], i["price"]) for i in items] == [
            ("MUG-12OZ", 2, 12.5),
            ("TEE-BLK-L", 1, 24.0),
            ("SOCK-RED-M", 1, 8.0),
        ]
        assert items[0]["productId"] == 101 and items[0]["combinationId"] == 9001
        assert "combinationId" not in items[2]
        assert [i["tax"] for i in items] == [1.6, 1.63, 0.54]

    def test_the_same_sku_at_two_prices_stays_two_items(self):
        order = load("awaiting_shipment_two_units")
        order["line_items"][1]["sale_price"] = "16.00"
        order["payment"]["sub_total"] = "34.00"
        order["payment"]["total_amount"] = "36.97"
        items = mapped(order)["items"]
        assert [(i["quantity"], i["price"]) for i in items] == [(1, 18.0), (1, 16.0)]

    def test_an_item_without_variant_name_is_named_after_the_product(self):
        items = mapped("jp_non_ascii")["items"]
        assert items[1]["name"] == "竹製茶筅"

    def test_order_skus_lists_each_seller_sku_once_in_order(self):
        assert order_skus(load("awaiting_collection_multi_sku")) == ["MUG-12OZ", "TEE-BLK-L", "SOCK-RED-M"]
        assert order_skus(load("completed_sparse")) == ["POSTER-A2"]
        assert order_skus({"id": "1"}) == []

    def test_an_unknown_sku_becomes_a_text_line_by_default(self):
        products = {sku: match for sku, match in PRODUCTS.items() if sku != "TEE-BLK-L"}
        items = mapped("awaiting_collection_multi_sku", products=products)["items"]
        tee = items[1]
        assert tee == {
            "name": "Organic Cotton Tee — Black, L",
            "quantity": 1,
            "price": 24.0,
            "sku": "TEE-BLK-L",
            "tax": 1.63,
        }
        assert items[0]["productId"] == 101

    @pytest.mark.parametrize("products", [{}, {"TEE-BLK-L": None, "MUG-12OZ": None, "SOCK-RED-M": None}])
    def test_unknown_skus_stop_the_order_when_the_profile_says_so(self, products):
        rules = MappingRules(unknown_sku="needs_attention")
        with pytest.raises(UnknownSkuError) as caught:
            mapped("awaiting_collection_multi_sku", products=products, rules=rules)
        assert caught.value.skus == ["MUG-12OZ", "TEE-BLK-L", "SOCK-RED-M"]
        assert "no Ecwid product has SKU MUG-12OZ, TEE-BLK-L, SOCK-RED-M" in caught.value.reason
        assert isinstance(caught.value, MappingError)

    def test_known_skus_pass_when_the_profile_stops_unknown_ones(self):
        rules = MappingRules(unknown_sku="needs_attention")
        assert mapped("awaiting_collection_multi_sku", rules=rules)["items"][1]["productId"] == 102

    def test_a_line_without_seller_sku_is_a_text_line(self):
        items = mapped("completed_sparse")["items"]
        assert items[1] == {"name": "Mystery Sticker Pack", "quantity": 1, "price": 3.0, "tax": 0.25}

    def test_a_line_without_seller_sku_stops_the_order_when_unknown_skus_do(self):
        rules = MappingRules(unknown_sku="needs_attention")
        with pytest.raises(UnknownSkuError) as caught:
            mapped("completed_sparse", rules=rules)
        assert caught.value.skus == []
        assert "line item 2 (Mystery Sticker Pack) has no seller SKU" in caught.value.reason


class TestBuyerAndAddress:
    def test_the_recipient_becomes_both_shipping_and_billing_person(self):
        payload = mapped("awaiting_shipment_two_units")
        expected = {
            "name": "David Kong",
            "street": "1199 Coleman Ave\nSuite 100",
            "city": "San Jose",
            "stateOrProvinceCode": "CA",
            "postalCode": "95110",
            "countryCode": "US",
            "phone": "(+1)213-***-1234",
        }
        assert payload["shippingPerson"] == expected
        assert payload["billingPerson"] == expected
        assert payload["email"] == "v2b2V5@scs.tiktokw.us"

    @pytest.mark.parametrize(
        ("name", "city", "state"),
        [
            ("awaiting_collection_multi_sku", "Denver", "CO"),  # state name → code table
            ("in_transit_tracking", "New York", "NY"),
            ("gb_non_ascii", "Manchester", "England"),  # post_town; a non-US region name passes through
            ("jp_non_ascii", "渋谷区", "13"),  # L2 as city; ISO 3166-2 code JP-13 → 13
        ],
    )
    def test_city_and_state_come_from_the_district_levels(self, name, city, state):
        person = mapped(name)["shippingPerson"]
        assert (person["city"], person["stateOrProvinceCode"]) == (city, state)

    def test_a_us_state_given_as_its_code_is_kept(self):
        order = load("awaiting_shipment_two_units")
        order["recipient_address"]["district_info"][1]["address_name"] = "ca"
        assert mapped(order)["shippingPerson"]["stateOrProvinceCode"] == "CA"

    def test_missing_address_parts_are_left_out_and_the_rest_is_kept(self):
        payload = mapped("completed_sparse")
        assert payload["shippingPerson"] == {
            "name": "Sam Okafor",
            "street": "742 Evergreen Terrace, Springfield, IL 62704",
            "postalCode": "62704",
            "countryCode": "US",
        }

    def test_a_missing_buyer_email_gets_an_address_that_cannot_receive_mail(self):
        assert mapped("completed_sparse")["email"] == "tiktok-579123456789012345@example.invalid"

    @pytest.mark.parametrize("address", [{}, None, "unavailable"])
    def test_an_empty_recipient_address_is_allowed(self, address):
        order = load("on_hold")
        order["status"] = "AWAITING_SHIPMENT"
        order["recipient_address"] = address
        payload = mapped(order)
        assert "shippingPerson" not in payload and "billingPerson" not in payload
        assert payload["total"] == 16.23

    def test_an_address_of_empty_strings_keeps_only_what_is_there(self):
        order = load("on_hold")  # TikTok blanks the address while an order is on hold
        order["status"] = "AWAITING_SHIPMENT"
        payload = mapped(order)
        assert payload["shippingPerson"] == payload["billingPerson"] == {"countryCode": "US"}

    def test_non_ascii_names_pass_through_unchanged(self):
        gb = mapped("gb_non_ascii")
        assert gb["shippingPerson"]["name"] == "José Müller"
        assert gb["items"][0]["name"] == "Merino-Wollsocken „Wanderlust“ — Grau, 42–44"
        assert gb["orderComments"] == "Bitte vor die Tür legen, danke! — José"
        jp = mapped("jp_non_ascii")
        assert jp["shippingPerson"]["name"] == "山田太郎"
        assert jp["shippingPerson"]["street"] == "神宮前1-2-3\nサンプルビル101"
        assert jp["shippingOption"]["shippingMethodName"] == "標準配送"
        assert json.loads(json.dumps(jp, ensure_ascii=False)) == jp


class TestOrderFields:
    def test_the_tiktok_id_is_written_where_it_can_be_found_again(self):
        payload = mapped("awaiting_shipment_two_units")
        assert payload["externalTransactionId"] == "576461413038785752"
        assert payload["privateAdminNotes"] == "TikTok Shop order 576461413038785752"
        assert payload["orderExtraFields"] == [
            {"id": "tiktok_order_id", "title": "TikTok order", "value": "576461413038785752"}
        ]
        assert payload["refererId"] == "TikTokShop"

    def test_customer_notifications_are_off_unless_the_profile_turns_them_on(self):
        assert mapped("awaiting_shipment_two_units")["disableAllCustomerNotifications"] is True
        rules = MappingRules(notify_customer=True, payment_method="TikTok", referer_id="TT-US")
        payload = mapped("awaiting_shipment_two_units", rules=rules)
        assert payload["disableAllCustomerNotifications"] is False
        assert payload["paymentMethod"] == "TikTok"
        assert payload["refererId"] == "TT-US"

    def test_dates_comments_and_shipping_method_are_carried_over(self):
        payload = mapped("awaiting_shipment_two_units")
        assert payload["createDate"] == "2024-06-25 07:20:00 +0000"
        assert payload["orderComments"] == "Please ship asap!"
        assert payload["paymentMethod"] == "TikTok Shop"
        assert payload["shippingOption"] == {"shippingMethodName": "Standard Shipping", "shippingRate": 0.0}
        assert "trackingNumber" not in payload

    def test_a_missing_delivery_option_gets_a_plain_shipping_name(self):
        payload = mapped("completed_sparse")
        assert payload["shippingOption"]["shippingMethodName"] == "TikTok Shop shipping"
        assert "orderComments" not in payload

    def test_a_shipped_order_carries_its_tracking_number_and_carrier(self):
        payload = mapped("in_transit_tracking")
        assert payload["trackingNumber"] == "9400111899562537866361"
        assert payload["shippingOption"] == {
            "shippingMethodName": "Standard Shipping",
            "shippingRate": 5.99,
            "shippingCarrierName": "USPS",
        }
        assert (payload["paymentStatus"], payload["fulfillmentStatus"]) == ("PAID", "SHIPPED")

    def test_tracking_found_only_on_line_items_is_used(self):
        order = load("in_transit_tracking")
        order["tracking_number"] = order["shipping_provider"] = ""
        payload = mapped(order)
        assert payload["trackingNumber"] == "9400111899562537866361"
        assert payload["shippingOption"]["shippingCarrierName"] == "USPS"

    def test_a_cancelled_order_is_cancelled_in_ecwid(self):
        payload = mapped("cancelled")
        assert (payload["paymentStatus"], payload["fulfillmentStatus"]) == ("CANCELLED", "WILL_NOT_DELIVER")
        assert payload["items"][0]["quantity"] == 3

    @pytest.mark.parametrize(
        ("status", "payment", "fulfillment"),
        [
            ("AWAITING_SHIPMENT", "PAID", "AWAITING_PROCESSING"),
            ("PARTIALLY_SHIPPING", "PAID", "PROCESSING"),
            ("AWAITING_COLLECTION", "PAID", "PROCESSING"),
            ("IN_TRANSIT", "PAID", "SHIPPED"),
            ("DELIVERED", "PAID", "DELIVERED"),
            ("COMPLETED", "PAID", "DELIVERED"),
            ("CANCELLED", "CANCELLED", "WILL_NOT_DELIVER"),
            ("CANCEL", "CANCELLED", "WILL_NOT_DELIVER"),
        ],
    )
    def test_each_tiktok_status_maps_to_the_default_ecwid_statuses(self, status, payment, fulfillment):
        order = load("awaiting_shipment_two_units")
        order["status"] = status
        payload = mapped(order)
        assert (payload["paymentStatus"], payload["fulfillmentStatus"]) == (payment, fulfillment)

    def test_a_profile_map_changes_the_ecwid_status(self):
        rules = MappingRules(fulfillment_status_map={"IN_TRANSIT": "OUT_FOR_DELIVERY"})
        assert mapped("in_transit_tracking", rules=rules)["fulfillmentStatus"] == "OUT_FOR_DELIVERY"

    def test_an_unmapped_status_is_a_mapping_error(self):
        with pytest.raises(MappingError) as caught:
            mapped("on_hold")
        assert caught.value.field == "status"
        assert "ON_HOLD" in caught.value.reason

    def test_the_tiktok_order_is_not_changed(self):
        order = load("awaiting_collection_multi_sku")
        before = copy.deepcopy(order)
        mapped(order)
        assert order == before


class TestBadInput:
    def test_a_bad_sale_price_names_the_line_the_sku_and_the_value(self):
        order = load("awaiting_collection_multi_sku")
        order["line_items"][1]["seller_sku"] = "MUG-12OZ"
        order["line_items"][1]["sale_price"] = "abc"
        with pytest.raises(MappingError) as caught:
            mapped(order)
        assert (
            caught.value.reason == "Line item 2 (SKU MUG-12OZ) has sale_price 'abc', which is not an amount."
        )
        assert caught.value.field == "line_items[1].sale_price"
        assert str(caught.value) == caught.value.reason

    @pytest.mark.parametrize(
        ("value", "says"),
        [
            ("12,50", "'12,50', which is not an amount"),
            ("NaN", "'NaN', which is not an amount"),
            ("Infinity", "'Infinity', which is not an amount"),
            ("1e999999", "'1e999999', which is not an amount"),
            ("-1.00", "'-1.00', which is negative"),
            ("", "has no sale_price"),
            (None, "has no sale_price"),
            (True, "True, which is not an amount"),
            ({"amount": "1"}, "which is not an amount"),
        ],
    )
    def test_bad_sale_prices_are_refused(self, value, says):
        order = load("awaiting_shipment_two_units")
        order["line_items"][0]["sale_price"] = value
        with pytest.raises(MappingError) as caught:
            mapped(order)
        assert says in caught.value.reason
        assert caught.value.reason.startswith("Line item 1 (SKU SOCK-RED-M) ")

    @pytest.mark.parametrize(
        "field", ["total_amount", "sub_total", "shipping_fee", "tax", "retail_delivery_fee"]
    )
    def test_bad_payment_amounts_are_refused(self, field):
        order = load("awaiting_collection_multi_sku")
        order["payment"][field] = "12.3.4"
        with pytest.raises(MappingError) as caught:
            mapped(order)
        assert caught.value.reason == f"The payment block has {field} '12.3.4', which is not an amount."
        assert caught.value.field == f"payment.{field}"

    def test_a_missing_total_amount_is_refused(self):
        order = load("awaiting_shipment_two_units")
        del order["payment"]["total_amount"]
        with pytest.raises(MappingError, match="The payment block has no total_amount."):
            mapped(order)

    def test_a_bad_item_tax_is_refused(self):
        order = load("awaiting_shipment_two_units")
        order["line_items"][1]["item_tax"][0]["tax_amount"] = "1.4.85"
        with pytest.raises(MappingError) as caught:
            mapped(order)
        assert caught.value.field == "line_items[1].item_tax[0].tax_amount"

    @pytest.mark.parametrize("value", [None, "", "   "])
    def test_an_order_without_id_is_refused(self, value):
        order = load("awaiting_shipment_two_units")
        order["id"] = value
        with pytest.raises(MappingError) as caught:
            mapped(order)
        assert caught.value.field == "id"
        assert caught.value.reason == "The TikTok order has no id."

    @pytest.mark.parametrize("line_items", [[], None, "missing", ["not an object"]])
    def test_an_order_without_line_items_is_refused(self, line_items):
        order = load("awaiting_shipment_two_units")
        if line_items == "missing":
            del order["line_items"]
        else:
            order["line_items"] = line_items
        with pytest.raises(MappingError) as caught:
            mapped(order)
        assert caught.value.field.startswith("line_items")

    @pytest.mark.parametrize("payment", [None, {}, "missing", "38.97"])
    def test_an_order_without_payment_block_is_refused(self, payment):
        order = load("awaiting_shipment_two_units")
        if payment == "missing":
            del order["payment"]
        else:
            order["payment"] = payment
        with pytest.raises(MappingError) as caught:
            mapped(order)
        assert caught.value.field == "payment"

    def test_a_bad_create_time_is_refused(self):
        order = load("awaiting_shipment_two_units")
        order["create_time"] = "yesterday"
        with pytest.raises(MappingError) as caught:
            mapped(order)
        assert caught.value.field == "create_time"

    def test_a_product_match_is_all_the_caller_needs_to_give(self):
        payload = mapped("awaiting_shipment_two_units", products={"SOCK-RED-M": ProductMatch(7, 8)})
        assert (payload["items"][0]["productId"], payload["items"][0]["combinationId"]) == (7, 8)
