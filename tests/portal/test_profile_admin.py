"""A profile's own admin page has "Run now" and "Backfill from <date>" buttons."""

import datetime as dt

import pytest
from django.urls import reverse

from syncapp.models import Connection, Profile
from tests.broker import queued_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile():
    def conn(name, platform):
        return Connection.objects.create(
            name=name,
            platform=platform,
            api_base_url="https://example.invalid",
            auth_base_url="https://example.invalid",
        )

    return Profile.objects.create(
        name="[Acme US] TikTok Shop – Ecwid",
        source=conn("T", Connection.Platform.TIKTOK_SHOP),
        destination=conn("E", Connection.Platform.ECWID),
    )


def test_the_profile_page_shows_both_buttons(admin_client, profile):
    html = admin_client.get(reverse("admin:syncapp_profile_change", args=[profile.pk])).content.decode()
    assert reverse("admin:syncapp_profile_run_now", args=[profile.pk]) in html
    assert reverse("admin:syncapp_profile_backfill", args=[profile.pk]) in html


def test_run_now_queues_a_run_of_this_profile(admin_client, profile):
    response = admin_client.post(reverse("admin:syncapp_profile_run_now", args=[profile.pk]), follow=True)
    assert queued_tasks() == [("syncapp.tasks.run_profile", (profile.pk,), {})]
    assert "Queued 1 profile to run now." in response.content.decode()


def test_backfill_reads_from_the_chosen_date(admin_client, profile):
    admin_client.post(reverse("admin:syncapp_profile_backfill", args=[profile.pk]), {"since": "2026-11-01"})
    since = int(dt.datetime(2026, 11, 1, tzinfo=dt.UTC).timestamp())
    assert queued_tasks() == [("syncapp.tasks.run_profile", (profile.pk,), {"since": since})]


def test_backfill_without_a_date_says_so_and_queues_nothing(admin_client, profile):
    response = admin_client.post(reverse("admin:syncapp_profile_backfill", args=[profile.pk]), follow=True)
    assert queued_tasks() == []
    assert "Pick a “From date” first" in response.content.decode()


def test_a_get_changes_nothing(admin_client, profile):
    admin_client.get(reverse("admin:syncapp_profile_run_now", args=[profile.pk]))
    assert queued_tasks() == []
