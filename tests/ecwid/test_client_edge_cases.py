"""EcwidClient where an order may exist although the call failed, and servers that echo secrets
back."""

import json

import pytest

from sandbox.ecwid import store as sandbox_store
from sandbox.ecwid.models import Store
from syncapp.connections import ecwid as ecwid_connection
from syncapp.platforms import ecwid as ecwid_api
from syncapp.platforms.ecwid import EcwidClient
from syncapp.platforms.http import ErrorKind, PlatformError
from tests.ecwid.conftest import order_payload
from tests.tiktok.stub_server import stub_server


def _error(call, *args, **kwargs) -> PlatformError:
    with pytest.raises(PlatformError) as caught:
        call(*args, **kwargs)
    return caught.value


@pytest.mark.django_db(transaction=True)
def test_a_create_whose_id_lookup_fails_is_an_unknown_outcome_not_a_failure(ecwid, faults):
    # §4.2: an old-style answer `{"id": n}` makes the client look the order up by its internal id.
    # The order exists by then: if the lookup fails, the caller must look before creating again.
    Store.objects.filter(store_id=1003).update(create_response_key="")
    faults("ecwid", path_contains="/orders/", error_next=1)  # only the GET /orders/{id}

    error = _error(ecwid.create_order, order_payload("576000000000000111"))

    assert error.outcome_unknown
    assert len(sandbox_store.find_by_external_id("576000000000000111")) == 1


def _client(base: str) -> EcwidClient:
    return EcwidClient(base + "/api/v3", 1003, "secret_tokenValue0123456789", timeout=(2, 5))


@pytest.mark.parametrize("body", [b"<html>OK</html>", b'["not", "an", "object"]', b""], ids=repr)
def test_an_unreadable_success_answer_to_a_create_is_an_unknown_outcome(body):
    with stub_server(lambda method, path, raw: (200, {"Content-Type": "text/html"}, body)) as base:
        error = _error(_client(base).create_order, order_payload())

    assert error.outcome_unknown  # a 2xx means Ecwid took it; only its id is unknown


def test_an_echoed_client_secret_or_code_never_reaches_the_error():
    def answer(method, path, raw):
        message = f"Bad request: {raw.decode()}"  # e.g. a proxy echoing the form it refused
        return 400, {"Content-Type": "application/json"}, json.dumps({"errorMessage": message}).encode()

    with stub_server(answer) as base:
        error = _error(
            ecwid_api.exchange_code,
            base,
            client_id="sandbox-ecwid-app",
            client_secret="client-secret-value-0123",
            code="one-time-code-0123",
            redirect_uri="https://portal.example/oauth/ecwid/callback/",
        )

    assert error.kind == ErrorKind.INVALID
    text = f"{error} {error.as_dict()}"
    assert "client-secret-value-0123" not in text and "one-time-code-0123" not in text, text


def test_an_echoed_token_never_reaches_the_error():
    def answer(method, path, raw):
        return 403, {}, json.dumps({"errorMessage": "Invalid token secret_tokenValue0123456789"}).encode()

    with stub_server(answer) as base:
        error = _error(_client(base).get_profile)

    assert error.kind == ErrorKind.AUTH and "secret_tokenValue0123456789" not in str(error)


@pytest.mark.django_db(transaction=True)
def test_a_missing_scope_without_an_error_body_is_still_a_permission_error(seeded, other_store):
    # §7.2: without a body only the reason phrase tells a missing scope from a bad token (both 403).
    Store.objects.filter(store_id=2002).update(omit_error_bodies=True)
    bob = EcwidClient(seeded["api_base_url"], "2002", other_store["token"], timeout=(2, 5))

    missing_scope = _error(bob.search_orders)
    bad_token = _error(EcwidClient(seeded["api_base_url"], "2002", "secret_nope", timeout=(2, 5)).get_profile)

    assert (missing_scope.status, missing_scope.code, missing_scope.kind) == (403, None, ErrorKind.PERMISSION)
    assert (bad_token.status, bad_token.kind) == (403, ErrorKind.AUTH)
    assert "lacks a permission" in ecwid_connection.explain(missing_scope)


def test_a_408_timeout_on_a_create_is_an_unknown_outcome():
    # §7.3: 408 TIMEOUT — Ecwid gave up on the request while handling it; it may have been applied.
    body = json.dumps({"errorMessage": "Request timeout", "errorCode": "TIMEOUT"}).encode()
    with stub_server(lambda method, path, raw: (408, {"Content-Type": "application/json"}, body)) as base:
        error = _error(_client(base).create_order, order_payload())

    assert (error.kind, error.code) == (ErrorKind.TRANSIENT, "TIMEOUT") and error.outcome_unknown


@pytest.mark.parametrize(
    ("answer", "call"),
    [
        ({"total": "lots", "count": 1, "offset": 0, "limit": 100, "items": [{"id": "A"}]}, "iter"),
        ({"total": 1, "items": 5}, "iter"),
        ({"total": 1, "items": [{"sku": "MUG-12OZ"}]}, "sku"),
        ({"total": 1, "items": [{"id": 1, "sku": "X", "combinations": [{"sku": "MUG-12OZ"}]}]}, "sku"),
        ({"total": 1, "items": [{"id": 1, "sku": "MUG-12OZ", "quantity": "many"}]}, "sku"),
        ({"updateCount": "one"}, "update"),
    ],
    ids=["total", "items", "product id", "combination id", "quantity", "updateCount"],
)
def test_an_answer_of_the_wrong_shape_is_a_bad_response_not_a_crash(answer, call):
    calls = {
        "iter": lambda c: list(c.iter_orders()),
        "sku": lambda c: c.find_sku("MUG-12OZ"),
        "update": lambda c: c.update_order("XJ12H", {"trackingNumber": "1"}),
    }
    body = json.dumps(answer).encode()
    with stub_server(lambda method, path, raw: (200, {"Content-Type": "application/json"}, body)) as base:
        error = _error(calls[call], _client(base))

    assert error.kind == ErrorKind.BAD_RESPONSE
