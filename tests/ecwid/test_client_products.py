"""EcwidClient's product and stock calls against the sandbox (spec §5)."""

from decimal import Decimal

import pytest

from sandbox.ecwid import store as sandbox_store
from syncapp.platforms.ecwid import ProductRef

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_finds_a_product_by_its_own_sku(ecwid):
    ref = ecwid.find_sku("MUG-12OZ")

    assert ref == ProductRef(
        product_id=ref.product_id,
        combination_id=None,
        sku="MUG-12OZ",
        name="Ceramic Mug 12 oz",
        price=Decimal("14.5"),
        quantity=100,
        unlimited=False,
    )


def test_it_finds_a_variation_by_its_sku_inside_the_parent_product(ecwid):
    ref = ecwid.find_sku("TSHIRT-WHT-L")

    assert ref.combination_id is not None
    assert ref.name == "Classic T-shirt — White, L"
    assert ref.price == Decimal("19.99") and ref.quantity == 100
    products = ecwid.find_products_by_sku("TSHIRT-WHT-L")
    assert [p["sku"] for p in products] == ["TSHIRT"]
    assert ref.product_id == products[0]["id"]


def test_it_returns_none_for_an_unknown_or_partial_sku(ecwid):
    assert ecwid.find_sku("NOPE-404") is None
    assert ecwid.find_sku("TSHIRT-BLK") is None


def test_it_reads_a_product_with_its_variations(ecwid):
    ref = ecwid.find_sku("TSHIRT-BLK-M")

    product = ecwid.get_product(ref.product_id)

    assert product["sku"] == "TSHIRT" and product["inStock"] is True
    assert {c["sku"] for c in product["combinations"]} == {"TSHIRT-BLK-M", "TSHIRT-WHT-L"}
    assert [c["id"] for c in ecwid.get_combinations(ref.product_id)] == [
        c["id"] for c in product["combinations"]
    ]


def test_it_sets_absolute_stock_of_a_product_and_of_a_variation(ecwid):
    mug = ecwid.find_sku("MUG-12OZ")
    shirt = ecwid.find_sku("TSHIRT-BLK-M")

    assert ecwid.set_product_stock(mug.product_id, 7) == 1
    assert ecwid.set_combination_stock(shirt.product_id, shirt.combination_id, 3) == 1

    assert ecwid.find_sku("MUG-12OZ").quantity == 7
    assert ecwid.find_sku("TSHIRT-BLK-M").quantity == 3
    assert sandbox_store.stock_of("TSHIRT-WHT-L") == 100


def test_it_adjusts_stock_by_a_delta_even_below_zero(ecwid):
    mug = ecwid.find_sku("MUG-12OZ")
    shirt = ecwid.find_sku("TSHIRT-WHT-L")

    assert ecwid.adjust_product_stock(mug.product_id, -2) == 1
    assert sandbox_store.stock_of("MUG-12OZ") == 98
    ecwid.adjust_product_stock(mug.product_id, -120)
    assert sandbox_store.stock_of("MUG-12OZ") == -22  # §5.3: negative stock is only a warning

    ecwid.adjust_combination_stock(shirt.product_id, shirt.combination_id, -4)
    assert sandbox_store.stock_of("TSHIRT-WHT-L") == 96


def test_setting_stock_makes_an_unlimited_product_tracked_again(ecwid):
    mug = ecwid.find_sku("MUG-12OZ")
    ecwid.request("PUT", f"/products/{mug.product_id}", body={"unlimited": True})
    assert ecwid.find_sku("MUG-12OZ").unlimited is True
    assert ecwid.find_sku("MUG-12OZ").quantity is None  # §5.1: quantity omitted when unlimited

    ecwid.set_product_stock(mug.product_id, 5)

    ref = ecwid.find_sku("MUG-12OZ")
    assert (ref.unlimited, ref.quantity) == (False, 5)


def test_it_reads_the_store_profile(ecwid):
    profile = ecwid.get_profile()

    assert profile["generalInfo"]["storeId"] == 1003
    assert profile["settings"]["storeName"] == "Acme US Store"
    assert profile["account"]["accountEmail"]
