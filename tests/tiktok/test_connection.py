"""Connecting a TikTok Shop end to end: consent page, code exchange, check, token refresh."""

import datetime as dt
import re
import threading
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.db import connection as db_connection
from django.utils import timezone

from sandbox.tiktok import api as sandbox_api
from sandbox.tiktok.models import AuthCode, Token
from syncapp import connections
from syncapp.connections import tiktok_shop
from syncapp.models import Connection
from syncapp.platforms.http import ErrorKind, PlatformError
from tests.tiktok.sandbox_calls import make_client

pytestmark = pytest.mark.django_db(transaction=True)


def new_connection(tts) -> Connection:
    fields = dict(tts.fields)
    return Connection.objects.create(name=fields.pop("name"), **fields)


def authorized_connection(tts, *, expires_in=dt.timedelta(days=7)) -> Connection:
    """A connection as after a successful authorization, its token expiring in `expires_in`."""
    token = sandbox_api.issue_token(tts.app, tts.shop)
    expires = timezone.now() + expires_in
    Token.objects.filter(pk=token.pk).update(access_expires_at=expires)
    conn = new_connection(tts)
    conn.access_token, conn.access_token_expires_at = token.access_token, expires
    conn.refresh_token, conn.refresh_token_expires_at = token.refresh_token, token.refresh_expires_at
    conn.shop_id, conn.shop_cipher, conn.shop_name, conn.shop_region = (
        tts.shop.shop_id,
        tts.shop.cipher,
        tts.shop.name,
        tts.shop.region,
    )
    conn.status = Connection.Status.OK
    conn.save()
    return conn


def consent(url: str) -> tuple[requests.Session, requests.Response, str]:
    session = requests.Session()
    page = session.get(url, timeout=5)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session, page, csrf


def answer_consent(tts, conn, action: str, state: str = "st4te-123") -> dict:
    url = tiktok_shop.authorization_url(conn, redirect_uri="unused", state=state)
    session, page, csrf = consent(url)
    assert page.status_code == 200
    response = session.post(
        url,
        data={
            "csrfmiddlewaretoken": csrf,
            "service_id": tts.app.service_id,
            "state": state,
            "shop_id": tts.shop.shop_id,
            "action": action,
        },
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(f"{tts.url}/oauth/tiktok_shop/callback/")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def test_the_authorization_link_carries_the_service_id_and_our_state(tts):
    url = tiktok_shop.authorization_url(new_connection(tts), redirect_uri="ignored", state="a b&c")
    query = parse_qs(urlsplit(url).query)
    assert query == {"service_id": [tts.app.service_id], "state": ["a b&c"]}


def test_the_consent_page_shows_the_app_and_the_sellers_shop(tts):
    _, page, _ = consent(tts.fields["authorize_url"] + "&state=x")
    assert "Acme Order Sync" in page.text and "Acme US Shop" in page.text
    assert "Authorize" in page.text and "Cancel" in page.text
    assert requests.get(f"{tts.base}/services/open/authorize?service_id=nope", timeout=5).status_code == 400


def test_a_seller_authorizes_and_the_portal_completes_the_connection(tts):
    conn = new_connection(tts)
    answer = answer_consent(tts, conn, "authorize")
    assert answer["state"] == "st4te-123" and answer["code"]

    message = tiktok_shop.complete_authorization(conn, code=answer["code"], redirect_uri="unused")
    expected = r"Authorized by Test Seller for shop Acme US Shop \(US\)\. Token valid until .+ \d\d:\d\d UTC."
    assert re.fullmatch(expected, message), message
    conn.refresh_from_db()
    assert (conn.shop_id, conn.shop_cipher, conn.shop_name, conn.shop_region) == (
        tts.shop.shop_id,
        tts.shop.cipher,
        "Acme US Shop",
        "US",
    )
    token = Token.objects.get(access_token=conn.access_token)
    assert conn.refresh_token == token.refresh_token
    assert abs(conn.access_token_expires_at - token.access_expires_at) < dt.timedelta(seconds=1)
    assert "seller.order.info" in conn.scopes.split()
    assert tiktok_shop.check(conn).startswith("Connected to shop Acme US Shop (US).")


def test_an_auth_code_works_once(tts):
    conn = new_connection(tts)
    code = answer_consent(tts, conn, "authorize")["code"]
    tiktok_shop.complete_authorization(conn, code=code, redirect_uri="")
    with pytest.raises(PlatformError) as caught:
        tiktok_shop.complete_authorization(conn, code=code, redirect_uri="")
    assert (caught.value.kind, caught.value.code) == (ErrorKind.AUTH, 36004004)
    assert "Authorize again" in tiktok_shop.explain(caught.value)


def test_an_auth_code_expires_after_30_minutes(tts):
    conn = new_connection(tts)
    code = answer_consent(tts, conn, "authorize")["code"]
    AuthCode.objects.filter(code=code).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    ok, message = connections.complete_authorization(conn, code=code, redirect_uri="")
    assert not ok and "expired" in message
    conn.refresh_from_db()
    assert conn.status == Connection.Status.ERROR and not conn.access_token


def test_a_seller_who_cancels_sends_back_auth_denied(tts):
    answer = answer_consent(tts, new_connection(tts), "cancel")
    assert answer == {"code": "null", "error": "auth_denied", "state": "st4te-123"}


def test_a_wrong_app_secret_is_explained_at_the_code_exchange(tts):
    conn = new_connection(tts)
    code = answer_consent(tts, conn, "authorize")["code"]
    conn.app_secret = "wrong-secret-value"
    ok, message = connections.complete_authorization(conn, code=code, redirect_uri="")
    assert not ok
    assert message == tiktok_shop.CHECK_SECRET
    assert "wrong-secret-value" not in message


def test_the_portal_keeps_the_shop_it_was_set_up_for(tts):
    conn = new_connection(tts)
    conn.shop_id = "7999999999999999999"
    conn.save()
    code = answer_consent(tts, conn, "authorize")["code"]
    ok, message = connections.complete_authorization(conn, code=code, redirect_uri="")
    assert not ok and "Acme US Shop" in message
    conn.refresh_from_db()
    assert not conn.access_token  # nothing saved for the wrong shop


def test_check_says_so_when_not_authorized_yet(tts):
    conn = new_connection(tts)
    assert connections.test_connection(conn) == (False, "Not authorized yet: click Authorize.")


def test_check_fails_when_the_shop_is_no_longer_authorized(tts, other_shop):
    conn = authorized_connection(tts)
    conn.shop_id, conn.shop_cipher = other_shop.shop_id, other_shop.cipher
    with pytest.raises(PlatformError) as caught:
        tiktok_shop.check(conn)
    assert caught.value.kind == ErrorKind.AUTH and "Authorize again" in str(caught.value)


def test_check_reports_a_revoked_token_in_plain_words(tts):
    conn = authorized_connection(tts)
    Token.objects.filter(access_token=conn.access_token).update(revoked_at=timezone.now())
    ok, message = connections.test_connection(conn)
    assert not ok and message == "The access token is invalid or revoked. Click Authorize again."


# ---- refresh -----------------------------------------------------------------------------------


def test_client_for_refreshes_a_token_that_expires_within_a_day(tts):
    conn = authorized_connection(tts, expires_in=dt.timedelta(hours=3))
    old_access, old_refresh = conn.access_token, conn.refresh_token
    client = tiktok_shop.client_for(conn)
    stored = Connection.objects.get(pk=conn.pk)
    assert stored.access_token == client.access_token == conn.access_token != old_access
    assert stored.refresh_token not in ("", old_refresh)
    assert stored.access_token_expires_at > timezone.now() + dt.timedelta(days=6)
    assert client.get_authorized_shops()[0].cipher == tts.shop.cipher
    with pytest.raises(PlatformError) as caught:  # the old access token stopped working
        make_client(tts, SimpleNamespace(access_token=old_access)).get_authorized_shops()
    assert caught.value.kind == ErrorKind.AUTH


def test_client_for_leaves_a_fresh_token_alone(tts):
    conn = authorized_connection(tts)
    before = conn.access_token
    assert tiktok_shop.client_for(conn).access_token == before
    assert tiktok_shop.refresh_tokens(conn) is False
    assert tiktok_shop.refresh_tokens(conn, force=True) is True
    assert Connection.objects.get(pk=conn.pk).access_token != before


def test_a_failed_refresh_marks_the_connection_for_reauthorization(tts):
    conn = authorized_connection(tts, expires_in=dt.timedelta(hours=1))
    Token.objects.filter(refresh_token=conn.refresh_token).update(revoked_at=timezone.now())
    with pytest.raises(PlatformError) as caught:
        tiktok_shop.client_for(conn)
    assert caught.value.kind == ErrorKind.AUTH
    stored = Connection.objects.get(pk=conn.pk)
    assert stored.status == Connection.Status.REAUTHORIZE
    assert "Authorize again" in stored.last_check_message
    assert conn.refresh_token not in stored.last_check_message
    ok, message = connections.test_connection(stored)
    assert not ok
    assert Connection.objects.get(pk=conn.pk).status == Connection.Status.REAUTHORIZE


def test_an_expired_authorization_asks_for_reauthorization(tts):
    conn = authorized_connection(tts, expires_in=dt.timedelta(hours=1))
    conn.refresh_token_expires_at = timezone.now() - dt.timedelta(days=1)
    conn.save()
    with pytest.raises(PlatformError):
        tiktok_shop.client_for(conn)
    assert Connection.objects.get(pk=conn.pk).status == Connection.Status.REAUTHORIZE


def test_a_passing_refresh_failure_keeps_the_current_token(tts, faults):
    conn = authorized_connection(tts, expires_in=dt.timedelta(hours=2))
    faults("tiktok", error_next=1, path_contains="token/refresh")
    client = tiktok_shop.client_for(conn)
    assert client.access_token == conn.access_token
    assert client.get_authorized_shops()
    assert Connection.objects.get(pk=conn.pk).status == Connection.Status.OK


def test_two_workers_spend_the_refresh_token_once(tts):
    conn = authorized_connection(tts, expires_in=dt.timedelta(hours=1))
    start, results, errors = threading.Barrier(2), [], []

    def worker():
        try:
            mine = Connection.objects.get(pk=conn.pk)
            start.wait()
            results.append((tiktok_shop.refresh_tokens(mine), mine.access_token))
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)
        finally:
            db_connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert sorted(r for r, _ in results) == [False, True]
    assert len({token for _, token in results}) == 1
    assert Token.objects.filter(app=tts.app, shop=tts.shop).count() == 2  # the original and one refresh
    assert Connection.objects.get(pk=conn.pk).status == Connection.Status.OK


# ---- plain words -------------------------------------------------------------------------------


def error(code=None, message="", kind=ErrorKind.AUTH, **extra) -> PlatformError:
    return PlatformError(message, kind=kind, code=code, platform="TikTok Shop", **extra)


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (error(36009004, "Invalid credentials. The app_key is missing or invalid."), "Check the app key"),
        (
            error(106001, "Invalid credentials. The 'sign' query parameter is invalid."),
            "Check the app secret",
        ),
        (error(36009004, "The app_secret does not match the app_key."), "Check the app secret"),
        (error(105002, "Access token is expired"), "Click Authorize again"),
        (
            error(36009004, "The access token in the x-tts-access-token header is invalid"),
            "Click Authorize again",
        ),
        (error(36004004, "Invalid auth code."), "Click Authorize again"),
        (error(36004005, "can not find related auth record"), "Click Authorize again"),
        (error(101000, "not authorized for the shop"), "wrong shop or cipher"),
        (error(36009004, "Invalid shop_cipher", kind=ErrorKind.INVALID), "shop cipher"),
        (error(106013, "missing", kind=ErrorKind.INVALID), "no shop cipher"),
        (error(105005, "scope", kind=ErrorKind.PERMISSION), "Partner Center"),
        (error(36009004, "Invalid timestamp", kind=ErrorKind.INVALID), "clock"),
        (
            error(None, "Could not reach TikTok Shop", kind=ErrorKind.UNREACHABLE),
            "Check the API and auth base URLs",
        ),
        (
            error(None, "TikTok Shop did not answer in time.", kind=ErrorKind.TRANSIENT),
            "did not answer in time",
        ),
        (error(36009002, "Too many", kind=ErrorKind.RATE_LIMITED), "slow down"),
        (error(36009003, "Internal error", kind=ErrorKind.TRANSIENT), "temporary problem"),
        (error(12345, "Something odd", kind=ErrorKind.INVALID), "code 12345"),
    ],
)
def test_explain_says_what_happened_and_what_to_do(failure, expected):
    assert expected in tiktok_shop.explain(failure)
