"""The emulated Open API refuses what TikTok Shop refuses, over real HTTP (§1.2, §1.3, §4.2, §5)."""

import time

import pytest
import requests
from django.utils import timezone

from sandbox.tiktok import api as sandbox_api
from sandbox.tiktok.models import Token
from tests.tiktok.sandbox_calls import compact, envelope, signed_request

pytestmark = pytest.mark.django_db(transaction=True)

SEARCH = "/order/202309/orders/search"
SHOPS = "/authorization/202309/shops"
WINDOW = {"update_time_ge": 1700000000, "update_time_lt": 2000000000}


def search(tts, token, **kwargs):
    kwargs.setdefault("body", compact(WINDOW))
    query = {
        "shop_cipher": tts.shop.cipher,
        "page_size": "10",
        "sort_field": "update_time",
        "sort_order": "ASC",
    }
    return signed_request(
        tts, "POST", SEARCH, token=token, query={**query, **kwargs.pop("query", {})}, **kwargs
    )


def test_a_correctly_signed_request_succeeds(tts, token):
    response = search(tts, token)
    assert response.status_code == 200
    payload = envelope(response)
    assert payload["code"] == 0
    assert payload["data"] == {"orders": [], "next_page_token": "", "total_count": 0}


def test_it_refuses_a_sign_over_another_path(tts, token):
    response = search(tts, token, sign_path="/order/202309/orders/searcH")
    assert response.status_code == 401
    assert envelope(response)["code"] == 106001


def test_it_refuses_a_sign_that_includes_the_base_urls_path_prefix(tts, token):
    response = search(tts, token, sign_path="/sandbox/tiktok/open-api" + SEARCH)
    assert envelope(response)["code"] == 106001


@pytest.mark.parametrize("key", ["shop_cipher", "page_size", "sort_field", "sort_order"])
def test_it_refuses_a_changed_query_value(tts, token, key):
    sent = {
        "shop_cipher": tts.shop.cipher,
        "page_size": "10",
        "sort_field": "update_time",
        "sort_order": "ASC",
    }
    signed = {**sent, key: sent[key][:-1] + chr(ord(sent[key][-1]) ^ 1)}
    now = str(int(time.time()))
    response = search(
        tts,
        token,
        query=sent,
        timestamp=int(now),
        sign_query={"app_key": tts.app.app_key, "timestamp": now, **signed},
    )
    assert envelope(response)["code"] == 106001


def test_it_refuses_a_changed_timestamp(tts, token):
    now = int(time.time())
    signed = {"app_key": tts.app.app_key, "timestamp": str(now - 1)}
    response = signed_request(tts, "GET", SHOPS, token=token, timestamp=now, sign_query=signed)
    assert envelope(response)["code"] == 106001


def test_it_refuses_an_added_query_parameter(tts, token):
    now = str(int(time.time()))
    signed = {"app_key": tts.app.app_key, "timestamp": now}
    response = signed_request(
        tts, "GET", SHOPS, token=token, timestamp=int(now), query={"x": "1"}, sign_query=signed
    )
    assert envelope(response)["code"] == 106001


def test_it_refuses_a_body_changed_by_one_byte(tts, token):
    body = compact(WINDOW)
    response = search(tts, token, body=body.replace(b"1700000000", b"1700000001"), sign_body=body)
    assert response.status_code == 401
    assert envelope(response)["code"] == 106001


def test_it_refuses_a_body_re_serialized_with_spaces(tts, token):
    response = search(
        tts,
        token,
        body=b'{"update_time_ge": 1700000000, "update_time_lt": 2000000000}',
        sign_body=compact(WINDOW),
    )
    assert envelope(response)["code"] == 106001


def test_it_refuses_a_sign_made_with_another_secret(tts, token):
    response = search(tts, token, secret="not-the-secret")
    assert response.status_code == 401
    payload = envelope(response)
    assert payload["code"] == 106001
    assert "sign" in payload["message"]


def test_it_refuses_a_request_without_sign(tts, token):
    url = f"{tts.fields['api_base_url']}{SHOPS}?app_key={tts.app.app_key}&timestamp={int(time.time())}"
    payload = envelope(requests.get(url, headers={"x-tts-access-token": token.access_token}, timeout=5))
    assert payload["code"] == 36009004
    assert "sign" in payload["message"]


@pytest.mark.parametrize(
    "offset", [-301, -3600, 31, 600], ids=["5 min old", "an hour old", "31 s ahead", "far ahead"]
)
def test_it_refuses_a_timestamp_outside_the_window(tts, token, offset):
    payload = envelope(signed_request(tts, "GET", SHOPS, token=token, timestamp=int(time.time()) + offset))
    assert payload["code"] == 36009004
    assert "timestamp" in payload["message"].lower()


def test_it_accepts_a_timestamp_at_the_edges_of_the_window(tts, token):
    for offset in (-290, 25):
        assert (
            envelope(signed_request(tts, "GET", SHOPS, token=token, timestamp=int(time.time()) + offset))[
                "code"
            ]
            == 0
        )


def test_it_refuses_an_unknown_app_key(tts, token):
    now = int(time.time())
    response = signed_request(tts, "GET", SHOPS, token=token, query={"app_key": "nobody"}, timestamp=now)
    payload = envelope(response)
    assert payload["code"] == 36009004
    assert "app_key" in payload["message"]


def test_it_answers_an_unknown_path_and_a_wrong_method(tts, token):
    assert envelope(signed_request(tts, "GET", "/order/202309/nothing", token=token))["code"] == 36009009
    assert envelope(signed_request(tts, "GET", SEARCH, token=token))["code"] == 36009010


def test_it_refuses_a_shop_cipher_on_get_authorized_shops(tts, token):
    payload = envelope(signed_request(tts, "GET", SHOPS, token=token, query={"shop_cipher": tts.shop.cipher}))
    assert payload["code"] == 36009004
    assert "shop_cipher" in payload["message"] and "not required" in payload["message"]


def test_it_requires_a_shop_cipher_on_shop_apis(tts, token):
    response = signed_request(tts, "GET", "/logistics/202309/warehouses", token=token)
    assert envelope(response)["code"] == 106013


def test_it_refuses_a_missing_unknown_or_revoked_token(tts, token):
    assert envelope(signed_request(tts, "GET", SHOPS))["code"] == 36009004
    assert (
        envelope(signed_request(tts, "GET", SHOPS, headers={"x-tts-access-token": "TTP_nope"}))["code"]
        == 36009004
    )
    Token.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    payload = envelope(signed_request(tts, "GET", SHOPS, token=token))
    assert payload["code"] == 36009004
    assert "access token" in payload["message"]


def test_it_refuses_an_expired_token_with_105002(tts, token):
    Token.objects.filter(pk=token.pk).update(access_expires_at=timezone.now() - timezone.timedelta(seconds=1))
    response = signed_request(tts, "GET", SHOPS, token=token)
    assert response.status_code == 401
    assert envelope(response)["code"] == 105002


def test_it_refuses_a_token_for_another_shop_with_101000(tts, token, other_shop):
    query = {"shop_cipher": other_shop.cipher}
    assert (
        envelope(signed_request(tts, "GET", "/logistics/202309/warehouses", token=token, query=query))["code"]
        == 101000
    )


def test_it_refuses_an_unknown_cipher(tts, token):
    query = {"shop_cipher": "ROW_does_not_exist"}
    payload = envelope(signed_request(tts, "GET", "/logistics/202309/warehouses", token=token, query=query))
    assert payload["code"] == 36009004
    assert "shop_cipher" in payload["message"]


def test_it_refuses_an_api_whose_scope_was_not_granted(tts, token):
    Token.objects.filter(pk=token.pk).update(scopes=["seller.authorization.info"])
    assert envelope(search(tts, token))["code"] == 105005


def test_it_refuses_a_post_that_is_not_json(tts, token):
    response = search(tts, token, headers={"Content-Type": "text/plain"})
    assert envelope(response)["code"] == 36009022


def test_it_validates_page_size_sort_and_page_token(tts, token):
    for query in ({"page_size": "0"}, {"page_size": "101"}, {"sort_field": "price"}, {"sort_order": "UP"}):
        assert envelope(search(tts, token, query=query))["code"] == 36009004, query
    assert envelope(search(tts, token, query={"page_token": "bm90IGEgdG9rZW4="}))["code"] == 36009004


def test_it_refuses_more_than_50_order_ids(tts, token):
    ids = ",".join(str(576000000000000000 + n) for n in range(51))
    response = signed_request(
        tts, "GET", "/order/202309/orders", token=token, query={"shop_cipher": tts.shop.cipher, "ids": ids}
    )
    assert envelope(response)["code"] == 36009004


def test_it_rate_limits_per_app_shop_and_api_with_429(tts, token, faults):
    faults("tiktok", rate_limit=3, rate_window=60)
    codes = [envelope(signed_request(tts, "GET", SHOPS, token=token))["code"] for _ in range(3)]
    assert codes == [0, 0, 0]
    response = signed_request(tts, "GET", SHOPS, token=token)
    assert response.status_code == 429
    assert envelope(response)["code"] == 36009002
    assert int(response.headers["Retry-After"]) >= 1
    # another API of the same shop has its own quota (§5)
    query = {"shop_cipher": tts.shop.cipher}
    assert (
        envelope(signed_request(tts, "GET", "/logistics/202309/warehouses", token=token, query=query))["code"]
        == 0
    )


@pytest.mark.parametrize(
    ("switch", "status", "code"),
    [("error_next", 500, 36009003), ("rate_limit_next", 429, 36009002), ("timeout_next", 504, 36009007)],
)
def test_injected_faults_come_in_tiktoks_envelope(tts, token, faults, switch, status, code):
    faults("tiktok", timeout_seconds=0.05, **{switch: 1})
    response = signed_request(tts, "GET", SHOPS, token=token)
    assert response.status_code == status
    assert envelope(response)["code"] == code
    assert envelope(signed_request(tts, "GET", SHOPS, token=token))["code"] == 0  # only the next one


def test_a_lost_response_is_applied_but_answered_502(tts, token, faults):
    sku = tts.shop.products.get(title="Canvas Tote Bag").skus.get()
    body = {
        "skus": [
            {"id": sku.sku_id, "inventory": [{"warehouse_id": tts.warehouse.warehouse_id, "quantity": 7}]}
        ]
    }
    faults("tiktok", lost_response_next=1)
    path = f"/product/202309/products/{sku.product.product_id}/inventory/update"
    query = {"shop_cipher": tts.shop.cipher}
    response = signed_request(tts, "POST", path, token=token, query=query, body=compact(body))
    assert response.status_code == 502
    assert envelope(response)["code"] == 36009003
    assert sku.stock.get().quantity == 7


def test_token_lifetimes_are_7_days_and_longer(tts):
    token = sandbox_api.issue_token(tts.app, tts.shop)
    now = timezone.now()
    assert abs((token.access_expires_at - now) - timezone.timedelta(days=7)) < timezone.timedelta(minutes=1)
    assert token.refresh_expires_at - now > timezone.timedelta(days=30)
