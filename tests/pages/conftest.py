"""Personas and ledger rows for the page tests.

Alice is staff and uses the portal; Bob has an account but is not staff, so every page refuses him.
The live-server fixtures (a seeded sandbox, authorized connections) are for the compare page, which
reads both platforms over real HTTP.
"""

import secrets
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone

from sandbox.ecwid import seed as ecwid_seed
from sandbox.ecwid import store as ecwid_store
from sandbox.tiktok import models as tts_models
from sandbox.tiktok import seed as tiktok_seed
from syncapp.connections import tiktok_shop as tiktok_connection
from syncapp.models import Connection, Entity, Profile, SyncRecord

Status = SyncRecord.Status


@pytest.fixture(autouse=True)
def _fresh_dashboard_counts():
    """The dashboard keeps its counts for a few seconds; every test starts without them."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_user("alice", "alice@example.com", "pw-alice-123", is_staff=True)


@pytest.fixture
def bob(db):
    return get_user_model().objects.create_user("bob", "bob@example.com", "pw-bob-123")


@pytest.fixture
def staff_client(client, alice):
    client.force_login(alice)
    return client


def make_connections(
    base: str = "https://example.invalid", name: str = "Acme"
) -> tuple[Connection, Connection]:
    tiktok = Connection.objects.create(
        platform=Connection.Platform.TIKTOK_SHOP,
        name=f"{name} TikTok",
        api_base_url=f"{base}/tiktok/open-api",
        auth_base_url=f"{base}/tiktok/auth",
    )
    ecwid = Connection.objects.create(
        platform=Connection.Platform.ECWID,
        name=f"{name} Ecwid",
        api_base_url="https://app.ecwid.com/api/v3",
        auth_base_url="https://my.ecwid.com",
        store_id="1003",
    )
    return tiktok, ecwid


@pytest.fixture
def quiet_profile(db) -> Profile:
    """A profile whose connections point nowhere: for pages that do not call the platforms."""
    tiktok, ecwid = make_connections()
    return Profile.objects.create(name="[Acme US] TikTok Shop – Ecwid", source=tiktok, destination=ecwid)


def make_record(profile, entity=Entity.SALES_ORDER, source_id="576000000000000001", **fields) -> SyncRecord:
    fields.setdefault("status", Status.SUCCESS)
    return SyncRecord.objects.create(profile=profile, entity=entity, source_id=source_id, **fields)


# --- live sandbox ------------------------------------------------------------------------------


@pytest.fixture
def fast_retries(settings):
    settings.SYNC_RETRY_BASE_SECONDS = 0
    settings.SYNC_RETRY_MAX_SECONDS = 0
    settings.SYNC_ECWID_SEARCH_LAG_SECONDS = 0
    return settings


def _connection(fields: dict) -> Connection:
    fields = dict(fields)
    name = fields.pop("name")
    conn, _ = Connection.objects.update_or_create(name=name, defaults=fields)
    return conn


@pytest.fixture
def sandbox_profile(live_server, db, fast_retries) -> Profile:
    """The seeded sandbox with both connections authorized (TikTok: real token exchange; Ecwid: the
    custom app's secret token pasted in) and a profile pairing them."""
    tiktok = _connection(tiktok_seed.seed(live_server.url))
    app = tts_models.App.objects.get(app_key=tiktok.app_key)
    code = tts_models.AuthCode.objects.create(
        code=secrets.token_urlsafe(16),
        app=app,
        shop=tts_models.Shop.objects.first(),
        expires_at=timezone.now() + timedelta(minutes=30),
    )
    tiktok_connection.complete_authorization(tiktok, code=code.code, redirect_uri="")
    tiktok.refresh_from_db()
    ecwid = _connection(ecwid_seed.seed(live_server.url))
    ecwid.access_token = ecwid_store.secret_token()
    ecwid.save()
    return Profile.objects.create(name="[Acme US] TikTok Shop – Ecwid", source=tiktok, destination=ecwid)
