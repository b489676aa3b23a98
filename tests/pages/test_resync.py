"""Bulk "Resync selected" asks first, then queues the rows through the engine and keeps who asked."""

import pytest
from django.urls import reverse

from syncapp.models import Entity, SyncRecord
from tests import broker
from tests.pages.conftest import Status, make_record

pytestmark = pytest.mark.django_db

RESYNC = reverse("syncapp:resync")
SALES = reverse("syncapp:sales-order-list")


def queued_tasks() -> list[tuple[str, tuple]]:
    return [(func, args) for func, args, _ in broker.queued_tasks()]


@pytest.fixture
def failed(quiet_profile):
    return [
        make_record(
            quiet_profile,
            source_id=f"57600000000000010{i}",
            status=Status.NEEDS_ATTENTION,
            error_kind="invalid",
            last_error="Ecwid refused it.",
            attempts=3,
        )
        for i in range(3)
    ]


def test_the_first_post_shows_a_confirmation_and_changes_nothing(staff_client, failed):
    response = staff_client.post(RESYNC, {"ids": [r.pk for r in failed[:2]], "next": SALES})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Yes, resync 2 records" in html
    assert failed[0].source_id in html and failed[1].source_id in html and failed[2].source_id not in html
    assert set(SyncRecord.objects.values_list("status", flat=True)) == {Status.NEEDS_ATTENTION}
    assert queued_tasks() == []


def test_confirming_queues_the_records_again_and_keeps_who_asked(staff_client, alice, failed):
    chosen = [r.pk for r in failed[:2]]
    response = staff_client.post(RESYNC, {"ids": chosen, "confirm": "yes", "next": SALES + "?status=failed"})
    assert response.status_code == 302 and response["Location"] == SALES + "?status=failed"
    for record in SyncRecord.objects.filter(pk__in=chosen):
        assert record.status == Status.PENDING
        assert record.attempts == 0 and record.error_kind == ""
        assert record.resync_requested_by == alice and record.resync_requested_at is not None
    untouched = SyncRecord.objects.get(pk=failed[2].pk)
    assert untouched.status == Status.NEEDS_ATTENTION and untouched.resync_requested_by is None
    assert queued_tasks() == [("syncapp.tasks.push_records", (sorted(chosen),))]
    followed = staff_client.get(response["Location"])
    assert "Queued 2 records to sync again (requested by alice" in followed.content.decode()


def test_resyncing_a_detail_record_reads_the_order_from_tiktok_again(staff_client, quiet_profile):
    detail = make_record(quiet_profile, Entity.ORDER_DETAIL, source_updated_at=1700000000)
    staff_client.post(RESYNC, {"ids": [detail.pk], "confirm": "yes"})
    detail.refresh_from_db()
    assert detail.source_updated_at is None  # so the next read is not taken for "unchanged"
    assert queued_tasks() == [("syncapp.tasks.resync_details", ([detail.pk],))]


def test_the_record_page_resync_button_queues_at_once(staff_client, alice, failed):
    url = reverse("syncapp:record", args=[failed[0].pk])
    html = staff_client.get(url).content.decode()
    assert 'name="confirm" value="yes"' in html and ">Resync</button>" in html
    response = staff_client.post(RESYNC, {"ids": [failed[0].pk], "confirm": "yes", "next": url})
    assert response["Location"] == url
    failed[0].refresh_from_db()
    assert failed[0].status == Status.PENDING and failed[0].resync_requested_by == alice


def test_nothing_selected_is_a_message_not_an_error(staff_client, failed):
    response = staff_client.post(RESYNC, {"next": SALES, "ids": ["abc"]}, follow=True)
    assert response.status_code == 200
    assert "Select at least one record to resync." in response.content.decode()


def test_a_foreign_next_address_is_ignored(staff_client, failed):
    response = staff_client.post(
        RESYNC, {"ids": [failed[0].pk], "confirm": "yes", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("syncapp:dashboard")


def test_resync_needs_a_post(staff_client, failed):
    assert staff_client.get(RESYNC, {"ids": failed[0].pk, "confirm": "yes"}).status_code == 405


def test_the_confirmation_speaks_of_one_record_in_the_singular(staff_client, failed):
    html = staff_client.post(RESYNC, {"ids": [failed[0].pk], "next": SALES}).content.decode()
    assert "This record will be queued to sync again now." in html
    assert "These 1 record" not in html and "Yes, resync 1 record<" in html


def test_an_id_too_big_for_the_database_is_ignored_not_a_500(staff_client, failed):
    response = staff_client.post(RESYNC, {"next": SALES, "ids": ["9" * 30]}, follow=True)
    assert response.status_code == 200
    assert "Select at least one record to resync." in response.content.decode()


def test_resyncing_an_inventory_record_queues_a_run_of_its_inventory_task(staff_client, alice, quiet_profile):
    stock = make_record(quiet_profile, Entity.INVENTORY, source_id="MUG-12OZ")
    staff_client.post(RESYNC, {"ids": [stock.pk], "confirm": "yes"})
    task = quiet_profile.tasks.get(entity=Entity.INVENTORY)
    assert queued_tasks() == [("syncapp.tasks.run_profile_task", (task.pk,))]
    stock.refresh_from_db()
    assert stock.resync_requested_by == alice
