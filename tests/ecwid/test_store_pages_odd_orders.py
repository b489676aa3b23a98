"""The store's control panel shows whatever the API accepted, never a 500."""

import json

import pytest
import requests

from tests.ecwid.conftest import order_payload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def create(seeded):
    def post(**changes) -> requests.Response:
        return requests.post(
            f"{seeded['api_base_url']}/1003/orders",
            data=json.dumps(order_payload(**changes)),
            headers={"Authorization": f"Bearer {seeded['token']}", "Content-Type": "application/json"},
            timeout=10,
        )

    return post


@pytest.fixture
def page(seeded):
    store = seeded["api_base_url"].replace("/api/v3", "/store")

    def get(path: str, **params) -> requests.Response:
        return requests.get(f"{store}{path}", params=params, timeout=10)

    return get


@pytest.mark.parametrize(
    "changes",
    [
        {"shippingPerson": None, "billingPerson": None},
        {"shippingPerson": {}, "billingPerson": {"street": "1 Main St"}},
        {"orderExtraFields": [{"value": "576461234567890"}]},
        {"orderExtraFields": [], "customDiscount": [{"value": 1}], "discountInfo": []},
    ],
    ids=["no addresses", "addresses without names", "extra field without id or title", "discounts"],
)
def test_an_order_the_api_accepted_shows_on_the_list_and_its_page(create, page, changes):
    response = create(**changes)
    assert response.status_code == 200, response.text
    order_id = response.json()["orderId"]

    listing = page("/")
    detail = page(f"/orders/{order_id}/")
    found = page("/", q=order_id)

    assert (listing.status_code, detail.status_code, found.status_code) == (200, 200, 200)
    assert order_id in listing.text and order_id in found.text and order_id in detail.text


@pytest.mark.parametrize(
    "changes",
    [
        {"orderExtraFields": True},
        {"orderExtraFields": [""]},
        {"customDiscount": 5},
        {"discountInfo": [1, 2]},
    ],
    ids=[
        "extra fields not a list",
        "extra field not an object",
        "discounts a number",
        "discount info numbers",
    ],
)
def test_lists_of_the_wrong_shape_are_refused_by_the_api(create, changes):
    response = create(**changes)

    assert response.status_code == 400
    assert response.json()["errorCode"] == "WRONG_PARAMETER"
