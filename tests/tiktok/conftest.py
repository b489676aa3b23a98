"""Fixtures for the TikTok Shop vertical: a seeded sandbox on the live server, tokens, clients.

Personas: "Test Seller" owns "Acme US Shop" (the seed); "Other Seller" owns another shop that our
app was never authorized for.
"""

from types import SimpleNamespace

import pytest

from sandbox.tiktok import api as sandbox_api
from sandbox.tiktok.models import Shop, Warehouse
from syncapp.platforms.tiktok_shop import TikTokShopClient
from tests.tiktok.sandbox_calls import make_client, seeded


@pytest.fixture
def tts(live_server) -> SimpleNamespace:
    """The seeded sandbox served by the live server (needs transactional tests)."""
    return seeded(live_server.url)


@pytest.fixture
def token(tts):
    """An access token the seller granted our app for the seed shop (as after the consent page)."""
    return sandbox_api.issue_token(tts.app, tts.shop)


@pytest.fixture
def other_shop(tts) -> Shop:
    """Another seller's shop, with its own warehouse; our app was never authorized for it."""
    shop = Shop.objects.create(
        shop_id="7000000000000000001", cipher="ROW_other_shop_cipher", name="Other Shop", code="USLCOTHER1"
    )
    Warehouse.objects.create(shop=shop, warehouse_id="7000000000000000002", name="Other Warehouse")
    return shop


@pytest.fixture
def shop_client(tts, token) -> TikTokShopClient:
    """A client for the seed shop with a valid token (pytest-django owns the name `client`)."""
    return make_client(tts, token)
