"""The two stages of the order sync, recording every outcome on the ledger rows.

Pull ("Sales Order Data: Detail"): read TikTok orders by `update_time` windows and keep each payload
under its TikTok id; queue the ones the profile takes for the push.
Push ("Sales Order"): turn a queued order into exactly one Ecwid order, or bring that Ecwid order up
to date (DESIGN.md "The record ledger", "Exactly once into Ecwid", "Pull without gaps").
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from syncapp.connections import platform_module
from syncapp.models import Connection, Entity, Profile, ProfileTask, SyncAttempt, SyncRecord
from syncapp.platforms.http import ErrorKind, PlatformError
from syncapp.sync import claims, mapping, pacing, products, retry
from syncapp.sync.mapping import MappingError
from syncapp.sync.tuning import setting

log = logging.getLogger(__name__)

Status = SyncRecord.Status

# TikTok's search may return orders whose update_time moved while it searched (tiktok_shop_api.md
# §3.1), so each window starts this long before the previous one ended; the unique key dedupes.
DEFAULT_OVERLAP_SECONDS = 300
# How far past now a window reaches (see pull_orders).
CLOCK_SLACK_SECONDS = 60
# Where a profile's very first pull starts when it has no earliest order date.
DEFAULT_FIRST_PULL_DAYS = 7
# Ecwid's search index lags behind creates (ecwid_api.md §4.4: the official client's tests wait up
# to 15 s). After an unknown outcome we only trust "not found" once the create is older than this.
DEFAULT_SEARCH_LAG_SECONDS = 20
# A pull or push run stops taking new orders after this long, inside django-q's task timeout (600 s).
DEFAULT_BUDGET_SECONDS = 480
# This many connection failures in a row mean Ecwid is down for everyone: stop the batch.
UNREACHABLE_STREAK_LIMIT = 5

SECRET_KEYS = frozenset(
    {"token", "access_token", "refresh_token", "app_secret", "secret", "sign", "authorization"}
)


class DestinationUnavailable(Exception):
    """The Ecwid connection itself failed (auth, permission, rate limit): stop the batch, not the order."""


# ---------------------------------------------------------------------------------------------------
# Connections: clients, with one forced token refresh on an auth error


def client_for(conn: Connection) -> Any:
    """A ready client for the connection (TikTok: token refreshed first when close to expiry)."""
    return platform_module(conn).client_for(conn)


def _refresh_once(conn: Connection) -> bool:
    """Force one token refresh after an AUTH error; False when the platform has nothing to refresh."""
    refresh = getattr(platform_module(conn), "refresh_tokens", None)
    if refresh is None:
        return False
    try:
        return bool(refresh(conn, force=True))
    except PlatformError:
        return False


def call_with_auth_retry(conn: Connection, work: Callable[[Any], Any]) -> Any:
    """Run `work(client)`; on an AUTH error refresh the token once and run it again."""
    try:
        return work(client_for(conn))
    except PlatformError as exc:
        if exc.kind != ErrorKind.AUTH or not _refresh_once(conn):
            raise
    conn.refresh_from_db()
    return work(client_for(conn))


def explain(conn: Connection, exc: PlatformError) -> str:
    """The platform's plain-words explanation of an error, for rows and task outcomes."""
    try:
        return platform_module(conn).explain(exc)
    except Exception:  # an explanation must never hide the error itself
        return str(exc)


# ---------------------------------------------------------------------------------------------------
# The ledger: storing a version of an order


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _malformed(order: Mapping[str, Any]) -> str:
    """Why a pulled order cannot even be judged (empty when it can)."""
    problems = []
    if _int_or_none(order.get("update_time")) is None:
        problems.append(f"update_time {order.get('update_time')!r} is not a Unix time")
    if not mapping.normalize_status(order.get("status")):
        problems.append("it has no status")
    if _int_or_none(order.get("create_time")) is None:
        problems.append(f"create_time {order.get('create_time')!r} is not a Unix time")
    if not problems:
        return ""
    return "The TikTok order cannot be read: " + "; ".join(problems) + "."


def _newer_than_stored(update_time: int | None) -> Q:
    if update_time is None:
        return Q()
    return Q(source_updated_at__isnull=True) | Q(source_updated_at__lt=update_time)


def _store_version(
    profile: Profile, entity: str, source_id: str, update_time: int | None, fields: dict[str, Any]
) -> tuple[int | None, str]:
    """Write one version of an order on its row: ("new" | "changed" | "unchanged", row id).

    Conditional on `update_time` being newer than what the row holds, so a webhook and a poll racing
    with two versions of the same order always leave the newer one.
    """
    keys = {"profile": profile, "entity": entity, "source_id": source_id}
    rows = SyncRecord.objects.filter(**keys)
    for _ in range(2):
        if _update_if_newer(rows, entity, update_time, fields):
            return rows.values_list("pk", flat=True).first(), "changed"
        record_id = rows.values_list("pk", flat=True).first()
        if record_id is not None:
            return record_id, "unchanged"
        try:
            with transaction.atomic():
                return SyncRecord.objects.create(**keys, **fields).pk, "new"
        except IntegrityError:
            continue  # created by a concurrent ingest (webhook and poll) a moment ago: update it
    return rows.values_list("pk", flat=True).first(), "unchanged"


def _update_if_newer(rows, entity: str, update_time: int | None, fields: dict[str, Any]) -> int:
    rows = rows.filter(_newer_than_stored(update_time))
    now = timezone.now()
    if entity != Entity.SALES_ORDER:
        return rows.update(**fields, updated_at=now)
    # A worker may be pushing this row: give it the new payload but leave its status alone; the
    # worker sees the changed version when it releases the row and queues it again.
    updated = rows.exclude(status=Status.IN_PROGRESS).update(**fields, updated_at=now)
    if not updated:
        payload_only = {k: fields[k] for k in ("source_payload", "source_updated_at", "source_status")}
        updated = rows.filter(status=Status.IN_PROGRESS).update(**payload_only, updated_at=now)
    return updated


@dataclass
class IngestResult:
    outcome: str  # new | changed | unchanged | ignored
    source_id: str = ""
    sales_record_id: int | None = None
    sales_status: str = ""


def ingest_order(
    profile: Profile, order: Mapping[str, Any], *, rules: mapping.MappingRules | None = None
) -> IngestResult:
    """Keep a pulled TikTok order on the "Sales Order Data: Detail" row and queue (or skip) its push.

    An order whose update_time is not newer than the stored one changes nothing and costs nothing.
    """
    source_id = str(order.get("id") or "").strip()
    if not source_id:
        log.warning("Profile %s: TikTok returned an order without an id; ignored.", profile.pk)
        return IngestResult("ignored")
    rules = rules or profile.rules()
    update_time = _int_or_none(order.get("update_time"))
    source_status = mapping.normalize_status(order.get("status"))[:32]
    problem = _malformed(order)
    now = timezone.now()

    _, outcome = _store_version(
        profile,
        Entity.ORDER_DETAIL,
        source_id,
        update_time,
        {
            "source_payload": dict(order),
            "source_updated_at": update_time,
            "source_status": source_status,
            "status": Status.NEEDS_ATTENTION if problem else Status.SUCCESS,
            "error_kind": "malformed" if problem else "",
            "last_error": problem,
            "synced_at": now,
        },
    )
    if outcome == "unchanged" or problem:
        return IngestResult(outcome, source_id)

    existing = (
        SyncRecord.objects.filter(profile=profile, entity=Entity.SALES_ORDER, source_id=source_id)
        .values("destination_id", "create_outcome_unknown")
        .first()
    )
    already_synced = bool(existing and (existing["destination_id"] or existing["create_outcome_unknown"]))
    error_kind = ""
    try:
        decision = mapping.decide(order, rules, already_synced=already_synced)
        status = Status.PENDING if decision.action == "sync" else Status.SKIPPED
        reason = "" if decision.action == "sync" else f"{decision.action.capitalize()}: {decision.reason}."
    except MappingError as exc:
        status, reason, error_kind = Status.NEEDS_ATTENTION, exc.reason, "mapping"
    sales_id, sales_outcome = _store_version(
        profile,
        Entity.SALES_ORDER,
        source_id,
        update_time,
        {
            "source_payload": dict(order),
            "source_updated_at": update_time,
            "source_status": source_status,
            "status": status,
            "error_kind": error_kind,
            "last_error": reason,
            "attempts": 0,
            "next_attempt_at": None,
        },
    )
    return IngestResult(outcome, source_id, sales_id, status if sales_outcome != "unchanged" else "")


# ---------------------------------------------------------------------------------------------------
# Pull


@dataclass
class PullResult:
    seen: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    ignored: int = 0
    queued: int = 0
    skipped: int = 0
    needs_attention: int = 0
    window: tuple[int, int] = (0, 0)
    cursor: int | None = None
    partial: bool = False

    def count(self, result: IngestResult) -> None:
        self.seen += 1
        setattr(self, result.outcome, getattr(self, result.outcome) + 1)
        if result.sales_status == Status.PENDING:
            self.queued += 1
        elif result.sales_status == Status.SKIPPED:
            self.skipped += 1
        elif result.sales_status == Status.NEEDS_ATTENTION:
            self.needs_attention += 1

    def summary(self) -> str:
        return (
            f"Read {self.seen} TikTok orders updated {_ts(self.window[0])} – {_ts(self.window[1])}: "
            f"{self.new} new, {self.changed} changed, {self.unchanged} unchanged; "
            f"{self.queued} queued for Ecwid, {self.skipped} skipped, {self.needs_attention} need attention."
            + (" Time was up for this run: the next one goes on from here." if self.partial else "")
        )


def _ts(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def first_pull_start(profile: Profile, now: int) -> int:
    if profile.earliest_order_date:
        return int(profile.earliest_order_date.timestamp())
    return now - int(setting("SYNC_FIRST_PULL_DAYS", DEFAULT_FIRST_PULL_DAYS) * 86400)


def pull_orders(
    task: ProfileTask,
    *,
    since: int | None = None,
    until: int | None = None,
    progress: Callable[[IngestResult], None] | None = None,
    budget_seconds: float | None = None,
) -> PullResult:
    """Read every TikTok order updated in [since, until) into the ledger, all pages, oldest first.

    Without `since` the window starts `overlap` seconds before the task's cursor (the end of the last
    window). The cursor advances to the window's end on success, and to the newest update_time
    stored when a page fails, so the next run neither skips nor repeats more than the overlap.
    """
    profile = task.profile
    rules = profile.rules()
    now = int(time.time())
    # The window reaches a little past now: TikTok stamps an order changed twice in one second a
    # second ahead, and clocks drift; the cursor never passes "now", so nothing is skipped later.
    end = until if until is not None else now + CLOCK_SLACK_SECONDS
    if since is None:
        overlap = int(setting("SYNC_PULL_OVERLAP_SECONDS", DEFAULT_OVERLAP_SECONDS))
        since = task.cursor - overlap if task.cursor else first_pull_start(profile, now)
    result = PullResult(window=(since, end))
    newest_seen = 0
    if budget_seconds is None:
        budget_seconds = setting("SYNC_PULL_BUDGET_SECONDS", DEFAULT_BUDGET_SECONDS)
    deadline = time.monotonic() + budget_seconds

    def read(client) -> None:
        nonlocal newest_seen
        orders = client.iter_orders(
            update_time_ge=since,
            update_time_lt=end,
            page_size=100,
            sort_field="update_time",
            sort_order="ASC",
        )
        for order in orders:
            ingested = ingest_order(profile, order, rules=rules)
            result.count(ingested)
            newest_seen = max(newest_seen, _int_or_none(order.get("update_time")) or 0)
            if progress:
                progress(ingested)
            if time.monotonic() > deadline:
                # A long backfill goes on in the next run from here, instead of being killed by
                # the task timeout and starting over.
                raise _BudgetSpent

    try:
        call_with_auth_retry(profile.source, read)
    except _BudgetSpent:
        result.partial = True
        _advance_cursor(task, newest_seen)
    except Exception:
        _advance_cursor(task, newest_seen)
        raise
    else:
        _advance_cursor(task, min(end, now))
    result.cursor = task.cursor
    return result


class _BudgetSpent(Exception):
    pass


def _advance_cursor(task: ProfileTask, value: int) -> None:
    if value and (task.cursor is None or value > task.cursor):
        ProfileTask.objects.filter(pk=task.pk).filter(Q(cursor__isnull=True) | Q(cursor__lt=value)).update(
            cursor=value
        )
        task.cursor = value


def fetch_and_ingest(profile: Profile, order_ids: list[str]) -> list[IngestResult]:
    """Read these orders by id (Get Order Detail, §3.2) and ingest them: webhooks and resyncs."""
    orders = call_with_auth_retry(profile.source, lambda client: client.get_orders(list(order_ids)))
    rules = profile.rules()
    return [ingest_order(profile, order, rules=rules) for order in orders]


# ---------------------------------------------------------------------------------------------------
# Push


@dataclass
class PushResult:
    attempted: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    stopped: str = ""

    def count(self, status: str | None) -> None:
        if status is None:
            return
        self.attempted += 1
        self.by_status[status] = self.by_status.get(status, 0) + 1

    def summary(self) -> str:
        if not self.attempted and not self.stopped:
            return "Nothing to send to Ecwid."
        labels = dict(Status.choices)
        parts = ", ".join(f"{n} {labels.get(s, s).lower()}" for s, n in sorted(self.by_status.items()))
        text = f"Sent {self.attempted} orders to Ecwid: {parts or 'none'}."
        if self.stopped:
            text += f" Stopped early: {self.stopped}"
        return text


def push_due(
    profile: Profile,
    *,
    budget_seconds: float | None = None,
    limit: int | None = None,
    progress: Callable[[str | None], None] | None = None,
) -> PushResult:
    """Push every due "Sales Order" row of the profile (claiming each), within a time budget.

    Any number of workers may run this at once for the same profile: each row is claimed first.
    """
    if budget_seconds is None:
        budget_seconds = setting("SYNC_PUSH_BUDGET_SECONDS", DEFAULT_BUDGET_SECONDS)
    deadline = time.monotonic() + budget_seconds
    clients: dict[int, Any] = {}
    result = PushResult()
    streak = 0
    seen: set[int] = set()
    while time.monotonic() < deadline and (limit is None or result.attempted < limit):
        batch = [i for i in claims.due_record_ids(profile.pk, limit=200) if i not in seen]
        if not batch:
            break
        for record_id in batch:
            if time.monotonic() >= deadline or (limit is not None and result.attempted >= limit):
                break
            seen.add(record_id)
            try:
                status, kind = push_record(record_id, clients=clients)
            except DestinationUnavailable as exc:
                result.stopped = str(exc)
                return result
            result.count(status)
            if progress:
                progress(status)
            streak = streak + 1 if kind == ErrorKind.UNREACHABLE else 0
            if streak >= UNREACHABLE_STREAK_LIMIT:
                result.stopped = "Ecwid could not be reached several times in a row; the rest waits."
                return result
    return result


def push_record(record_id: int, *, clients: dict[int, Any] | None = None) -> tuple[str | None, str]:
    """Claim one "Sales Order" row and create or update its Ecwid order; (status written, error kind).

    Returns (None, "") when the row is not due or another worker holds it.
    """
    token = claims.claim(record_id)
    if token is None:
        return None, ""
    record = SyncRecord.objects.select_related("profile__destination").get(pk=record_id)
    return _Push(record, token, clients if clients is not None else {}).run()


class _Push:
    """One claimed push. Each step that must survive a crash is its own committed write."""

    def __init__(self, record: SyncRecord, token: str, clients: dict[int, Any]):
        self.record = record
        self.token = token
        self.profile = record.profile
        self.conn = self.profile.destination
        self.order = record.source_payload or {}
        self.version = record.source_updated_at
        self.refreshed = False
        self.clients = clients  # one Ecwid client (and its HTTP keep-alive) per run, not per call

    def client(self):
        if self.conn.pk not in self.clients:
            self.clients[self.conn.pk] = client_for(self.conn)
        return self.clients[self.conn.pk]

    # --- outcome ----------------------------------------------------------------------------

    def release(self, status: str, **fields) -> tuple[str | None, str]:
        written = claims.release(
            self.record.pk, self.token, status=status, pushed_version=self.version, **fields
        )
        return written, fields.get("error_kind", "")

    def run(self) -> tuple[str | None, str]:
        try:
            rules = self.profile.rules()
        except ValueError as exc:
            return self.release(
                Status.NEEDS_ATTENTION,
                error_kind="mapping",
                last_error=f"The profile's rules are invalid: {exc}",
            )
        if not self.order:
            return self.release(
                Status.NEEDS_ATTENTION,
                error_kind="mapping",
                last_error="No TikTok payload has been pulled yet.",
            )
        try:
            return self.push(rules)
        except MappingError as exc:
            return self.release(Status.NEEDS_ATTENTION, error_kind="mapping", last_error=exc.reason)
        except PlatformError as exc:
            return self.failed(exc)
        except DestinationUnavailable:
            raise
        except Exception as exc:  # a bug must not stop the other orders; the row says what happened
            log.exception("Push of record %s failed unexpectedly", self.record.pk)
            return self.retry_later("internal", f"Unexpected error: {type(exc).__name__}: {exc}")

    def succeeded(self, **fields) -> tuple[str | None, str]:
        return self.release(
            Status.SUCCESS,
            error_kind="",
            last_error="",
            next_attempt_at=None,
            synced_at=timezone.now(),
            **fields,
        )

    def retry_later(
        self, kind: str, message: str, retry_after: float | None = None
    ) -> tuple[str | None, str]:
        attempts = (
            SyncRecord.objects.filter(pk=self.record.pk).values_list("attempts", flat=True).first() or 1
        )
        if attempts >= retry.max_attempts():
            return self.release(
                Status.NEEDS_ATTENTION,
                error_kind=kind,
                last_error=f"Gave up after {attempts} attempts. Last error: {message}",
            )
        delay = retry.backoff_seconds(attempts, retry_after)
        return self.release(
            Status.FAILED,
            error_kind=kind,
            last_error=message,
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
        )

    def failed(self, exc: PlatformError) -> tuple[str | None, str]:
        message = explain(self.conn, exc)
        if exc.kind in (ErrorKind.AUTH, ErrorKind.PERMISSION):
            self.release(Status.NEEDS_ATTENTION, error_kind=str(exc.kind), last_error=message)
            self.conn.record_failure(message)
            raise DestinationUnavailable(message)
        if exc.kind == ErrorKind.RATE_LIMITED:
            self.retry_later(str(exc.kind), message, exc.retry_after)
            raise DestinationUnavailable(f"Ecwid's rate limit: {message}")
        if exc.retryable or exc.kind == ErrorKind.BAD_RESPONSE:
            if self.record.create_outcome_unknown or exc.outcome_unknown:
                message += " Ecwid may have made the order; it is looked up before any new attempt."
            return self.retry_later(str(exc.kind), message, exc.retry_after)
        if exc.kind == ErrorKind.NOT_FOUND and self.record.destination_id:
            message = (
                f"The Ecwid order {self.record.destination_id} no longer exists. Clear the Destination ID "
                "and resync to create it again."
            )
        return self.release(Status.NEEDS_ATTENTION, error_kind=str(exc.kind), last_error=message)

    # --- the push itself --------------------------------------------------------------------

    def call(self, action: str, request: Any, work: Callable[[Any], Any]) -> Any:
        """One Ecwid call, recorded as a SyncAttempt; an AUTH error gets one forced token refresh."""
        pacing.wait(self.conn.pk)
        started = timezone.now()
        t0 = time.monotonic()
        try:
            try:
                response = work(self.client())
            except PlatformError as exc:
                if exc.kind != ErrorKind.AUTH or self.refreshed:
                    raise
                self.refreshed = True
                if not _refresh_once(self.conn):
                    raise
                self.conn.refresh_from_db()
                self.clients.pop(self.conn.pk, None)
                response = work(self.client())
        except PlatformError as exc:
            _record_attempt(
                self.record.pk,
                action,
                started=started,
                t0=t0,
                request=request,
                response=exc.as_dict(),
                outcome=SyncAttempt.Outcome.UNKNOWN if exc.outcome_unknown else SyncAttempt.Outcome.ERROR,
                error_kind=str(exc.kind),
                message=str(exc),
                http_status=exc.status,
            )
            raise
        _record_attempt(
            self.record.pk, action, started=started, t0=t0, request=request, response=response, outcome="ok"
        )
        return response

    def push(self, rules: mapping.MappingRules) -> tuple[str | None, str]:
        record = self.record
        if not record.destination_id and record.create_outcome_unknown:
            waited = self.adopt_after_unknown_outcome()
            if waited:
                return waited
        if record.destination_id:
            return self.update(rules)
        if mapping.normalize_status(self.order.get("status")) == mapping.CANCELLED:
            return self.release(
                Status.SKIPPED, error_kind="", last_error="Skip: cancelled before it was imported."
            )
        return self.create(rules)

    def adopt_after_unknown_outcome(self) -> tuple[str | None, str] | None:
        """A create may have happened: find it in Ecwid before creating (DESIGN.md step 3, 5)."""
        record = self.record
        lag = setting("SYNC_ECWID_SEARCH_LAG_SECONDS", DEFAULT_SEARCH_LAG_SECONDS)
        started = record.create_started_at or timezone.now()
        wait = (started + timedelta(seconds=lag) - timezone.now()).total_seconds()
        if wait > 0:
            # Ecwid's search index would not show an order made seconds ago (§4.4): "not found" now
            # proves nothing, so come back when it would.
            return self.release(
                Status.FAILED,
                error_kind="outcome_unknown",
                last_error="Waiting for Ecwid's search index before checking whether the last attempt "
                "created the order.",
                next_attempt_at=timezone.now() + timedelta(seconds=wait),
            )
        source_id = record.source_id
        found = self.call(
            "search", {"keywords": source_id}, lambda client: client.find_orders_by_keyword(source_id)
        )
        copies = [order for order in found if mapping.is_copy_of(order, source_id)]
        if not copies:
            return None
        copies.sort(key=lambda o: (o.get("createTimestamp") or 0, str(o.get("internalId") or o.get("id"))))
        adopted = copies[0]
        self.save_destination(str(adopted["id"]), adopted)
        if len(copies) > 1:
            others = ", ".join(str(o.get("id")) for o in copies[1:])
            raise MappingError(
                f"Ecwid has {len(copies)} orders for TikTok order {source_id}: kept {adopted['id']}; "
                f"delete the extra ones ({others})."
            )
        return None

    def save_destination(self, destination_id: str, destination_payload: Any) -> None:
        """Record the Ecwid id at once, in its own committed write: from here on it is never created again."""
        saved = SyncRecord.objects.filter(pk=self.record.pk, destination_id="").update(
            destination_id=destination_id,
            destination_payload=destination_payload,
            create_outcome_unknown=False,
            updated_at=timezone.now(),
        )
        if not saved:
            current = (
                SyncRecord.objects.filter(pk=self.record.pk).values_list("destination_id", flat=True).first()
            )
            if current != destination_id:
                log.error(
                    "Record %s already had Ecwid order %s when %s was saved: a duplicate exists.",
                    self.record.pk,
                    current,
                    destination_id,
                )
                raise MappingError(
                    f"Ecwid order {destination_id} duplicates {current} for the same TikTok order: delete it."
                )
        self.record.destination_id = destination_id
        self.record.destination_payload = destination_payload
        self.record.create_outcome_unknown = False

    def create(self, rules: mapping.MappingRules) -> tuple[str | None, str]:
        record = self.record
        skus = mapping.order_skus(self.order)
        matches = products.match_products(self.conn, self.client(), skus) if skus else {}
        payload = mapping.map_order(self.order, matches, rules)
        was_unknown = record.create_outcome_unknown
        # Committed before the POST: if this worker dies or the answer is lost, whoever comes next
        # knows it must look in Ecwid first.
        if not claims.update_claimed(
            record.pk, self.token, create_outcome_unknown=True, create_started_at=timezone.now()
        ):
            return None, ""
        try:
            destination_id = self.call("create", payload, lambda client: client.create_order(payload))
        except PlatformError as exc:
            unknown = exc.outcome_unknown or exc.kind in (ErrorKind.TRANSIENT, ErrorKind.BAD_RESPONSE)
            if not unknown and not was_unknown:
                # A clear refusal (4xx, 429, nothing sent): Ecwid has no order from this attempt.
                claims.update_claimed(record.pk, self.token, create_outcome_unknown=False)
            self.record.create_outcome_unknown = unknown or was_unknown
            raise
        self.save_destination(str(destination_id), payload)
        return self.succeeded()

    def update(self, rules: mapping.MappingRules) -> tuple[str | None, str]:
        record = self.record
        update = mapping.map_status_update(self.order, rules)
        current = record.destination_payload if isinstance(record.destination_payload, dict) else {}
        forced = record.resync_requested_at and (
            record.synced_at is None or record.resync_requested_at > record.synced_at
        )
        if not forced and all(current.get(key) == value for key, value in update.items()):
            return self.succeeded()  # Ecwid already shows this: no call
        destination_id = record.destination_id
        self.call(
            "update", {"orderId": destination_id, **update}, lambda c: c.update_order(destination_id, update)
        )
        return self.succeeded(destination_payload={**current, **update})


def _strip_secrets(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: ("***" if str(k).lower() in SECRET_KEYS else _strip_secrets(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_strip_secrets(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _record_attempt(
    record_id: int,
    action: str,
    *,
    started,
    t0: float,
    request: Any,
    response: Any,
    outcome: str,
    error_kind: str = "",
    message: str = "",
    http_status: int | None = None,
) -> None:
    if isinstance(response, str):
        response = {"result": response}
    elif isinstance(response, list):
        response = {"count": len(response), "items": response[:10]}
    elif isinstance(response, int):
        response = {"result": response}
    SyncAttempt.objects.create(
        record_id=record_id,
        started_at=started,
        action=action,
        request=_strip_secrets(request),
        response=_strip_secrets(response),
        outcome=outcome,
        error_kind=error_kind,
        message=message,
        http_status=http_status,
        duration_ms=int((time.monotonic() - t0) * 1000),
    )


# ---------------------------------------------------------------------------------------------------
# Resync


def request_resync(records, *, user=None) -> int:
    """Queue records again (staff action): pushes become due now, and who asked is kept on the row."""
    now = timezone.now()
    fields = {"resync_requested_by": user, "resync_requested_at": now, "updated_at": now}
    sales = records.filter(entity=Entity.SALES_ORDER).exclude(status=Status.IN_PROGRESS)
    count = sales.update(status=Status.PENDING, next_attempt_at=None, attempts=0, error_kind="", **fields)
    # A detail row is refreshed by reading the order again: forget its version so it is not "unchanged".
    details = records.filter(entity=Entity.ORDER_DETAIL)
    count += details.update(source_updated_at=None, **fields)
    return count
