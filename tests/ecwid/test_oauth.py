"""Installing the app through the sandbox's consent page, end to end over HTTP (spec §2.4)."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from sandbox.ecwid.models import Token
from syncapp.connections import ecwid as ecwid_connection
from syncapp.models import Connection
from syncapp.platforms import ecwid
from syncapp.platforms.http import ErrorKind, PlatformError

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def conn(seeded) -> Connection:
    fields = {k: v for k, v in seeded.items() if k not in ("token", "store_id")}
    return Connection.objects.create(**fields)


@pytest.fixture
def redirect_uri(live_server) -> str:
    return f"{live_server.url}/oauth/ecwid/callback/"


def _consent(url: str, action: str) -> requests.Response:
    """What the merchant does: open the install link, then press Install or Decline."""
    browser = requests.Session()
    page = browser.get(url, timeout=5)
    assert page.status_code == 200, page.text
    assert "Install" in page.text and "Acme US Store" in page.text
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    form["action"] = action
    return browser.post(url, data=form, allow_redirects=False, timeout=5)


def _query(response: requests.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["Location"]).query).items()}


def test_it_installs_through_the_consent_page_and_connects(conn, redirect_uri):
    url = ecwid_connection.authorization_url(conn, redirect_uri=redirect_uri, state="st4te")
    assert (
        "scope=read_store_profile+read_catalog+update_catalog+read_orders+create_orders+update_orders" in url
    )

    answer = _query(_consent(url, "install"))
    assert answer["state"] == "st4te" and answer["code"]

    message = ecwid_connection.complete_authorization(conn, code=answer["code"], redirect_uri=redirect_uri)

    assert message == "Connected to store Acme US Store (#1003)."
    conn.refresh_from_db()
    assert conn.access_token.startswith("secret_") and conn.store_id == "1003"
    assert set(conn.scopes.split()) == set(ecwid_connection.SCOPES)
    assert ecwid_connection.check(conn) == "Connected to store Acme US Store (#1003)."


def test_the_token_answer_has_exactly_ecwids_fields(conn, redirect_uri, seeded):
    answer = _query(
        _consent(ecwid_connection.authorization_url(conn, redirect_uri=redirect_uri, state=""), "install")
    )

    token = ecwid.exchange_code(
        conn.auth_base_url,
        client_id=seeded["app_key"],
        client_secret=seeded["app_secret"],
        code=answer["code"],
        redirect_uri=redirect_uri,
    )

    # §2.4: `public_token` only comes when `public_storefront` was asked for; the sync does not ask.
    assert set(token) == {"access_token", "token_type", "scope", "store_id", "email"}
    assert token["token_type"] == "bearer" and token["store_id"] == 1003
    assert token["access_token"].startswith("secret_")
    assert token["email"] == "owner@acme-us.example"


def test_a_public_token_comes_only_when_public_storefront_was_asked_for(conn, redirect_uri, seeded):
    url = ecwid.authorization_url(
        conn.authorize_url,
        client_id=seeded["app_key"],
        redirect_uri=redirect_uri,
        scopes=["read_catalog", "public_storefront"],
    )
    answer = _query(_consent(url, "install"))

    token = ecwid.exchange_code(
        conn.auth_base_url,
        client_id=seeded["app_key"],
        client_secret=seeded["app_secret"],
        code=answer["code"],
        redirect_uri=redirect_uri,
    )

    assert set(token) == {"access_token", "token_type", "scope", "store_id", "email", "public_token"}
    assert token["public_token"].startswith("public_")
    assert Token.objects.get(token=token["public_token"]).kind == Token.Kind.PUBLIC


def test_a_code_works_once_and_reusing_it_disables_the_first_token(conn, redirect_uri):
    code = _query(
        _consent(ecwid_connection.authorization_url(conn, redirect_uri=redirect_uri, state=""), "install")
    )["code"]
    ecwid_connection.complete_authorization(conn, code=code, redirect_uri=redirect_uri)
    first_token = conn.access_token

    with pytest.raises(PlatformError) as caught:
        ecwid_connection.complete_authorization(conn, code=code, redirect_uri=redirect_uri)

    assert (caught.value.kind, caught.value.code) == (ErrorKind.AUTH, "invalid_grant")
    assert "already used" in ecwid_connection.explain(caught.value)
    assert Token.objects.get(token=first_token).active is False
    conn.refresh_from_db()
    with pytest.raises(PlatformError) as caught:
        ecwid_connection.check(conn)
    assert caught.value.code == "INVALID_API_TOKEN"


def test_declining_sends_the_merchant_back_with_access_denied(conn, redirect_uri):
    url = ecwid_connection.authorization_url(conn, redirect_uri=redirect_uri, state="abc")

    answer = _query(_consent(url, "decline"))

    assert answer == {"error": "access_denied", "state": "abc"}


def test_the_consent_page_refuses_a_redirect_to_another_domain(conn):
    url = ecwid_connection.authorization_url(conn, redirect_uri="https://evil.example/cb", state="")

    page = requests.get(url, timeout=5)

    assert page.status_code == 400 and "redirect_uri" in page.text


def test_the_consent_page_wants_all_four_parameters(seeded):
    page = requests.get(seeded["authorize_url"], params={"client_id": seeded["app_key"]}, timeout=5)

    assert page.status_code == 400 and "redirect_uri" in page.text


def test_the_token_endpoint_refuses_get_and_json(seeded):
    url = f"{seeded['auth_base_url']}/api/oauth/token"
    params = {
        "client_id": seeded["app_key"],
        "client_secret": seeded["app_secret"],
        "code": "x",
        "redirect_uri": "x",
        "grant_type": "authorization_code",
    }

    assert requests.get(url, params=params, timeout=5).status_code == 405
    as_json = requests.post(url, json=params, timeout=5)
    assert as_json.status_code == 400 and as_json.json()["error"] == "invalid_request"


def test_a_wrong_client_secret_is_refused(conn, redirect_uri):
    code = _query(
        _consent(ecwid_connection.authorization_url(conn, redirect_uri=redirect_uri, state=""), "install")
    )["code"]
    conn.app_secret = "not-the-secret"

    with pytest.raises(PlatformError) as caught:
        ecwid_connection.complete_authorization(conn, code=code, redirect_uri=redirect_uri)

    assert (caught.value.kind, caught.value.code) == (ErrorKind.AUTH, "invalid_client")
    assert "not-the-secret" not in str(caught.value) + ecwid_connection.explain(caught.value)
