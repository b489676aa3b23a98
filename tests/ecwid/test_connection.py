"""The Ecwid connection module: a pasted custom-app token, the connection test and plain-words errors."""

import time

import pytest

from sandbox.ecwid.models import Store, Token, random_token
from syncapp import connections
from syncapp.connections import ecwid as ecwid_connection
from syncapp.models import Connection
from syncapp.platforms.ecwid import EcwidClient
from syncapp.platforms.http import ErrorKind, PlatformError

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def pasted(seeded) -> Connection:
    """Staff who skip OAuth: the custom app's secret token and the store id, pasted in."""
    fields = {k: v for k, v in seeded.items() if k != "token"}
    return Connection.objects.create(**fields, access_token=seeded["token"])


def _explained(conn: Connection) -> tuple[PlatformError, str]:
    with pytest.raises(PlatformError) as caught:
        ecwid_connection.check(conn)
    message = ecwid_connection.explain(caught.value)
    assert conn.access_token == "" or conn.access_token not in message
    assert conn.app_secret not in message
    return caught.value, message


def test_a_pasted_custom_app_token_works(pasted):
    assert ecwid_connection.check(pasted) == "Connected to store Acme US Store (#1003)."


def test_the_connection_test_records_its_outcome_on_the_row(pasted):
    ok, message = connections.test_connection(pasted)

    pasted.refresh_from_db()
    assert ok and pasted.status == Connection.Status.OK and pasted.last_check_message == message


def test_it_hands_out_a_client_for_the_store(pasted):
    client = ecwid_connection.client_for(pasted)

    assert isinstance(client, EcwidClient) and client.store_id == "1003"
    assert client.find_sku("MUG-12OZ") is not None


def test_without_a_token_it_says_to_authorize_or_paste_one(pasted):
    pasted.access_token = ""

    error, message = _explained(pasted)

    assert error.kind is ErrorKind.AUTH
    assert message == "No access token yet: click Authorize, or paste the custom app's secret token."


def test_a_wrong_token_is_explained(pasted):
    pasted.access_token = "secret_wrong"

    error, message = _explained(pasted)

    assert error.code == "INVALID_API_TOKEN" and "refused the access token" in message


def test_a_regenerated_token_is_explained_like_a_wrong_one(pasted):
    Token.objects.filter(token=pasted.access_token).update(active=False)

    _error, message = _explained(pasted)

    assert "revoked" in message


def test_a_wrong_store_id_is_explained(pasted):
    pasted.store_id = "9999"

    error, message = _explained(pasted)

    assert error.code == "STORE_NOT_FOUND" and "store id" in message.lower()


def test_a_token_without_the_order_scope_is_explained(pasted):
    store = Store.objects.get(store_id=1003)
    pasted.access_token = Token.objects.create(
        store=store,
        token=random_token("secret_"),
        source=Token.Source.CUSTOM_APP,
        scopes="read_store_profile",
    ).token

    error, message = _explained(pasted)

    assert error.kind is ErrorKind.PERMISSION and "permission" in message and "read_orders" in message


def test_a_plan_restriction_is_explained(pasted):
    Store.objects.filter(store_id=1003).update(suspended=True)

    _error, message = _explained(pasted)

    assert "plan" in message


def test_an_unreachable_host_is_explained(pasted):
    pasted.api_base_url = "http://127.0.0.1:9/api/v3"

    error, message = _explained(pasted)

    assert error.kind is ErrorKind.UNREACHABLE and "Could not reach Ecwid" in message


def test_a_timeout_is_explained(pasted, faults, settings):
    # Through a write: a read that keeps timing out comes out of the shared session's retries as a
    # connection error (see the report to the lead).
    settings.PLATFORM_HTTP_TIMEOUT = (2, 0.2)
    faults("ecwid", timeout_next=1, timeout_seconds=0.5)
    with pytest.raises(PlatformError) as caught:
        ecwid_connection.client_for(pasted).create_order({"email": "a@b.c"})

    message = ecwid_connection.explain(caught.value)

    assert "did not answer in time" in message
    time.sleep(0.4)  # let the sandbox's hung request finish before the database is flushed


def test_rate_limiting_is_explained(pasted, faults):
    faults("ecwid", rate_limit_next=1, retry_after=300)
    with pytest.raises(PlatformError) as caught:
        ecwid_connection.client_for(pasted).create_order({"email": "a@b.c"})

    message = ecwid_connection.explain(caught.value)

    assert caught.value.kind is ErrorKind.RATE_LIMITED
    assert "rate limiting" in message and "300 seconds" in message


def test_a_platform_error_is_explained(pasted, faults):
    faults("ecwid", error_next=1)

    _error, message = _explained(pasted)

    assert "internal error" in message


def test_the_authorization_url_asks_for_what_the_sync_needs(pasted):
    url = ecwid_connection.authorization_url(pasted, redirect_uri="http://portal.example/cb/", state="s")

    assert url.startswith(pasted.authorize_url + "?")
    assert "client_id=sandbox-ecwid-app" in url and "response_type=code" in url and "state=s" in url
    for scope in ecwid_connection.SCOPES:
        assert scope in url
