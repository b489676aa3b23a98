"""The emulated Ecwid API checked at the HTTP level: what a careless client would run into (spec §2, §7)."""

import pytest
import requests

from sandbox.ecwid import store as sandbox_store
from sandbox.ecwid.models import Store, Token
from tests.ecwid.conftest import order_payload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api(seeded):
    """requests with Alice's token in the header, against her store's API base."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {seeded['token']}"
    base = f"{seeded['api_base_url']}/1003"

    def call(method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 5)
        return session.request(method, base + path, **kwargs)

    return call


def test_a_token_in_the_query_string_counts_as_no_token(seeded):
    url = f"{seeded['api_base_url']}/1003/profile"

    response = requests.get(url, params={"token": seeded["token"]}, timeout=5)

    assert response.status_code == 401
    assert "query string" in response.json()["errorMessage"]


def test_a_post_that_is_not_json_is_refused_with_415(api):
    response = api("POST", "/orders", data="email=a@b.c", headers={"Content-Type": "text/plain"})

    assert response.status_code == 415
    assert sandbox_store.count_orders() == 0


def test_a_body_that_is_not_json_gets_ecwids_error_envelope(api):
    response = api("POST", "/orders", data=b"{nope", headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert set(response.json()) == {"errorMessage", "errorCode"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"paymentStatus": "PAYED"}, "paymentStatus"),
        ({"paymentStatus": "QUEUED"}, "Status QUEUED is deprecated, use AWAITING_PAYMENT instead"),
        ({"fulfillmentStatus": None}, "Field Order.fulfillmentStatus is absent"),
        ({"total": "34.00"}, "Field Order.total must be a number"),
        ({"items": [{"quantity": 1}]}, "Field OrderItem.name is absent"),
        ({"items": [{"name": "Mug", "quantity": 0}]}, "quantity"),
        ({"items": [{"name": "Mug", "quantity": 1, "productId": 10**30}]}, "productId"),
    ],
)
def test_an_invalid_order_is_refused_with_a_clear_message(api, change, message):
    response = api("POST", "/orders", json=order_payload(**change))

    assert response.status_code == 400
    assert message in response.json()["errorMessage"]


def test_not_a_number_is_not_json(api):
    response = api(
        "POST",
        "/orders",
        data=b'{"email": "a@b.c", "total": NaN}',
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 400


def test_the_limit_is_at_most_a_hundred(api):
    assert api("GET", "/orders", params={"limit": 101}).status_code == 400
    assert api("GET", "/orders", params={"limit": "x"}).status_code == 400
    assert api("GET", "/orders", params={"createdFrom": "last tuesday"}).status_code == 400
    assert api("GET", "/products", params={"limit": 100}).json()["limit"] == 100


def test_a_rate_limited_answer_carries_retry_after(api, faults):
    faults("ecwid", rate_limit=2, rate_window=60)
    api("GET", "/profile")
    api("GET", "/profile")

    response = api("GET", "/profile")

    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json()["errorCode"] == "RATE_LIMITED"


def test_a_lost_response_looks_like_a_gateway_error_without_json(api, faults):
    faults("ecwid", lost_response_next=1)

    response = api("POST", "/orders", json=order_payload("GW-1"))

    assert response.status_code == 502
    assert response.headers["Content-Type"].startswith("text/html")
    assert len(sandbox_store.find_by_external_id("GW-1")) == 1


def test_a_public_token_may_only_create_unpaid_orders(api, seeded):
    public = Token.objects.get(source=Token.Source.CUSTOM_APP, kind=Token.Kind.PUBLIC).token
    headers = {"Authorization": f"Bearer {public}"}

    paid = api("POST", "/orders", json=order_payload(), headers=headers)
    unpaid = api("POST", "/orders", json=order_payload(paymentStatus="AWAITING_PAYMENT"), headers=headers)

    assert paid.status_code == 403
    assert unpaid.status_code == 200
    assert "privateAdminNotes" not in sandbox_store.get_order(unpaid.json()["orderId"])
    assert api("GET", "/orders", headers=headers).status_code == 403


def test_odd_ids_are_not_found_rather_than_errors(api):
    assert api("GET", "/orders/" + "9" * 40).status_code == 404
    assert api("GET", "/products/" + "9" * 40).status_code == 404
    assert api("GET", "/products/abc/combinations").json()["errorCode"] == "PRODUCT_NOT_FOUND"
    assert api("GET", "/nowhere").status_code == 404


def test_a_wrong_method_is_refused_with_405(api):
    assert api("POST", "/profile", json={}).status_code == 405


def test_order_ids_follow_the_stores_prefix(api):
    Store.objects.filter(store_id=1003).update(order_id_prefix="ACME-")

    order_id = api("POST", "/orders", json=order_payload()).json()["orderId"]

    assert order_id.startswith("ACME-") and len(order_id) == 10
    assert api("GET", f"/orders/{order_id}").json()["id"] == order_id
    assert api("GET", f"/orders/{order_id[5:]}").json()["id"] == order_id


def test_a_variation_without_its_own_sku_has_no_stock_to_adjust(api):
    product = api("GET", "/products", params={"sku": "TSHIRT"}).json()["items"][0]
    combination = product["combinations"][0]
    api("PUT", f"/products/{product['id']}/combinations/{combination['id']}", json={"sku": ""})

    response = api(
        "PUT",
        f"/products/{product['id']}/combinations/{combination['id']}/inventory",
        json={"quantityDelta": -1},
    )

    assert response.status_code == 400


def test_a_duplicate_sku_is_a_conflict(api):
    product = api("GET", "/products", params={"sku": "MUG-12OZ"}).json()["items"][0]

    response = api("PUT", f"/products/{product['id']}", json={"sku": "CAP-NAVY"})

    assert response.status_code == 409 and response.json()["errorCode"] == "SKU_ALREADY_EXISTS"
