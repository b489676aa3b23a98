"""Claiming ledger rows: one owner at a time, and a dead owner's row comes back."""

from datetime import timedelta

import pytest
from django.utils import timezone

from syncapp.models import Connection, Entity, Profile, SyncRecord
from syncapp.sync import claims, retry

Status = SyncRecord.Status


@pytest.fixture
def record(db):
    def conn(name, platform):
        return Connection.objects.create(
            name=name, platform=platform, api_base_url="https://x.invalid", auth_base_url="https://x.invalid"
        )

    profile = Profile.objects.create(
        name="P",
        source=conn("T", Connection.Platform.TIKTOK_SHOP),
        destination=conn("E", Connection.Platform.ECWID),
    )
    return SyncRecord.objects.create(
        profile=profile, entity=Entity.SALES_ORDER, source_id="576486316948490001", source_updated_at=100
    )


def test_only_one_worker_gets_the_claim(record):
    first = claims.claim(record.pk)

    assert first and claims.claim(record.pk) is None
    record.refresh_from_db()
    assert (record.status, record.claim_token, record.attempts) == (Status.IN_PROGRESS, first, 1)


def test_a_row_whose_owner_died_is_claimable_after_its_lease(record, settings):
    settings.SYNC_LEASE_SECONDS = 60
    claims.claim(record.pk)

    assert claims.claim(record.pk, now=timezone.now() + timedelta(seconds=30)) is None
    assert claims.claim(record.pk, now=timezone.now() + timedelta(seconds=61))


def test_a_failed_row_waits_for_its_next_attempt_time(record):
    SyncRecord.objects.filter(pk=record.pk).update(
        status=Status.FAILED, next_attempt_at=timezone.now() + timedelta(minutes=5)
    )

    assert claims.claim(record.pk) is None
    assert claims.due_record_ids(record.profile_id) == []
    assert claims.claim(record.pk, now=timezone.now() + timedelta(minutes=6))


def test_finished_rows_are_not_claimed(record):
    for status in (Status.SUCCESS, Status.NEEDS_ATTENTION, Status.SKIPPED):
        SyncRecord.objects.filter(pk=record.pk).update(status=status)
        assert claims.claim(record.pk) is None


def test_a_lost_claim_cannot_write(record, settings):
    settings.SYNC_LEASE_SECONDS = 0
    stale = claims.claim(record.pk)
    fresh = claims.claim(record.pk, now=timezone.now() + timedelta(seconds=1))

    assert not claims.update_claimed(record.pk, stale, destination_id="DUP")
    assert claims.release(record.pk, stale, status=Status.SUCCESS, pushed_version=100) is None
    assert claims.release(record.pk, fresh, status=Status.SUCCESS, pushed_version=100) == Status.SUCCESS


def test_a_row_changed_during_the_push_goes_back_to_pending(record):
    token = claims.claim(record.pk)
    SyncRecord.objects.filter(pk=record.pk).update(source_updated_at=200)  # the pull stored a newer version

    assert claims.release(record.pk, token, status=Status.SUCCESS, pushed_version=100) == Status.PENDING
    assert claims.due_record_ids(record.profile_id) == [record.pk]


@pytest.mark.parametrize("attempts", [1, 2, 5, 20])
def test_backoff_grows_with_jitter_and_honours_retry_after(settings, attempts):
    settings.SYNC_RETRY_BASE_SECONDS = 30
    settings.SYNC_RETRY_MAX_SECONDS = 3600
    full = min(3600, 30 * 2 ** (attempts - 1))

    assert retry.backoff_seconds(attempts, rand=lambda: 0.0) == full / 2
    assert retry.backoff_seconds(attempts, rand=lambda: 1.0) == full
    assert retry.backoff_seconds(attempts, 7200, rand=lambda: 0.0) == 7200
