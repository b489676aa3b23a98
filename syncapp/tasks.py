"""django-q2 entry points: tiny functions that take ids, reload the rows and call the sync engine.

Schedules call `run_profile_task(task_id)` (order pull, order push or inventory); the webhook view
queues `process_webhook(event_id)`; the admin's resync queues `push_records(ids)` (inventory rows: a
run of the profile's inventory task); an hourly schedule calls `refresh_connection_tokens()`.
Each returns a short plain-words summary, which django-q2 keeps as the task's result.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import schedule

from syncapp.models import Connection, Entity, Profile, ProfileTask, SyncRecord, WebhookEvent
from syncapp.platforms.http import PlatformError
from syncapp.sync import inventory, orders, schedules

log = logging.getLogger(__name__)

# When reading a webhook's order fails for a passing reason (timeout, 5xx, 429), read it again after
# these delays; after the last, the scheduled pull picks the order up.
WEBHOOK_READ_RETRY_SECONDS = (15, 60, 300)
# One run of a task at a time; a run that died lets its lease lapse after this long.
TASK_LEASE = timedelta(minutes=10)
# The order "Run now" runs a profile's tasks in: orders first, so the stock sent to TikTok Shop
# already counts the orders just imported into Ecwid.
RUN_ORDER = {Entity.ORDER_DETAIL: 0, Entity.SALES_ORDER: 1, Entity.INVENTORY: 2}


def queue_resync(record_ids: list[int], *, user=None) -> int:
    """Staff asked to sync these records again: mark them (who, when) and queue the work.

    "Sales Order" rows are pushed, "Sales Order Data: Detail" rows read again from TikTok, inventory
    rows sent by a run of their profile's inventory task even if unchanged. Returns how many.
    """
    from django_q.tasks import async_task

    records = SyncRecord.objects.filter(pk__in=record_ids)
    count = orders.request_resync(records, user=user)
    stock_profiles = inventory.request_resync(records, user=user)
    count += records.filter(entity=Entity.INVENTORY).count()
    by_entity: dict[str, list[int]] = {}
    for pk, entity in records.values_list("pk", "entity"):
        by_entity.setdefault(entity, []).append(pk)
    if by_entity.get(Entity.ORDER_DETAIL):
        async_task("syncapp.tasks.resync_details", by_entity[Entity.ORDER_DETAIL])
    if by_entity.get(Entity.SALES_ORDER):
        async_task("syncapp.tasks.push_records", by_entity[Entity.SALES_ORDER])
    for task_id in ProfileTask.objects.filter(
        profile_id__in=stock_profiles, entity=Entity.INVENTORY
    ).values_list("pk", flat=True):
        async_task("syncapp.tasks.run_profile_task", task_id)
    return count


def run_profile_task(task_id: int, *, since: int | None = None) -> str:
    """Run one profile task now (pull, push or inventory), recording last run, outcome and next run."""
    task = (
        ProfileTask.objects.select_related("profile__source", "profile__destination")
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        return f"Task {task_id} no longer exists."
    if not (task.enabled and task.profile.is_active):
        return f"{task} is switched off."
    now = timezone.now()
    leased = ProfileTask.objects.filter(
        Q(running_until__isnull=True) | Q(running_until__lt=now), pk=task.pk
    ).update(running_until=now + TASK_LEASE)
    if not leased:
        return f"{task} is already running."
    try:
        if task.entity == Entity.ORDER_DETAIL:
            outcome, ok = orders.pull_orders(task, since=since).summary(), True
        elif task.entity == Entity.INVENTORY:
            stock = inventory.sync_inventory(task)
            outcome, ok = stock.summary(), not stock.stopped
        else:
            result = orders.push_due(task.profile)
            outcome, ok = result.summary(), not result.stopped
    except PlatformError as exc:
        conn = task.profile.source if task.entity == Entity.ORDER_DETAIL else task.profile.destination
        outcome, ok = orders.explain(conn, exc), False
        log.warning("%s failed: %s", task, exc)
    except Exception as exc:
        outcome, ok = f"Unexpected error: {type(exc).__name__}: {exc}", False
        log.exception("%s failed", task)
    finally:
        ProfileTask.objects.filter(pk=task.pk).update(running_until=None)
    ProfileTask.objects.filter(pk=task.pk).update(
        last_run_at=now, last_outcome=outcome, last_run_ok=ok, next_run_at=schedules.next_run_of(task)
    )
    return outcome


def run_profile(profile_id: int, *, since: int | None = None) -> str:
    """Run a profile's enabled tasks now, pull first ("Run now", "Backfill from date")."""
    outcomes = []
    enabled = ProfileTask.objects.filter(profile_id=profile_id, enabled=True)
    for task in sorted(enabled, key=lambda t: RUN_ORDER.get(t.entity, len(RUN_ORDER))):
        outcomes.append(
            run_profile_task(task.pk, since=since if task.entity == Entity.ORDER_DETAIL else None)
        )
    return " ".join(outcomes) or "No enabled tasks."


def process_webhook(event_id: int) -> str:
    """Pull the order a TikTok webhook names and push it at once; polling stays the safety net."""
    event = WebhookEvent.objects.select_related("connection").filter(pk=event_id).first()
    if event is None:
        return f"Webhook event {event_id} no longer exists."
    if event.processed_at:
        return "Already processed."
    retry = False
    if event.event_type != 1 or not event.order_id:
        outcome = f"Ignored: webhook type {event.event_type} is not an order status change."
    else:
        outcome, retry = _sync_order_now(event)
    if retry and event.read_retries < len(WEBHOOK_READ_RETRY_SECONDS):
        # TikTok could not be read for a passing reason: try this order again soon rather than leave
        # it to the next scheduled pull (which stays the safety net after the last retry).
        delay = WEBHOOK_READ_RETRY_SECONDS[event.read_retries]
        WebhookEvent.objects.filter(pk=event.pk).update(
            read_retries=event.read_retries + 1, outcome=f"{outcome} Trying again in {delay} s."
        )
        schedule(
            "syncapp.tasks.process_webhook",
            event.pk,
            name=f"webhook-{event.pk}-retry-{event.read_retries + 1}",
            schedule_type=Schedule.ONCE,
            next_run=timezone.now() + timedelta(seconds=delay),
        )
        return outcome
    WebhookEvent.objects.filter(pk=event.pk).update(processed_at=timezone.now(), outcome=outcome)
    return outcome


def _sync_order_now(event: WebhookEvent) -> tuple[str, bool]:
    """Pull and push the order for each active profile; (outcome, whether a passing failure hit)."""
    profiles = Profile.objects.filter(source=event.connection, is_active=True).select_related("source")
    outcomes = []
    retry = False
    for profile in profiles:
        enabled = set(profile.tasks.filter(enabled=True).values_list("entity", flat=True))
        if Entity.ORDER_DETAIL not in enabled:
            outcomes.append(f"{profile}: pull is switched off.")
            continue
        try:
            results = orders.fetch_and_ingest(profile, [event.order_id])
        except PlatformError as exc:
            outcomes.append(f"{profile}: could not read the order: {orders.explain(profile.source, exc)}")
            retry = retry or exc.retryable
            continue
        if not results:
            outcomes.append(f"{profile}: TikTok returned no order {event.order_id}.")
            continue
        for result in results:
            status = result.sales_status or "unchanged"
            record_id = (
                SyncRecord.objects.filter(
                    profile=profile, entity=Entity.SALES_ORDER, source_id=result.source_id
                )
                .values_list("pk", flat=True)
                .first()
            )
            # Pushed now even when a poll stored this version first: the claim only succeeds when
            # the record is due, so an order already in Ecwid costs nothing here.
            if record_id and Entity.SALES_ORDER in enabled:
                try:
                    pushed, _ = orders.push_record(record_id)
                except orders.DestinationUnavailable as exc:
                    pushed = f"not sent ({exc})"
                status = pushed or status
            outcomes.append(f"{profile}: order {result.source_id} {status}.")
    return " ".join(outcomes) or "No active profile uses this shop.", retry


def push_records(record_ids: list[int]) -> str:
    """Push these "Sales Order" rows now (after a resync); rows someone else holds are left to them."""
    counts: dict[str, int] = {}
    for record_id in record_ids:
        try:
            status, _ = orders.push_record(record_id)
        except orders.DestinationUnavailable as exc:
            return f"Stopped: {exc}"
        key = status or "not due"
        counts[key] = counts.get(key, 0) + 1
    return ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "Nothing to push."


def resync_details(record_ids: list[int]) -> str:
    """Read "Sales Order Data: Detail" rows again from TikTok, by id."""
    rows = SyncRecord.objects.filter(pk__in=record_ids, entity=Entity.ORDER_DETAIL).select_related("profile")
    by_profile: dict[int, tuple[Profile, list[str]]] = {}
    for row in rows:
        by_profile.setdefault(row.profile_id, (row.profile, []))[1].append(row.source_id)
    read = 0
    for profile, ids in by_profile.values():
        read += len(orders.fetch_and_ingest(profile, ids))
    return f"Read {read} orders again from TikTok."


def refresh_connection_tokens() -> str:
    """Refresh TikTok tokens that are close to expiry (the connection module decides how close)."""
    from syncapp.connections import tiktok_shop as tiktok_connection

    refreshed, failed = 0, 0
    for conn in Connection.objects.filter(platform=Connection.Platform.TIKTOK_SHOP).exclude(refresh_token=""):
        try:
            if tiktok_connection.refresh_tokens(conn):
                refreshed += 1
        except PlatformError as exc:
            failed += 1
            log.warning("Token refresh for connection %s failed: %s", conn.pk, exc)
    return f"Refreshed {refreshed} connections; {failed} failed."
