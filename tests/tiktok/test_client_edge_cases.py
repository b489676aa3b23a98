"""TikTokShopClient against answers the sandbox does not give: writes that fail with an internal
error inside a normal HTTP 200, and servers that echo secrets back."""

import json
from urllib.parse import unquote

import pytest

from syncapp.platforms.http import ErrorKind, PlatformError
from syncapp.platforms.tiktok_shop import ERROR_CODES, TikTokShopClient
from tests.tiktok.stub_server import stub_server

SECRET = "s3cr3t-app-secret-value"
ACCESS = "TTP_access-token-value-0123456789"
REFRESH = "TTP_refresh-token-value-0123456789"


def _client(base: str, **options) -> TikTokShopClient:
    options.setdefault("retries", 0)
    return TikTokShopClient(
        "app-key",
        SECRET,
        base,
        base,
        access_token=ACCESS,
        shop_cipher="ROW_cipher",
        timeout=(2, 5),
        **options,
    )


def _envelope(code: int, message: str, status: int = 200):
    body = json.dumps({"code": code, "message": message, "request_id": "RID", "data": None}).encode()
    return status, {"Content-Type": "application/json"}, body


def _error(call, *args) -> PlatformError:
    with pytest.raises(PlatformError) as caught:
        call(*args)
    return caught.value


@pytest.mark.parametrize("code", [36009003, 36009007])
def test_an_internal_error_on_a_write_leaves_the_outcome_unknown_even_with_http_200(code):
    # §4.2: 36009003 "internal error … (writes: re-read first)": whether the write applied is unknown,
    # whatever the HTTP status of the envelope.
    with stub_server(lambda method, path, body: _envelope(code, "Internal error")) as base:
        error = _error(_client(base).update_inventory, "123", [{"id": "1", "inventory": [{"quantity": 1}]}])

    assert (error.kind, error.code, error.status) == (ErrorKind.TRANSIENT, code, 200)
    assert error.outcome_unknown


def test_an_internal_error_on_a_read_is_not_an_unknown_outcome():
    with stub_server(lambda method, path, body: _envelope(36009003, "Internal error")) as base:
        error = _error(_client(base).get_warehouses)

    assert error.kind == ErrorKind.TRANSIENT and not error.outcome_unknown


def _echo_url_as_text(method: str, path: str, body: bytes):
    # Like a misconfigured proxy or framework 404 page: "Cannot GET /api/v2/token/get?app_secret=…".
    return 404, {"Content-Type": "text/plain"}, f"Cannot {method} {unquote(path)}".encode()


def _echo_url_in_envelope(method: str, path: str, body: bytes):
    return _envelope(36009004, f"Invalid request {unquote(path)}", 401)


@pytest.mark.parametrize("answer", [_echo_url_as_text, _echo_url_in_envelope], ids=["text", "envelope"])
def test_a_token_url_echoed_back_never_puts_the_app_secret_or_tokens_in_the_error(answer):
    with stub_server(answer) as base:
        client = _client(base)
        errors = [
            _error(client.get_access_token, "auth-code-123"),
            _error(client.refresh_access_token, REFRESH),
        ]

    for error in errors:
        text = f"{error} {error.message} {error.as_dict()}"
        assert SECRET not in text and REFRESH not in text and "auth-code-123" not in text, text


def test_an_access_token_echoed_back_by_the_api_is_not_repeated():
    def answer(method, path, body):
        return _envelope(36009004, f"Invalid credentials. The access token {ACCESS} is invalid.", 401)

    with stub_server(answer) as base:
        error = _error(_client(base).get_authorized_shops)

    assert error.kind == ErrorKind.AUTH
    assert ACCESS not in str(error) and ACCESS not in error.message


def test_a_429_from_a_gateway_without_the_envelope_is_rate_limited_and_waited_out():
    # §5: over the limit → HTTP 429; a gateway in front may answer it with an HTML page.
    answers = [
        (429, {"Content-Type": "text/html", "Retry-After": "3"}, b"<html>Too Many Requests</html>"),
        _envelope(0, "Success"),
    ]
    slept = []
    with stub_server(lambda method, path, body: answers.pop(0)) as base:
        shops = _client(base, retries=1, sleep=slept.append).get_authorized_shops()

    assert shops == [] and slept == [3.0]


def test_a_lasting_429_from_a_gateway_is_raised_as_rate_limited_with_its_retry_after():
    answer = (429, {"Content-Type": "text/html", "Retry-After": "7"}, b"<html>Too Many Requests</html>")
    with stub_server(lambda method, path, body: answer) as base:
        error = _error(_client(base).get_warehouses)

    assert (error.kind, error.status, error.retry_after) == (ErrorKind.RATE_LIMITED, 429, 7.0)


def test_find_skus_asks_for_at_most_ten_seller_skus_per_search():
    # §7.2: the 10-SKU cap of the 202502 search may apply to 202309 too (UNVERIFIED): batch to be safe.
    asked = []

    def answer(method, path, body):
        asked.append(json.loads(body)["seller_skus"])
        return 200, {}, json.dumps({"code": 0, "message": "Success", "request_id": "R", "data": {}}).encode()

    with stub_server(answer) as base:
        found = _client(base).find_skus([f"SKU-{n}" for n in range(23)])

    assert found == {} and [len(batch) for batch in asked] == [10, 10, 3]


def _data(data) -> tuple[int, dict, bytes]:
    return 200, {}, json.dumps({"code": 0, "message": "Success", "request_id": "R", "data": data}).encode()


@pytest.mark.parametrize(
    ("data", "call"),
    [
        ({"orders": 5, "next_page_token": "", "total_count": 1}, "orders"),
        ({"orders": [], "next_page_token": "", "total_count": "many"}, "orders"),
        ({"shops": 7}, "shops"),
        ({"products": [{"id": "1", "skus": 3}], "next_page_token": ""}, "skus"),
        ({"products": [{"id": "1", "skus": [{"seller_sku": "A", "inventory": 9}]}]}, "skus"),
        ({"warehouses": "main"}, "warehouses"),
        ({"errors": {"code": 1}}, "inventory"),
    ],
    ids=["orders not a list", "count not a number", "shops", "skus", "inventory", "warehouses", "errors"],
)
def test_an_answer_of_the_wrong_shape_is_a_bad_response_not_a_crash(data, call):
    calls = {
        "orders": lambda c: c.search_orders(update_time_ge=1, update_time_lt=2),
        "shops": lambda c: c.get_authorized_shops(),
        "skus": lambda c: c.find_skus(["A"]),
        "warehouses": lambda c: c.get_warehouses(),
        "inventory": lambda c: c.update_inventory("1", [{"id": "2", "inventory": [{"quantity": 1}]}]),
    }
    with stub_server(lambda method, path, body: _data(data)) as base:
        error = _error(calls[call], _client(base))

    assert error.kind == ErrorKind.BAD_RESPONSE


def test_an_error_envelope_with_odd_types_is_still_an_error_not_a_crash():
    body = json.dumps({"code": "36009003", "message": {"text": "busy"}, "request_id": 5}).encode()
    with stub_server(lambda method, path, raw: (200, {}, body)) as base:
        error = _error(_client(base).get_warehouses)

    assert (error.kind, error.code, error.request_id) == (ErrorKind.TRANSIENT, 36009003, "5")


def test_every_code_the_spec_names_for_products_and_inventory_has_a_meaning():
    # §7.1 rules text (12052533) and §7.2 search caps (12019027, 12019087, 12052180), besides the
    # §7.1 "selected error codes" list.
    named = {
        12019022, 12019024, 12019027, 12019028, 12019087, 12052031, 12052032, 12052036, 12052037,
        12052048, 12052055, 12052097, 12052180, 12052260, 12052393, 12052530, 12052531, 12052533,
        12052553, 12052556, 12052901, 12052921, 12052990,
    }  # fmt: skip
    assert named - set(ERROR_CODES) == set()
