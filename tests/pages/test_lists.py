"""The two lists: Source/Destination ID search (exact and prefix), filters, sorting, paging, CSV export."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from syncapp.models import Entity, Profile, SyncRecord
from tests.pages.conftest import Status, make_connections, make_record

pytestmark = pytest.mark.django_db

SALES = reverse("syncapp:sales-order-list")
DETAIL = reverse("syncapp:order-detail-list")


@pytest.fixture
def records(quiet_profile):
    make_record(quiet_profile, source_id="576111000000000001", destination_id="AB12C")
    make_record(quiet_profile, source_id="576111000000000002", destination_id="AB99Z")
    make_record(quiet_profile, source_id="576222000000000003", destination_id="ZZ001")
    make_record(
        quiet_profile,
        source_id="576333000000000004",
        status=Status.NEEDS_ATTENTION,
        error_kind="mapping",
        last_error="Line item 1 (SKU NOPE) is not in the Ecwid store.",
    )
    make_record(quiet_profile, Entity.ORDER_DETAIL, source_id="576111000000000001")
    return quiet_profile


def shown(response) -> set[str]:
    return {row.record.source_id for row in response.context["table"].paginated_rows}


def test_the_source_id_search_is_exact_by_default(staff_client, records):
    response = staff_client.get(SALES, {"source_id": "576111000000000001"})
    assert shown(response) == {"576111000000000001"}
    assert "AB12C" in response.content.decode()


def test_a_partial_source_id_finds_nothing_without_asking_for_a_prefix(staff_client, records):
    assert shown(staff_client.get(SALES, {"source_id": "576111"})) == set()
    assert shown(staff_client.get(SALES, {"source_id": "111000"})) == set()


def test_a_prefix_search_finds_every_id_starting_with_it(staff_client, records):
    assert shown(staff_client.get(SALES, {"source_id": "576111", "match": "prefix"})) == {
        "576111000000000001",
        "576111000000000002",
    }
    assert shown(staff_client.get(SALES, {"source_id": "576111*"})) == {
        "576111000000000001",
        "576111000000000002",
    }


def test_a_prefix_search_is_a_range_on_the_indexed_column_never_a_contains(staff_client, records):
    with CaptureQueriesContext(connection) as queries:
        staff_client.get(SALES, {"source_id": "576111*", "destination_id": "AB*"})
    sql = next(q["sql"] for q in queries if "syncapp_syncrecord" in q["sql"] and "source_id" in q["sql"])
    assert '"source_id" >= ' in sql and '"source_id" < ' in sql
    assert '"destination_id" >= ' in sql
    assert "%576111%" not in sql and "%AB%" not in sql


def test_the_destination_id_search_is_exact_or_prefix(staff_client, records):
    assert shown(staff_client.get(SALES, {"destination_id": "AB99Z"})) == {"576111000000000002"}
    assert shown(staff_client.get(SALES, {"destination_id": "AB", "match": "prefix"})) == {
        "576111000000000001",
        "576111000000000002",
    }


def test_each_list_shows_only_its_entity(staff_client, records):
    assert shown(staff_client.get(DETAIL)) == {"576111000000000001"}
    assert len(shown(staff_client.get(SALES))) == 4


def test_the_status_and_error_kind_filters_narrow_the_list(staff_client, records):
    assert shown(staff_client.get(SALES, {"status": "needs_attention"})) == {"576333000000000004"}
    assert shown(staff_client.get(SALES, {"error_kind": "mapping"})) == {"576333000000000004"}
    assert len(shown(staff_client.get(SALES, {"error_kind": "none"}))) == 3


def test_the_profile_filter_narrows_the_list(staff_client, records):
    tiktok, ecwid = make_connections("https://other.invalid", name="Other")
    other = Profile.objects.create(name="[Other] TikTok Shop – Ecwid", source=tiktok, destination=ecwid)
    make_record(other, source_id="999")
    assert shown(staff_client.get(SALES, {"profile": other.pk})) == {"999"}
    assert "999" not in shown(staff_client.get(SALES, {"profile": records.pk}))


def test_the_date_range_filter_uses_the_update_time(staff_client, records):
    old = make_record(records, source_id="576000000000000777")
    SyncRecord.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=40))
    last_month = (timezone.now() - timedelta(days=41)).date().isoformat()
    month_ago = (timezone.now() - timedelta(days=39)).date().isoformat()
    assert shown(staff_client.get(SALES, {"updated_from": last_month, "updated_to": month_ago})) == {
        "576000000000000777"
    }
    assert "576000000000000777" not in shown(staff_client.get(SALES, {"updated_from": month_ago}))


def test_a_bad_filter_value_is_a_message_not_a_500(staff_client, records):
    response = staff_client.get(SALES, {"updated_from": "yesterday", "status": "exploded"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "errornote" in html
    # each message names its field
    assert "<p>Updated from: Enter a valid date.</p>" in html and "<p>Status: Select a valid choice." in html


def test_the_source_id_column_sorts_both_ways(staff_client, records):
    ascending = [
        r.record.source_id for r in staff_client.get(SALES, {"sort": "source_id"}).context["table"].rows
    ]
    descending = [
        r.record.source_id for r in staff_client.get(SALES, {"sort": "-source_id"}).context["table"].rows
    ]
    assert ascending == sorted(ascending) and descending == sorted(ascending, reverse=True)


def test_the_list_pages_without_counting_every_row(staff_client, quiet_profile):
    SyncRecord.objects.bulk_create(
        SyncRecord(profile=quiet_profile, entity=Entity.SALES_ORDER, source_id=f"5760{i:014d}")
        for i in range(120)
    )
    with CaptureQueriesContext(connection) as queries:
        first = staff_client.get(SALES)
    assert not any("COUNT(" in q["sql"].upper() and "syncapp_syncrecord" in q["sql"] for q in queries)
    assert len(shown(first)) == 25
    assert 'rel="next"' in first.content.decode()
    last = staff_client.get(SALES, {"page": 5})
    assert len(shown(last)) == 20
    assert 'rel="next"' not in last.content.decode()
    assert len(shown(staff_client.get(SALES, {"per_page": 100}))) == 100
    assert len(shown(staff_client.get(SALES, {"per_page": -5}))) == 1
    assert len(shown(staff_client.get(SALES, {"per_page": 10**9}))) == 120  # capped at 200


def test_the_csv_export_holds_the_filtered_rows(staff_client, records):
    response = staff_client.get(SALES, {"source_id": "576111*", "_export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {r["Source ID"] for r in rows} == {"576111000000000001", "576111000000000002"}
    assert {r["Destination ID"] for r in rows} == {"AB12C", "AB99Z"}
    assert {r["Status"] for r in rows} == {"Success"}
    assert "select" not in rows[0] and "Select" not in rows[0]


def test_the_csv_export_carries_the_reason_in_full(staff_client, records):
    response = staff_client.get(SALES, {"status": "needs_attention", "_export": "csv"})
    (row,) = csv.DictReader(io.StringIO(response.content.decode()))
    assert row["Reason / last error"] == "Line item 1 (SKU NOPE) is not in the Ecwid store."
    assert row["Error kind"] == "mapping"


def test_each_row_links_to_its_record_and_has_a_labelled_checkbox(staff_client, records):
    html = staff_client.get(SALES, {"source_id": "576111000000000001"}).content.decode()
    record = SyncRecord.objects.get(entity=Entity.SALES_ORDER, source_id="576111000000000001")
    assert reverse("syncapp:record", args=[record.pk]) in html
    assert f'value="{record.pk}"' in html and 'aria-label="Select this row"' in html
    assert 'form="bulk-form"' in html


def test_the_sorted_column_announces_its_order(staff_client, records):
    html = staff_client.get(SALES, {"sort": "-source_id"}).content.decode()
    assert 'aria-sort="descending"' in html
    html = staff_client.get(SALES, {"sort": "source_id"}).content.decode()
    assert 'aria-sort="ascending"' in html


def test_an_id_search_lists_its_hits_in_id_order(staff_client, records):
    response = staff_client.get(SALES, {"source_id": "576*"})
    ids = [row.record.source_id for row in response.context["table"].rows]
    assert ids == sorted(ids) and len(ids) == 4


def test_the_detail_list_finds_an_order_by_its_destination_id(staff_client, records):
    # A detail record keeps no Ecwid id of its own: the search goes through its Sales Order record.
    assert shown(staff_client.get(DETAIL, {"destination_id": "AB12C"})) == {"576111000000000001"}
    assert shown(staff_client.get(DETAIL, {"destination_id": "AB*"})) == {"576111000000000001"}
    assert shown(staff_client.get(DETAIL, {"destination_id": "ZZ001"})) == set()


def test_a_destination_id_typed_in_lower_case_is_found(staff_client, records):
    assert shown(staff_client.get(SALES, {"destination_id": "ab12c"})) == {"576111000000000001"}
    assert shown(staff_client.get(SALES, {"destination_id": "ab", "match": "prefix"})) == {
        "576111000000000001",
        "576111000000000002",
    }


def test_a_sort_link_starts_again_at_the_first_page(staff_client, quiet_profile):
    SyncRecord.objects.bulk_create(
        SyncRecord(profile=quiet_profile, entity=Entity.SALES_ORDER, source_id=f"5760{i:014d}")
        for i in range(30)
    )
    html = staff_client.get(SALES, {"page": 2}).content.decode()
    assert 'href="?sort=source_id"' in html
    assert "page=2&amp;sort" not in html and "sort=source_id&amp;page=2" not in html


def test_it_says_how_many_rows_it_shows_without_counting_the_ledger(staff_client, quiet_profile):
    SyncRecord.objects.bulk_create(
        SyncRecord(profile=quiet_profile, entity=Entity.SALES_ORDER, source_id=f"5760{i:014d}")
        for i in range(30)
    )
    with CaptureQueriesContext(connection) as queries:
        first = staff_client.get(SALES).content.decode()
    assert not any("COUNT(" in q["sql"].upper() and "syncapp_syncrecord" in q["sql"] for q in queries)
    assert "Records 1–25; more on the next page." in first
    assert "Records 26–30 of 30." in staff_client.get(SALES, {"page": 2}).content.decode()
    assert ">1 record.<" in staff_client.get(SALES, {"source_id": "576000000000000007"}).content.decode()
    assert "rows-shown" not in staff_client.get(SALES, {"source_id": "nothing"}).content.decode()


def test_dates_never_wrap_and_error_kinds_read_as_words(staff_client, records):
    html = staff_client.get(SALES, {"status": "needs_attention"}).content.decode()
    assert '<td class="when">' in html
    assert "Mapping (order data)" in html  # the filter's words; the CSV keeps the code (above)


def test_the_detail_list_shows_the_destination_id_of_each_order(staff_client, records):
    sales = SyncRecord.objects.get(entity=Entity.SALES_ORDER, source_id="576111000000000001")
    html = staff_client.get(DETAIL).content.decode()
    assert f'<a href="{reverse("syncapp:record", args=[sales.pk])}">AB12C</a>' in html
    # read for the shown page in one query, and left out of the CSV (which may hold 100,000 rows)
    rows = list(csv.DictReader(io.StringIO(staff_client.get(DETAIL, {"_export": "csv"}).content.decode())))
    assert "Destination ID" not in rows[0]


def test_an_export_format_it_does_not_offer_shows_the_page_not_a_500(staff_client, records):
    response = staff_client.get(SALES, {"_export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_each_list_names_its_table_region_for_screen_readers(staff_client, records):
    assert 'role="region" aria-label="Sales Order records"' in staff_client.get(SALES).content.decode()
    detail = staff_client.get(DETAIL).content.decode()
    assert 'role="region" aria-label="Sales Order Data: Detail records"' in detail
