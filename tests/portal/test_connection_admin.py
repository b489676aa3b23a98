"""Staff connect both platforms from the admin: Authorize through the sandbox consent pages, Test
connection, and see plain-words errors — all over real HTTP against the live server."""

import datetime as dt

import pytest
import requests
from django.core.management import call_command
from django.utils import timezone

from sandbox.ecwid.models import Token as EcwidToken
from sandbox.tiktok.models import Token as TikTokToken
from syncapp.models import Connection
from syncapp.platforms.http import PlatformError
from tests.portal.forms import log_in, submit

pytestmark = pytest.mark.django_db(transaction=True)

TIKTOK = "[Acme US] TikTok Shop (sandbox)"
ECWID = "[Acme US] Ecwid store (sandbox)"


@pytest.fixture
def portal(live_server, django_user_model):
    """Alice is staff; the sandbox is seeded and the two connections point at the live server."""
    call_command("sandbox_seed", portal_url=live_server.url, stdout=open("/dev/null", "w"))
    django_user_model.objects.create_superuser("alice", "alice@example.com", "wonderland-42")
    session = requests.Session()
    log_in(session, live_server.url, "alice", "wonderland-42")
    session.base = live_server.url
    return session


def authorize(portal, name: str, button: str) -> requests.Response:
    conn = Connection.objects.get(name=name)
    consent = portal.get(f"{portal.base}/admin/syncapp/connection/{conn.pk}/authorize/", timeout=15)
    assert consent.status_code == 200
    return submit(portal, consent, button=button)


def press_test_connection(portal, name: str) -> requests.Response:
    """Press the "Test connection" button on the connection's page."""
    conn = Connection.objects.get(name=name)
    page = portal.get(f"{portal.base}/admin/syncapp/connection/{conn.pk}/change/", timeout=10)
    return portal.post(
        f"{portal.base}/admin/syncapp/connection/{conn.pk}/test/",
        data={"csrfmiddlewaretoken": portal.cookies["csrftoken"]},
        headers={"Referer": page.url},
        timeout=15,
    )


def test_it_authorizes_tiktok_shop_through_the_consent_page(portal):
    landed = authorize(portal, TIKTOK, "authorize")

    conn = Connection.objects.get(name=TIKTOK)
    assert landed.url.endswith(f"/admin/syncapp/connection/{conn.pk}/change/")
    assert "Acme US Shop" in landed.text
    assert conn.status == Connection.Status.OK
    assert conn.shop_name == "Acme US Shop" and conn.shop_cipher and conn.shop_id
    assert conn.access_token and conn.refresh_token
    assert conn.access_token_expires_at > timezone.now() + dt.timedelta(days=6)

    tested = press_test_connection(portal, TIKTOK)
    assert "Acme US Shop" in tested.text
    assert Connection.objects.get(name=TIKTOK).status == Connection.Status.OK


def test_it_authorizes_ecwid_through_the_install_page(portal):
    landed = authorize(portal, ECWID, "install")

    conn = Connection.objects.get(name=ECWID)
    assert conn.status == Connection.Status.OK, conn.last_check_message
    assert conn.store_id == "1003" and conn.access_token.startswith("secret_")
    assert "Acme US Store" in landed.text

    tested = press_test_connection(portal, ECWID)
    assert "Acme US Store" in tested.text


def test_the_admin_never_shows_secrets(portal):
    authorize(portal, TIKTOK, "authorize")
    conn = Connection.objects.get(name=TIKTOK)
    for url in (f"/admin/syncapp/connection/{conn.pk}/change/", "/admin/syncapp/connection/"):
        html = portal.get(portal.base + url, timeout=10).text
        for secret in (conn.app_secret, conn.access_token, conn.refresh_token):
            assert secret not in html


def test_secrets_are_encrypted_at_rest(portal):
    authorize(portal, TIKTOK, "authorize")
    from django.db import connection as db

    conn = Connection.objects.get(name=TIKTOK)
    with db.cursor() as cursor:
        cursor.execute("SELECT app_secret, access_token FROM syncapp_connection WHERE id = %s", [conn.pk])
        stored = cursor.fetchone()
    assert all(value.startswith("fernet:") for value in stored)
    assert conn.app_secret not in stored[0] and conn.access_token not in stored[1]


def test_declining_is_recorded_in_plain_words(portal):
    landed = authorize(portal, TIKTOK, "cancel")
    conn = Connection.objects.get(name=TIKTOK)
    assert conn.status == Connection.Status.ERROR
    assert "declined" in conn.last_check_message
    assert "declined" in landed.text


def test_an_answer_not_started_here_is_refused(portal):
    page = portal.get(f"{portal.base}/oauth/tiktok_shop/callback/?code=abc&state=forged", timeout=10)
    assert page.status_code == 200
    assert "not started from this portal" in page.text


def test_a_wrong_app_secret_is_explained_not_crashed(portal):
    authorize(portal, TIKTOK, "authorize")
    conn = Connection.objects.get(name=TIKTOK)
    conn.app_secret = "not-the-secret"
    conn.save()

    page = press_test_connection(portal, TIKTOK)
    assert page.status_code == 200
    conn.refresh_from_db()
    assert conn.status == Connection.Status.ERROR
    assert "secret" in conn.last_check_message.lower()
    assert "not-the-secret" not in page.text


def test_a_revoked_ecwid_token_is_explained(portal):
    authorize(portal, ECWID, "install")
    EcwidToken.objects.update(active=False)
    press_test_connection(portal, ECWID)
    conn = Connection.objects.get(name=ECWID)
    assert conn.status == Connection.Status.ERROR
    assert "token" in conn.last_check_message.lower()


def test_an_unreachable_host_is_explained(portal):
    authorize(portal, ECWID, "install")
    Connection.objects.filter(name=ECWID).update(api_base_url="http://127.0.0.1:9/api/v3")
    page = press_test_connection(portal, ECWID)
    assert page.status_code == 200
    conn = Connection.objects.get(name=ECWID)
    assert conn.status == Connection.Status.ERROR
    assert "reach" in conn.last_check_message.lower()


def test_an_expiring_token_is_refreshed_before_use(portal):
    authorize(portal, TIKTOK, "authorize")
    conn = Connection.objects.get(name=TIKTOK)
    old_token = conn.access_token
    Connection.objects.filter(pk=conn.pk).update(
        access_token_expires_at=timezone.now() + dt.timedelta(hours=1)
    )

    press_test_connection(portal, TIKTOK)
    conn.refresh_from_db()
    assert conn.status == Connection.Status.OK
    assert conn.access_token != old_token
    assert conn.access_token_expires_at > timezone.now() + dt.timedelta(days=6)


def test_a_failed_refresh_asks_for_reauthorization_visibly(portal):
    authorize(portal, TIKTOK, "authorize")
    conn = Connection.objects.get(name=TIKTOK)
    Connection.objects.filter(pk=conn.pk).update(
        access_token_expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    TikTokToken.objects.update(revoked_at=timezone.now())

    press_test_connection(portal, TIKTOK)
    conn.refresh_from_db()
    assert conn.status == Connection.Status.REAUTHORIZE
    listing = portal.get(f"{portal.base}/admin/syncapp/connection/", timeout=10).text
    assert "Needs re-authorization" in listing


def test_a_pasted_ecwid_custom_app_token_works_without_oauth(portal):
    custom = EcwidToken.objects.get(source=EcwidToken.Source.CUSTOM_APP, kind=EcwidToken.Kind.SECRET)
    conn = Connection.objects.get(name=ECWID)
    conn.access_token = custom.token
    conn.store_id = "1003"
    conn.save()
    press_test_connection(portal, ECWID)
    conn.refresh_from_db()
    assert conn.status == Connection.Status.OK, conn.last_check_message


def test_declining_again_keeps_a_working_connection_connected(portal):
    authorize(portal, ECWID, "install")
    landed = authorize(portal, ECWID, "decline")
    conn = Connection.objects.get(name=ECWID)
    assert conn.status == Connection.Status.OK
    assert "existing authorization is kept" in landed.text


def test_a_connection_never_authorized_is_not_connected_rather_than_expired(portal):
    from syncapp.connections import tiktok_shop

    conn = Connection.objects.get(name=TIKTOK)
    with pytest.raises(PlatformError) as caught:
        tiktok_shop.refresh_tokens(conn, force=True)
    assert "Not authorized yet" in caught.value.message
    conn.refresh_from_db()
    assert conn.status == Connection.Status.NEW
