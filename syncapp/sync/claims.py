"""Claiming ledger rows through the database, so any number of workers can share the work safely.

A claim is one conditional UPDATE checked by its row count (the healthchecks `sendalerts` pattern):
it works the same on SQLite and PostgreSQL, and a worker that dies simply lets its lease expire, after
which the row is claimable again (DESIGN.md "Exactly once into Ecwid", step 1).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from syncapp.models import Entity, SyncRecord

# Longer than the slowest push can take: HTTP connect + read timeouts and the Ecwid client's own
# Retry-After sleeps (two 429 retries of at most 60 s, ecwid_api.md §7.1).
DEFAULT_LEASE_SECONDS = 300

Status = SyncRecord.Status


def lease_seconds() -> float:
    return float(getattr(settings, "SYNC_LEASE_SECONDS", DEFAULT_LEASE_SECONDS))


def due_filter(now: datetime) -> Q:
    """Rows a worker may take now: waiting work whose time has come, or work whose owner vanished."""
    waiting = Q(status__in=[Status.PENDING, Status.FAILED]) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    abandoned = Q(status=Status.IN_PROGRESS, lease_expires_at__lt=now)
    return waiting | abandoned


def due_record_ids(profile_id: int, *, limit: int = 100, entity: str = Entity.SALES_ORDER) -> list[int]:
    now = timezone.now()
    return list(
        SyncRecord.objects.filter(due_filter(now), profile_id=profile_id, entity=entity)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )


def claim(record_id: int, *, now: datetime | None = None) -> str | None:
    """Take the row for this worker; the claim token, or None when someone else has it or it is not due."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    taken = SyncRecord.objects.filter(due_filter(now), pk=record_id, entity=Entity.SALES_ORDER).update(
        status=Status.IN_PROGRESS,
        claim_token=token,
        lease_expires_at=now + timedelta(seconds=lease_seconds()),
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    return token if taken == 1 else None


def update_claimed(record_id: int, token: str, **fields) -> bool:
    """Write fields on a row we still own (committed at once in autocommit); False if we lost it."""
    fields.setdefault("updated_at", timezone.now())
    return SyncRecord.objects.filter(pk=record_id, claim_token=token).update(**fields) == 1


def release(record_id: int, token: str, *, status: str, pushed_version: int | None, **fields) -> str | None:
    """End the claim with `status`; the status actually written, or None if the claim was lost.

    A SUCCESS is only written when the TikTok payload did not change while we pushed (the pull may
    store a newer version meanwhile); otherwise the row goes back to pending so the change is pushed.
    """
    now = timezone.now()
    fields.update(claim_token="", lease_expires_at=None, updated_at=now)
    mine = SyncRecord.objects.filter(pk=record_id, claim_token=token)
    if status == Status.SUCCESS:
        same_version = (
            Q(source_updated_at=pushed_version)
            if pushed_version is not None
            else Q(source_updated_at__isnull=True)
        )
        if mine.filter(same_version).update(status=status, **fields):
            return status
        # The order changed on TikTok while we pushed: what Ecwid has is a version behind.
        fields["next_attempt_at"] = None
        status = Status.PENDING
    return status if mine.update(status=status, **fields) else None
