"""Staff controls: the ledger admin (search, resync), profile actions, and the management commands."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from syncapp.models import Entity, SyncRecord
from tests.engine.conftest import Status, ecwid_copies, make_orders, pull, push_until_settled, sales_records

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def synced(profile, shop):
    (order,) = make_orders(shop, 1)
    pull(profile)
    push_until_settled(profile)
    return sales_records(profile).get(source_id=order.order_id)


def test_the_ledger_is_searchable_by_source_and_destination_id(admin_client, synced):
    url = reverse("admin:syncapp_syncrecord_changelist")

    by_source = admin_client.get(url, {"q": synced.source_id})
    by_destination = admin_client.get(url, {"q": synced.destination_id})
    nothing = admin_client.get(url, {"q": "no-such-order"})

    assert synced.destination_id in by_source.content.decode()
    assert by_source.context["cl"].result_count == 2  # the detail row and the sales order row
    assert by_destination.context["cl"].result_count == 1
    assert nothing.context["cl"].result_count == 0
    filtered = admin_client.get(url, {"status__exact": "success", "entity__exact": Entity.SALES_ORDER})
    assert filtered.context["cl"].result_count == 1


def test_a_record_page_shows_payloads_and_attempts(admin_client, synced):
    page = admin_client.get(reverse("admin:syncapp_syncrecord_change", args=[synced.pk])).content.decode()

    assert "total_amount" in page  # the TikTok payload, pretty-printed
    assert "externalTransactionId" in page  # what was sent to Ecwid
    assert "create" in page and "Came back" in page


def test_resync_selected_records_who_asked_and_when(admin_client, admin_user, synced):
    response = admin_client.post(
        reverse("admin:syncapp_syncrecord_changelist"),
        {"action": "resync_selected", "_selected_action": [synced.pk]},
        follow=True,
    )

    assert "Queued 1 record(s) to sync again" in response.content.decode()
    synced.refresh_from_db()
    assert synced.status == Status.PENDING
    assert synced.resync_requested_by == admin_user and synced.resync_requested_at


def test_profile_actions_run_now_and_backfill(admin_client, profile):
    url = reverse("admin:syncapp_profile_changelist")

    run = admin_client.post(url, {"action": "run_now", "_selected_action": [profile.pk]}, follow=True)
    no_date = admin_client.post(url, {"action": "backfill", "_selected_action": [profile.pk]}, follow=True)
    backfill = admin_client.post(
        url, {"action": "backfill", "_selected_action": [profile.pk], "since": "2026-11-01"}, follow=True
    )

    assert "Queued 1 profile to run now" in run.content.decode()
    assert "Pick a “From date”" in no_date.content.decode()
    assert "updated since 01 Nov 2026" in backfill.content.decode()
    page = admin_client.get(reverse("admin:syncapp_profile_change", args=[profile.pk])).content.decode()
    assert "Sales Order Data: Detail" in page and "Every 5 minutes" in page


def test_sync_profile_runs_both_tasks_in_the_foreground(profile, shop):
    (order,) = make_orders(shop, 1)
    out = StringIO()

    call_command("sync_profile", profile.name, "--since", "2020-01-01", stdout=out, stderr=StringIO())

    assert "1 new" in out.getvalue() and "1 success" in out.getvalue()
    assert len(ecwid_copies(order.order_id)) == 1
    with pytest.raises(CommandError, match="No profile named"):
        call_command("sync_profile", "nope")


def test_resync_command_reads_and_pushes_again(profile, shop, synced):
    out = StringIO()

    call_command("resync", synced.source_id, "404", stdout=out, stderr=StringIO())

    assert f"Ecwid order {synced.destination_id}" in out.getvalue()
    assert SyncRecord.objects.get(pk=synced.pk).status == Status.SUCCESS
    assert len(ecwid_copies(synced.source_id)) == 1


def test_the_attempt_and_webhook_lists_open(admin_client, synced):
    attempts = admin_client.get(reverse("admin:syncapp_syncattempt_changelist"), {"q": synced.source_id})
    attempt = synced.attempt_rows.get()

    assert attempts.context["cl"].result_count == 1
    assert admin_client.get(reverse("admin:syncapp_syncattempt_change", args=[attempt.pk])).status_code == 200
    assert admin_client.get(reverse("admin:syncapp_webhookevent_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:syncapp_profile_add")).status_code == 200
