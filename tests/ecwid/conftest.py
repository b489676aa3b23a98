"""Fixtures for the Ecwid vertical: a seeded sandbox store on the live server and clients for it.

Alice runs "Acme US Store" (#1003), seeded like `manage.py sandbox_seed` does; her custom app's
secret token is what a pasted-token connection uses. Bob runs another store, #2002.
"""

import pytest

from sandbox.ecwid import seed as ecwid_seed
from sandbox.ecwid import store as sandbox_store
from sandbox.ecwid.models import Store, Token, random_token
from syncapp.platforms.ecwid import EcwidClient


class Sleeps(list):
    """A `sleep` that records instead of waiting: 429 handling is checked without slowing the suite."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def seeded(live_server) -> dict:
    """The portal Connection fields the seed returns, plus the custom app's secret token."""
    fields = ecwid_seed.seed(live_server.url)
    return {**fields, "token": sandbox_store.secret_token()}


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def ecwid(seeded, sleeps) -> EcwidClient:
    return EcwidClient(
        seeded["api_base_url"], seeded["store_id"], seeded["token"], sleep=sleeps, timeout=(2, 5)
    )


@pytest.fixture
def other_store(seeded) -> dict:
    store = Store.objects.create(store_id=2002, name="Bob's Bikes", email="bob@bikes.example")
    token = Token.objects.create(
        store=store,
        token=random_token("secret_"),
        source=Token.Source.CUSTOM_APP,
        scopes="read_store_profile",
    )
    return {"store_id": "2002", "token": token.token}


def order_payload(tiktok_id: str = "576461234567890", **overrides) -> dict:
    """An order as the sync would send it (spec §4.2 example)."""
    payload = {
        "email": f"buyer+{tiktok_id}@example.invalid",
        "paymentStatus": "PAID",
        "fulfillmentStatus": "AWAITING_PROCESSING",
        "paymentMethod": "TikTok Shop",
        "createDate": "2025-05-01 10:15:00 +0000",
        "subtotal": 29.0,
        "tax": 0,
        "total": 34.0,
        "items": [{"sku": "MUG-12OZ", "name": "Ceramic Mug 12 oz", "quantity": 2, "price": 14.5}],
        "shippingPerson": {
            "name": "Jane Doe",
            "street": "1 Main St\nApt 2",
            "city": "San Diego",
            "countryCode": "US",
            "stateOrProvinceCode": "CA",
            "postalCode": "90002",
            "phone": "5551234567",
        },
        "billingPerson": {"name": "Jane Doe", "street": "1 Main St\nApt 2", "city": "San Diego"},
        "shippingOption": {"shippingMethodName": "TikTok Standard", "shippingRate": 5},
        "externalTransactionId": tiktok_id,
        "privateAdminNotes": f"TikTok Shop order {tiktok_id}",
        "refererId": "TikTokShop",
        "orderExtraFields": [{"id": "tiktok_order_id", "value": tiktok_id, "title": "TikTok order"}],
        "disableAllCustomerNotifications": True,
    }
    payload.update(overrides)
    return payload
