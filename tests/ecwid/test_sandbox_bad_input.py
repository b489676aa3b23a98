"""Malformed input gets Ecwid's own error answer from the sandbox, never a 500."""

import json

import pytest
import requests

from sandbox.ecwid import store as sandbox_store
from sandbox.ecwid.models import Combination, Product, Store, Token, random_token
from tests.ecwid.conftest import order_payload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api(seeded):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {seeded['token']}"
    base = f"{seeded['api_base_url']}/1003"

    def call(method: str, path: str, body: bytes | None = None, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        if body is not None:
            kwargs["data"] = body
            kwargs["headers"] = {"Content-Type": "application/json"}
        return session.request(method, base + path, **kwargs)

    return call


def _refused(response: requests.Response, status: int = 400) -> dict:
    assert response.status_code == status, (response.status_code, response.text[:200])
    payload = response.json()
    assert set(payload) == {"errorMessage", "errorCode"}
    return payload


BAD_FIELDS = [
    {"paymentStatus": ["PAID"]},
    {"fulfillmentStatus": {"is": "SHIPPED"}},
    {"items": [{"name": "Mug", "quantity": 1, "selectedOptions": 5}]},
]
BAD_FIELD_IDS = ["status list", "status object", "options number"]


@pytest.mark.parametrize("change", BAD_FIELDS, ids=BAD_FIELD_IDS)
def test_a_created_order_with_fields_of_the_wrong_type_is_refused(api, change):
    _refused(api("POST", "/orders", json.dumps(order_payload(**change)).encode()))
    assert sandbox_store.count_orders() == 0


@pytest.mark.parametrize("change", BAD_FIELDS, ids=BAD_FIELD_IDS)
def test_an_update_with_fields_of_the_wrong_type_is_refused(api, change):
    order_id = api("POST", "/orders", json.dumps(order_payload()).encode()).json()["orderId"]

    _refused(api("PUT", f"/orders/{order_id}", json.dumps(change).encode()))

    assert sandbox_store.get_order(order_id)["paymentStatus"] == "PAID"


@pytest.mark.parametrize(
    "raw",
    [
        b'"total": 1e400',
        b'"subtotal": -1e400',
        b'"items": [{"name": "Mug", "quantity": 1, "price": 1e999}]',
        b'"shippingOption": {"shippingMethodName": "X", "shippingRate": 1e400}',
    ],
    ids=["total", "subtotal", "item price", "shipping rate"],
)
def test_a_number_too_big_for_a_double_is_refused(api, raw):
    payload = order_payload()
    key = raw.split(b'"')[1].decode()
    payload.pop(key, None)
    body = json.dumps(payload).encode()[:-1] + b", " + raw + b"}"

    _refused(api("POST", "/orders", body))

    assert sandbox_store.count_orders() == 0


def test_a_huge_total_never_breaks_search_or_the_store_page(api, seeded):
    # An order total the sandbox cannot index must not poison every later read of the store.
    response = api("POST", "/orders", json.dumps(order_payload(total=1e13, subtotal=1e13)).encode())
    assert response.status_code in (200, 400), response.text[:200]

    assert api("GET", "/orders").status_code == 200
    assert api("GET", "/orders", params={"keywords": "576461234567890"}).status_code == 200
    store_page = seeded["api_base_url"].replace("/api/v3", "/store/")
    assert requests.get(store_page, timeout=10).status_code == 200


@pytest.mark.parametrize("params", [{"keywords": "\x00"}, {"offset": "１"}, {"totalFrom": "1e999999"}])
def test_odd_search_parameters_are_answered_not_crashed(api, params):
    api("POST", "/orders", json.dumps(order_payload()).encode())

    response = api("GET", "/orders", params=params)

    assert response.status_code in (200, 400)
    assert response.headers["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    "redirect_uri", ["http://[::1", "http://[bad/oauth/ecwid/callback/", "http://%ff/"], ids=repr
)
def test_the_consent_page_refuses_a_malformed_redirect_uri_with_a_page(seeded, redirect_uri):
    response = requests.get(
        seeded["authorize_url"],
        params={
            "client_id": seeded["app_key"],
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": "read_orders",
        },
        timeout=10,
    )

    assert response.status_code == 400
    assert "redirect_uri" in response.text


def test_the_rate_limit_is_counted_per_token(seeded, faults):
    # §7.1: 600 requests a minute per token — another token of the same store has its own quota.
    second = Token.objects.create(
        store=Store.objects.get(store_id=1003),
        token=random_token("secret_"),
        source=Token.Source.OAUTH,
        scopes="read_store_profile",
    )
    faults("ecwid", rate_limit=2, rate_window=60)
    url = f"{seeded['api_base_url']}/1003/profile"

    def status(token: str) -> int:
        return requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code

    assert [status(seeded["token"]) for _ in range(3)] == [200, 200, 429]
    assert status(second.token) == 200


def _product_ids(api, **params) -> set[int]:
    response = api("GET", "/products", params=params)
    assert response.status_code == 200, response.text
    return {p["id"] for p in response.json()["items"]}


def test_stock_taken_by_a_paid_order_marks_the_product_updated(api, seeded):
    # §5.1 `updatedFrom` / §8.2: a product counts as updated when an order decreases its stock.
    Product.objects.update(updated_at="2020-01-01T00:00:00Z")
    mug = Product.objects.get(sku="MUG-12OZ")
    black = Combination.objects.get(sku="TSHIRT-BLK-M")
    assert _product_ids(api, updatedFrom="2021-01-01") == set()

    items = [
        {"name": "Mug", "sku": "MUG-12OZ", "quantity": 1, "price": 14.5, "productId": mug.product_id},
        {
            "name": "T-shirt",
            "sku": "TSHIRT-BLK-M",
            "quantity": 1,
            "price": 19.99,
            "productId": black.product.product_id,
            "combinationId": black.combination_id,
        },
    ]
    assert api("POST", "/orders", json.dumps(order_payload(items=items)).encode()).status_code == 200

    assert _product_ids(api, updatedFrom="2021-01-01") == {mug.product_id, black.product.product_id}
    assert _product_ids(api, updatedTo="2021-01-01") == set(
        Product.objects.exclude(pk__in=[mug.pk, black.product.pk]).values_list("product_id", flat=True)
    )


def test_a_variation_stock_delta_marks_its_product_updated(api):
    Product.objects.update(updated_at="2020-01-01T00:00:00Z")
    white = Combination.objects.get(sku="TSHIRT-WHT-L")
    path = f"/products/{white.product.product_id}/combinations/{white.combination_id}/inventory"

    assert api("PUT", path, json.dumps({"quantityDelta": -1}).encode()).status_code == 200

    assert _product_ids(api, updatedFrom="2021-01-01") == {white.product.product_id}


def test_custom_surcharges_are_a_list_as_in_ecwids_order_model(api):
    # Ecwid's `customSurcharges` is an array of {id, value, type, total, description}, not a number.
    surcharges = [{"id": "Fee", "value": 1.5, "type": "ABSOLUTE", "total": 1.5, "description": "Fee"}]

    response = api("POST", "/orders", json.dumps(order_payload(customSurcharges=surcharges)).encode())

    assert response.status_code == 200, response.text
    assert sandbox_store.get_order(response.json()["orderId"])["customSurcharges"] == surcharges
    _refused(api("POST", "/orders", json.dumps(order_payload(customSurcharges=1.5)).encode()))
