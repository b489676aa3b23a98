"""The compare page reads both orders live from the sandbox platforms over real HTTP (seed step 5)."""

import pytest
from django.urls import reverse

from sandbox.tiktok import models as tts_models
from sandbox.tiktok import orders as tts_orders
from syncapp.connections import ecwid as ecwid_connection
from syncapp.models import Entity, SyncRecord
from syncapp.sync import orders
from tests.pages.conftest import Status

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def synced(sandbox_profile):
    """A test order created on the seller side and synced by the engine: (detail, sales) records."""
    shop = tts_models.Shop.objects.get(shop_id=sandbox_profile.source.shop_id)
    order = tts_orders.create_order(
        shop, {"MUG-12OZ": 2, "TSHIRT-BLK-M": 1}, shipping_fee="4.99", send_webhooks=False
    )
    orders.pull_orders(sandbox_profile.tasks.get(entity=Entity.ORDER_DETAIL))
    orders.push_due(sandbox_profile)
    detail = SyncRecord.objects.get(entity=Entity.ORDER_DETAIL, source_id=order.order_id)
    sales = SyncRecord.objects.get(entity=Entity.SALES_ORDER, source_id=order.order_id)
    assert sales.status == Status.SUCCESS and sales.destination_id
    return detail, sales


def compare_page(client, record):
    response = client.get(reverse("syncapp:compare", args=[record.pk]))
    assert response.status_code == 200
    return response


def test_a_freshly_synced_order_shows_no_difference(staff_client, synced):
    detail, sales = synced
    response = compare_page(staff_client, sales)
    html = response.content.decode()
    assert response.context["differences"] == 0
    assert "No difference: the Ecwid order matches the TikTok order." in html
    assert sales.destination_id in html and sales.source_id in html
    titles = [title for _, title, _ in response.context["sections"]]
    assert titles[:4] == ["Buyer", "Shipping address", "Items", "Money"]
    assert "MUG-12OZ: quantity" in html
    # The detail record compares the same pair (through its Sales Order record).
    assert compare_page(staff_client, detail).context["differences"] == 0


def test_a_change_made_in_ecwid_is_highlighted(staff_client, synced):
    _, sales = synced
    client = ecwid_connection.client_for(sales.profile.destination)
    client.update_order(
        sales.destination_id, {"email": "someone.else@example.com", "fulfillmentStatus": "SHIPPED"}
    )

    response = compare_page(staff_client, sales)
    html = response.content.decode()
    differing = {row.label for _, _, rows in response.context["sections"] for row in rows if not row.same}
    assert differing == {"Email", "Fulfillment status"}
    assert "2 differences between the two orders." in html
    assert html.count('<tr class="diff">') == 2
    assert "someone.else@example.com" in html and "✗</span> Differs" in html


def test_a_platform_error_is_a_readable_message_not_a_500(staff_client, synced, faults):
    _, sales = synced
    faults("ecwid", error_next=10)
    response = compare_page(staff_client, sales)
    html = response.content.decode()
    assert "Ecwid had an internal error (HTTP 500)" in html
    assert response.context["sections"] == []


def test_an_order_not_yet_in_ecwid_has_nothing_to_compare(staff_client, sandbox_profile):
    record = SyncRecord.objects.create(
        profile=sandbox_profile,
        entity=Entity.SALES_ORDER,
        source_id="576000000000000999",
        status=Status.PENDING,
    )
    html = compare_page(staff_client, record).content.decode()
    assert "has no Ecwid order yet" in html
    # the crumbs lead back through the list, as on the record page
    assert f'<a href="{reverse("syncapp:sales-order-list")}">Sales Order</a>' in html


def test_an_order_tiktok_does_not_know_is_explained(staff_client, sandbox_profile):
    record = SyncRecord.objects.create(
        profile=sandbox_profile,
        entity=Entity.SALES_ORDER,
        source_id="576000000000000998",
        destination_id="NOPE1",
        status=Status.SUCCESS,
    )
    html = compare_page(staff_client, record).content.decode()
    assert "TikTok Shop (" in html and "Ecwid (" in html  # both sides say what went wrong
