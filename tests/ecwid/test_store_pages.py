"""The store's control panel pages (Django test client): staff confirm a synced order by its ID."""

import pytest
from django.urls import reverse

from sandbox.ecwid import orders as sandbox_orders
from sandbox.ecwid import seed as ecwid_seed
from sandbox.ecwid import store as sandbox_store
from sandbox.ecwid.models import OAuthApp, Store
from tests.ecwid.conftest import order_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def store() -> Store:
    ecwid_seed.seed("http://portal.example")
    return Store.objects.get(store_id=1003)


def test_searching_by_order_id_finds_the_order(client, store):
    wanted = sandbox_orders.create_order(store, order_payload("111"))
    sandbox_orders.create_order(store, order_payload("222"))

    page = client.get(reverse("sandbox:ecwid:store"), {"q": wanted.order_id})

    assert page.status_code == 200
    assert page.context["total"] == 1
    assert f"#{wanted.order_id}" in page.content.decode()
    assert reverse("sandbox:ecwid:order", args=[wanted.order_id]) in page.content.decode()


def test_the_order_list_shows_every_order_without_a_search(client, store):
    for n in range(3):
        sandbox_orders.create_order(store, order_payload(f"L{n}"))

    page = client.get(reverse("sandbox:ecwid:store"))

    assert page.context["total"] == 3 and "Jane Doe" in page.content.decode()


def test_the_order_page_shows_items_totals_addresses_and_notes(client, store):
    order = sandbox_orders.create_order(store, order_payload("576461234567890", trackingNumber="1Z999"))

    html = client.get(reverse("sandbox:ecwid:order", args=[order.order_id])).content.decode()

    for text in (
        "Ceramic Mug 12 oz",
        "MUG-12OZ",
        "$29.00",
        "$34.00",
        "San Diego",
        "TikTok Standard",
        "TikTok Shop order 576461234567890",
        "TikTok order",
        "1Z999",
        "PAID",
        "AWAITING_PROCESSING",
    ):
        assert text in html, text


def test_an_unknown_order_page_says_so(client, store):
    page = client.get(reverse("sandbox:ecwid:order", args=["NOPE1"]))

    assert page.status_code == 404 and "not found" in page.content.decode()


def test_the_products_page_shows_stock_of_products_and_variations(client, store):
    sandbox_store.set_stock("TSHIRT-BLK-M", 7)

    html = client.get(reverse("sandbox:ecwid:products")).content.decode()

    assert "TSHIRT-BLK-M" in html and "Black, M" in html and ">7<" in html


def test_the_custom_app_page_shows_the_token_and_the_app_credentials(client, store):
    html = client.get(reverse("sandbox:ecwid:custom-app")).content.decode()

    assert sandbox_store.secret_token() in html
    assert OAuthApp.objects.get().client_secret in html
    assert "http://portal.example/oauth/ecwid/callback/" in html


def test_regenerating_the_tokens_revokes_the_old_one(client, store):
    old = sandbox_store.secret_token()

    client.post(reverse("sandbox:ecwid:custom-app"), {"action": "regenerate"})
    client.get(reverse("sandbox:ecwid:custom-app"))

    assert sandbox_store.secret_token() != old


def test_seeding_twice_keeps_the_secret_and_stock_and_follows_the_portal_url(store):
    first = ecwid_seed.seed("http://portal.example")
    sandbox_store.set_stock("MUG-12OZ", 3)

    again = ecwid_seed.seed("http://other.example:8000/")

    assert again["app_secret"] == first["app_secret"] and again["store_id"] == "1003"
    assert again["api_base_url"] == "http://other.example:8000/sandbox/ecwid/api/v3"
    assert OAuthApp.objects.get().redirect_uri == "http://other.example:8000/oauth/ecwid/callback/"
    assert sandbox_store.stock_of("MUG-12OZ") == 3
    assert Store.objects.count() == 1
