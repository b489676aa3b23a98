"""The record page: payloads as readable collapsible JSON, attempts timeline, advice, Open in Ecwid."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from syncapp.models import Entity, SyncAttempt
from syncapp.views import ecwid_order_url
from tests.pages.conftest import Status, make_record

pytestmark = pytest.mark.django_db

TIKTOK_ORDER = {
    "id": "576000000000000001",
    "status": "AWAITING_SHIPMENT",
    "recipient_address": {"name": "Jane <Doe>", "address_line1": "1 Main St"},
    "line_items": [{"seller_sku": "MUG-12OZ", "sale_price": "14.50"}],
}


def page(client, record) -> str:
    response = client.get(reverse("syncapp:record", args=[record.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_both_payloads_as_collapsible_json(staff_client, quiet_profile):
    record = make_record(
        quiet_profile,
        destination_id="XJ12H",
        source_payload=TIKTOK_ORDER,
        destination_payload={"email": "jane@example.com", "total": 14.5},
    )
    html = page(staff_client, record)
    assert '<details open><summary><span class="json-key">recipient_address</span>' in html
    assert "&quot;Jane &lt;Doe&gt;&quot;" in html  # escaped, never raw HTML from a payload
    assert '<details class="raw"><summary>Raw JSON</summary>' in html
    assert "jane@example.com" in html
    assert 'id="destination-id">XJ12H<' in html


def test_it_shows_the_attempts_newest_first(staff_client, quiet_profile):
    record = make_record(quiet_profile, destination_id="XJ12H")
    now = timezone.now()
    SyncAttempt.objects.create(
        record=record,
        started_at=now - timedelta(minutes=5),
        action="create",
        outcome="error",
        error_kind="transient",
        message="Ecwid had an internal error (HTTP 500).",
        http_status=500,
        request={"email": "a@b.c"},
        response={"message": "boom"},
    )
    SyncAttempt.objects.create(
        record=record, started_at=now, action="search", outcome="ok", response={"count": 0}
    )
    html = page(staff_client, record)
    assert html.index("<strong>Search</strong>") < html.index("<strong>Create</strong>")
    assert "HTTP 500" in html and "Ecwid had an internal error (HTTP 500)." in html
    assert "<summary>Sent</summary>" in html and "<summary>Came back</summary>" in html


def test_it_explains_the_error_in_plain_words_by_kind(staff_client, quiet_profile):
    record = make_record(
        quiet_profile,
        status=Status.NEEDS_ATTENTION,
        error_kind="mapping",
        last_error="Line item 1 (SKU NOPE) is not in the Ecwid store.",
    )
    html = page(staff_client, record)
    assert "The TikTok order could not be turned into an Ecwid order." in html
    assert "What to do:" in html and "add the product to Ecwid with that SKU" in html
    assert "Line item 1 (SKU NOPE) is not in the Ecwid store." in html

    record.error_kind, record.last_error = "auth", "Ecwid refused the access token."
    record.save()
    assert "click Authorize" in page(staff_client, record)


def test_a_skipped_record_says_why_without_alarm(staff_client, quiet_profile):
    record = make_record(
        quiet_profile, status=Status.SKIPPED, last_error="Skip: unpaid orders are never imported."
    )
    html = page(staff_client, record)
    assert "Why it was skipped" in html and "unpaid orders are never imported" in html


def test_open_in_ecwid_points_at_the_ecwid_admin_for_a_real_store(staff_client, quiet_profile):
    record = make_record(quiet_profile, destination_id="XJ12H")
    assert 'href="https://my.ecwid.com/store/1003#order:id=XJ12H"' in page(staff_client, record)


def test_open_in_ecwid_points_at_the_sandbox_store_page_for_a_sandbox_connection(quiet_profile):
    conn = quiet_profile.destination
    conn.api_base_url = "http://127.0.0.1:8000/sandbox/ecwid/api/v3"
    assert (
        ecwid_order_url(conn, "XJ12H") == "http://127.0.0.1:8000/sandbox/ecwid/store/orders/XJ12H/?store=1003"
    )


def test_a_detail_record_links_to_its_sales_order_and_shows_its_destination_id(staff_client, quiet_profile):
    detail = make_record(quiet_profile, Entity.ORDER_DETAIL, source_payload=TIKTOK_ORDER)
    sales = make_record(quiet_profile, destination_id="XJ12H")
    html = page(staff_client, detail)
    assert reverse("syncapp:record", args=[sales.pk]) in html
    assert 'id="destination-id">XJ12H<' in html
    assert reverse("syncapp:compare", args=[detail.pk]) in html


def test_an_unknown_record_is_a_404(staff_client, db):
    assert staff_client.get(reverse("syncapp:record", args=[999999])).status_code == 404


def test_a_record_that_is_not_an_order_has_no_compare(staff_client, quiet_profile):
    record = make_record(quiet_profile, "inventory", source_id="MUG-12OZ", destination_id="1729")
    html = page(staff_client, record)
    assert "Compare with Ecwid" not in html and "Open in Ecwid" not in html
    response = staff_client.get(reverse("syncapp:compare", args=[record.pk]))
    assert "Only orders can be compared" in response.content.decode()


def test_the_json_names_list_items_and_reads_tiktok_times(staff_client, quiet_profile):
    payload = {**TIKTOK_ORDER, "create_time": 1796401308, "cancel_time": 0, "packages": [{"id": "9069"}]}
    html = page(staff_client, make_record(quiet_profile, source_payload=payload))
    assert '<span class="json-preview">MUG-12OZ</span> <span class="json-size">2 fields</span>' in html
    assert '<span class="json-size">1 item</span>' in html and "1 items" not in html
    assert '<span class="json-size">1 field</span>' in html and "1 fields" not in html
    assert '<span class="json-hint">2026-12-04 16:21:48 UTC</span>' in html
    assert html.count("json-hint") == 1  # 0 means "not yet", not 1970


def test_the_error_kind_reads_as_words_and_a_mapping_error_explains_the_empty_timeline(
    staff_client, quiet_profile
):
    record = make_record(
        quiet_profile,
        status=Status.NEEDS_ATTENTION,
        error_kind="mapping",
        last_error="Line item 1 (SKU NOPE) is not in the Ecwid store.",
        attempts=1,
        source_payload=TIKTOK_ORDER,
    )
    html = page(staff_client, record)
    assert "Error kind: Mapping (order data)" in html
    assert "No call reached a platform: the order stopped before anything was sent" in html


def test_a_create_with_no_answer_is_shown_as_unknown_not_as_a_failure(staff_client, quiet_profile):
    record = make_record(quiet_profile, destination_id="XJ12H")
    SyncAttempt.objects.create(
        record=record, action="create", outcome="unknown", http_status=502, message="Bad Gateway (HTTP 502)"
    )
    html = page(staff_client, record)
    assert '<li class="unknown">' in html
    assert '<span class="badge status-warn"><span aria-hidden="true">?</span> Outcome unknown</span>' in html
    assert "so it is never made twice" in html
