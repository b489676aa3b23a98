"""Fixtures for the sync engine: a seeded sandbox on the live server, authorized connections, a profile.

Everything speaks real HTTP to the emulated TikTok Shop and Ecwid on the live server; the tests steer
the sandboxes through their Python helpers (seller side: create orders, move statuses).
"""

import secrets
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from sandbox.ecwid import seed as ecwid_seed
from sandbox.ecwid import store as ecwid_store
from sandbox.tiktok import models as tts_models
from sandbox.tiktok import orders as tts_orders
from sandbox.tiktok import seed as tiktok_seed
from syncapp.connections import tiktok_shop as tiktok_connection
from syncapp.models import Connection, Entity, Profile, SyncRecord
from syncapp.sync import orders

Status = SyncRecord.Status


@pytest.fixture
def fast_retries(settings):
    """Failed pushes are due again at once, and Ecwid's search is trusted at once (the sandbox has no lag)."""
    settings.SYNC_RETRY_BASE_SECONDS = 0
    settings.SYNC_RETRY_MAX_SECONDS = 0
    settings.SYNC_ECWID_SEARCH_LAG_SECONDS = 0
    settings.SYNC_MAX_ATTEMPTS = 1000
    settings.SYNC_ECWID_CALLS_PER_MINUTE = 0  # tests set the sandbox's limit themselves
    return settings


def _connection(fields: dict) -> Connection:
    fields = dict(fields)
    name = fields.pop("name")
    conn, _ = Connection.objects.update_or_create(name=name, defaults=fields)
    return conn


@pytest.fixture
def tiktok_conn(live_server, db) -> Connection:
    """The seeded TikTok Shop connection, authorized through the real token exchange."""
    conn = _connection(tiktok_seed.seed(live_server.url))
    app = tts_models.App.objects.get(app_key=conn.app_key)
    shop = tts_models.Shop.objects.first()
    code = tts_models.AuthCode.objects.create(
        code=secrets.token_urlsafe(16), app=app, shop=shop, expires_at=timezone.now() + timedelta(minutes=30)
    )
    tiktok_connection.complete_authorization(conn, code=code.code, redirect_uri="")
    conn.refresh_from_db()
    return conn


@pytest.fixture
def ecwid_conn(live_server, db) -> Connection:
    """The seeded Ecwid connection, with the store's custom-app secret token pasted in."""
    conn = _connection(ecwid_seed.seed(live_server.url))
    conn.access_token = ecwid_store.secret_token()
    conn.save()
    return conn


@pytest.fixture
def profile(tiktok_conn, ecwid_conn, fast_retries) -> Profile:
    return Profile.objects.create(
        name="[Acme US] TikTok Shop – Ecwid", source=tiktok_conn, destination=ecwid_conn
    )


@pytest.fixture
def shop(tiktok_conn):
    return tts_models.Shop.objects.get(shop_id=tiktok_conn.shop_id)


def make_orders(shop, count=1, items=None, **options):
    """Orders created on the seller side, without webhooks (the tests drive the engine themselves)."""
    options.setdefault("send_webhooks", False)
    items = items or {"MUG-12OZ": 2, "CAP-NAVY": 1}
    return [tts_orders.create_order(shop, items, **options) for _ in range(count)]


def pull(profile, **kwargs):
    return orders.pull_orders(profile.tasks.get(entity=Entity.ORDER_DETAIL), **kwargs)


def push_until_settled(profile, *, rounds=60):
    """Push until nothing is due any more (bounded), as the schedule would over a few minutes."""
    for _ in range(rounds):
        result = orders.push_due(profile)
        if not result.attempted and not result.stopped:
            return
        if result.stopped:
            time.sleep(1)
    raise AssertionError("Pushes did not settle.")


def sales_records(profile):
    return SyncRecord.objects.filter(profile=profile, entity=Entity.SALES_ORDER)


def ecwid_copies(tiktok_order_id: str) -> list[dict]:
    return ecwid_store.find_by_external_id(str(tiktok_order_id))
