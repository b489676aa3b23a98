"""Inventory: Ecwid stock → TikTok Shop, one ledger record per seller SKU.

A run reads the whole Ecwid catalogue (products and variations, 100 a page) and every ACTIVATE
TikTok product with its SKUs and per-warehouse stock (100 a page), matches them by seller SKU, and
sets TikTok's stock where it differs, one Update Inventory call per product (tiktok_shop_api.md
§7.1: all SKU ids of a call belong to one product, and every warehouse of each SKU is listed).

Each run compares against what TikTok has now, so a SKU whose update failed is simply tried again
by the next run, and one whose answer was lost is found already right ("writes: re-read first",
§4.2) and costs nothing. Unchanged SKUs cost no write call and no database write.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from syncapp.models import Connection, Entity, Profile, ProfileTask, SyncAttempt, SyncRecord
from syncapp.platforms import tiktok_shop
from syncapp.platforms.http import ErrorKind, PlatformError
from syncapp.sync import orders, pacing
from syncapp.sync.tuning import setting

log = logging.getLogger(__name__)

Status = SyncRecord.Status

# §7.1: quantity range is [1, 99,999] on the doc page and [0, 99,999] in the official SDK (CONFLICT).
MAX_QUANTITY = 99_999
PAGE_SIZE = 100  # §7.2 products search page_size ≤ 100; Ecwid `limit` ≤ 100 (ecwid_api.md §5.1)
# A run stops starting new calls after this long, inside django-q's task timeout (600 s).
DEFAULT_BUDGET_SECONDS = 480
# Default 50 QPS per API per (app, shop) (§5): our own calls stay well below it.
DEFAULT_TIKTOK_CALLS_PER_SECOND = 20.0
UNREACHABLE_STREAK_LIMIT = 5
# SyncRecord.source_id holds at most this many characters.
MAX_SKU_LENGTH = SyncRecord._meta.get_field("source_id").max_length

# Per-SKU codes that mean "the quantity itself was refused" (§7.1): worth a hint when it was 0.
QUANTITY_CODES = frozenset({12019024, 12052055})


# ---------------------------------------------------------------------------------------------------
# What each side has


@dataclass(frozen=True)
class EcwidItem:
    """One Ecwid product or variation that carries its own SKU and stock (ecwid_api.md §5.1, §5.4)."""

    sku: str
    product_id: int | None
    combination_id: int | None
    name: str
    quantity: int | None  # None when unlimited (or when Ecwid left it out)
    unlimited: bool
    enabled: bool = True

    def snapshot(self) -> dict[str, Any]:
        data = {
            "sku": self.sku,
            "product_id": self.product_id,
            "name": self.name,
            "quantity": self.quantity,
            "unlimited": self.unlimited,
            "enabled": self.enabled,
        }
        if self.combination_id is not None:
            data["combination_id"] = self.combination_id
        return data


@dataclass(frozen=True)
class TikTokSku:
    """One SKU of an ACTIVATE TikTok product and its stock per warehouse (§7.2)."""

    seller_sku: str
    product_id: str
    sku_id: str
    title: str
    inventory: tuple[tuple[str, int], ...]  # (warehouse_id, quantity), in TikTok's order

    def snapshot(self) -> dict[str, Any]:
        return {
            "product_id": self.product_id,
            "sku_id": self.sku_id,
            "title": self.title,
            "inventory": [{"warehouse_id": w, "quantity": q} for w, q in self.inventory],
        }


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _ecwid_stock(item: Mapping[str, Any]) -> tuple[int | None, bool]:
    unlimited = bool(item.get("unlimited", False))
    # §5.1: `quantity` is omitted when `unlimited` is true.
    return (None if unlimited else _int(item.get("quantity"))), unlimited


def ecwid_items(product: Mapping[str, Any], combinations: Iterable[Mapping[str, Any]]) -> list[EcwidItem]:
    """The stock-carrying items of one Ecwid product: itself, and each variation with its own SKU.

    §5.4: a variation without its own SKU inherits the product's SKU and stock, so it is the product.
    """
    items = []
    name = str(product.get("name") or "")
    product_id = _int(product.get("id"))
    enabled = bool(product.get("enabled", True))
    sku = str(product.get("sku") or "").strip()
    if sku:
        quantity, unlimited = _ecwid_stock(product)
        items.append(EcwidItem(sku, product_id, None, name, quantity, unlimited, enabled))
    for combination in combinations:
        sku = str(combination.get("sku") or "").strip()
        if not sku:
            continue
        quantity, unlimited = _ecwid_stock(combination)
        values = [str(o.get("value")) for o in combination.get("options") or [] if isinstance(o, dict)]
        label = f"{name} — {', '.join(values)}" if values else name
        combination_id = _int(combination.get("id"))
        items.append(EcwidItem(sku, product_id, combination_id, label, quantity, unlimited, enabled))
    return items


def read_ecwid(conn: Connection, client: Any) -> dict[str, list[EcwidItem]]:
    """Every SKU of the Ecwid store and the item(s) carrying it, 100 products a page."""
    found: dict[str, list[EcwidItem]] = {}
    offset = 0
    while True:
        pacing.wait(conn.pk)
        page = client.search_products(offset=offset, limit=PAGE_SIZE)
        products = [p for p in page.get("items") or [] if isinstance(p, dict)]
        for product in products:
            combinations = product.get("combinations")
            if combinations is None and product.get("options"):
                # §5.1: the search may leave variations out; only then ask for them, per product.
                pacing.wait(conn.pk)
                combinations = client.get_combinations(product["id"])
            for item in ecwid_items(product, [c for c in combinations or [] if isinstance(c, dict)]):
                found.setdefault(item.sku, []).append(item)
        offset += len(products)
        total = _int(page.get("total"))
        if not products or (offset >= total if total is not None else len(products) < PAGE_SIZE):
            return found


def tiktok_skus(product: Mapping[str, Any]) -> list[TikTokSku]:
    """The SKUs of one products-search result (§7.2), with their stock per warehouse."""
    skus = []
    for sku in product.get("skus") or []:
        if not isinstance(sku, dict):
            continue
        inventory = []
        for entry in sku.get("inventory") or []:
            if not isinstance(entry, dict) or not entry.get("warehouse_id"):
                continue
            inventory.append((str(entry["warehouse_id"]), _int(entry.get("quantity")) or 0))
        skus.append(
            TikTokSku(
                seller_sku=str(sku.get("seller_sku") or "").strip(),
                product_id=str(product.get("id") or ""),
                sku_id=str(sku.get("id") or ""),
                title=str(product.get("title") or ""),
                inventory=tuple(inventory),
            )
        )
    return skus


def read_tiktok(client: Any) -> dict[str, list[TikTokSku]]:
    """Every seller SKU of the shop's ACTIVATE products (§7.1: only those take inventory updates)."""
    found: dict[str, list[TikTokSku]] = {}
    token, seen_tokens = "", set()
    while True:
        page = client.search_products(status="ACTIVATE", page_size=PAGE_SIZE, page_token=token)
        for product in page.products:
            if str(product.get("status") or "ACTIVATE") != "ACTIVATE":
                continue
            for sku in tiktok_skus(product):
                if sku.seller_sku and sku.sku_id and sku.product_id:
                    found.setdefault(sku.seller_sku, []).append(sku)
        token = page.next_page_token
        if not token or not page.products or token in seen_tokens:
            return found
        seen_tokens.add(token)


def read_warehouses(client: Any) -> dict[str, dict] | None:
    """The shop's warehouses by id (§7.3), or None when they cannot be read (e.g. no logistics scope):
    then each SKU's first listed warehouse is taken as its sales warehouse."""
    try:
        return {str(w.get("id")): w for w in client.get_warehouses() if w.get("id")}
    except PlatformError as exc:
        # A passing failure must not move stock to another warehouse: fail the run instead.
        if exc.retryable or exc.kind in (ErrorKind.AUTH, ErrorKind.BAD_RESPONSE):
            raise
        log.warning("Could not read the TikTok warehouses (%s); using each SKU's first warehouse.", exc)
        return None


# ---------------------------------------------------------------------------------------------------
# Deciding, per seller SKU (pure)


@dataclass
class Decision:
    """What to do with one seller SKU: write `status` now, or `update` TikTok with `inventory`."""

    sku: str
    status: str = ""  # the outcome when no call is needed; "" = call needed
    reason: str = ""
    error_kind: str = ""
    ecwid: EcwidItem | None = None
    tiktok: TikTokSku | None = None
    target: int | None = None
    warehouse_id: str = ""
    inventory: list[dict] = field(default_factory=list)
    note: str = ""

    @property
    def needs_call(self) -> bool:
        return not self.status


def _is_sales_warehouse(info: Mapping[str, Any] | None) -> bool:
    if info is None:
        return True  # unknown: trust the SKU's own list
    return info.get("type", "SALES_WAREHOUSE") == "SALES_WAREHOUSE" and (
        info.get("effect_status", "ENABLED") == "ENABLED"
    )


def sales_warehouse(sku: TikTokSku, warehouses: Mapping[str, Mapping] | None) -> str:
    """The warehouse that takes the Ecwid quantity: the shop's default sales warehouse when the SKU
    is stocked there, else the SKU's first enabled sales warehouse, else its first warehouse; for a
    SKU stocked nowhere yet, the shop's default (or only) enabled sales warehouse (§7.1, §7.3)."""
    known = warehouses or {}
    own = [w for w, _ in sku.inventory]
    if own:
        usable = [w for w in own if _is_sales_warehouse(known.get(w))]
        defaults = [w for w in usable if known.get(w, {}).get("is_default")]
        return (defaults or usable or own)[0]
    shop = [w for w, info in known.items() if _is_sales_warehouse(info)]
    defaults = [w for w in shop if known[w].get("is_default")]
    return (defaults or shop or [""])[0]


def decide(
    sku: str,
    ecwid: list[EcwidItem],
    tiktok: list[TikTokSku],
    warehouses: Mapping[str, Mapping] | None,
    *,
    unlimited_quantity: int | None = None,
    forced: bool = False,
) -> Decision:
    """Compare one seller SKU on both sides (pure: no calls, no database)."""
    decision = Decision(sku, ecwid=ecwid[0] if ecwid else None, tiktok=tiktok[0] if tiktok else None)
    if not ecwid:
        return _done(decision, Status.SKIPPED, "Not in Ecwid: no Ecwid product or variation has this SKU.")
    if not tiktok:
        return _done(
            decision, Status.SKIPPED, "Not in TikTok Shop: no active TikTok product has this seller SKU."
        )
    if len(ecwid) > 1:
        decision.ecwid = None
        where = "; ".join(_ecwid_label(item) for item in ecwid)
        return _done(
            decision,
            Status.NEEDS_ATTENTION,
            f"Ecwid has {len(ecwid)} items with this SKU ({where}); give each its own SKU.",
            "mapping",
        )
    if len(tiktok) > 1:
        decision.tiktok = None
        where = "; ".join(f"product {s.product_id}, SKU id {s.sku_id}" for s in tiktok)
        return _done(
            decision,
            Status.NEEDS_ATTENTION,
            f"TikTok Shop has {len(tiktok)} SKUs with this seller SKU ({where}); give each its own.",
            "mapping",
        )
    item, target_sku = ecwid[0], tiktok[0]
    if item.unlimited:
        if unlimited_quantity is None:
            return _done(
                decision,
                Status.SKIPPED,
                "Unlimited stock in Ecwid: TikTok Shop needs a number. Set “quantity for unlimited "
                "stock” on the profile to send one.",
            )
        quantity = unlimited_quantity
        decision.note = f"Ecwid stock is unlimited: sent the profile's {unlimited_quantity}."
    elif item.quantity is None:
        return _done(
            decision, Status.NEEDS_ATTENTION, "Ecwid gave no stock quantity for this item.", "mapping"
        )
    else:
        quantity = item.quantity
    # Ecwid stock can be negative (ecwid_api.md §5.3); TikTok takes 0 – 99,999 (§7.1).
    target = min(max(quantity, 0), MAX_QUANTITY)
    if target != quantity and not decision.note:
        decision.note = f"Ecwid has {quantity}: sent {target} (TikTok Shop takes 0 – {MAX_QUANTITY:,})."
    decision.target = target
    warehouse = sales_warehouse(target_sku, warehouses)
    if not warehouse:
        return _done(
            decision,
            Status.NEEDS_ATTENTION,
            "The TikTok SKU has no warehouse and the shop has no enabled sales warehouse.",
            "mapping",
        )
    decision.warehouse_id = warehouse
    current = dict(target_sku.inventory)
    if current.get(warehouse) == target and not forced:
        return _done(decision, Status.SUCCESS, "")
    # §7.1: every warehouse assigned to the SKU, or the update is refused (12019028, 12052037);
    # the others keep what they have.
    decision.inventory = [
        {"warehouse_id": w, "quantity": target if w == warehouse else q} for w, q in target_sku.inventory
    ]
    if warehouse not in current:
        decision.inventory.append({"warehouse_id": warehouse, "quantity": target})
    return decision


def _done(decision: Decision, status: str, reason: str, kind: str = "") -> Decision:
    decision.status, decision.reason, decision.error_kind = status, reason, kind
    return decision


def _ecwid_label(item: EcwidItem) -> str:
    if item.combination_id is not None:
        return f"product {item.product_id} variation {item.combination_id}"
    return f"product {item.product_id}"


def explain_sku_error(error: Mapping[str, Any], *, quantity: int | None = None) -> tuple[ErrorKind, str]:
    """(kind, plain words) for one entry of `data.errors` (§7.1), with its warehouse-level details."""
    code = _int(error.get("code"))
    message = str(error.get("message") or "").strip()[:300]
    kind, meaning = tiktok_shop.classify(code, message)
    text = f"TikTok Shop refused the new stock: {meaning}"
    text += f" (code {code})." if code is not None else "."
    if message and message.lower() != meaning.lower():
        text += f" TikTok said: {message}."
    detail = error.get("detail") if isinstance(error.get("detail"), dict) else {}
    extras = []
    for extra in detail.get("extra_errors") or []:
        if not isinstance(extra, dict):
            continue
        extra_code = _int(extra.get("code"))
        extra_kind, extra_meaning = tiktok_shop.classify(extra_code, str(extra.get("message") or ""))
        if extra_kind in (ErrorKind.TRANSIENT, ErrorKind.RATE_LIMITED):
            kind = extra_kind
        extras.append(f"warehouse {extra.get('warehouse_id') or '?'}: {extra_meaning} (code {extra_code})")
        if extra_code in QUANTITY_CODES:
            code = extra_code
    if extras:
        text += " " + "; ".join(extras) + "."
    if code in QUANTITY_CODES and quantity == 0:
        text += (
            " TikTok Shop may not accept 0 (its documentation says the minimum is 1): deactivate the "
            "product in TikTok Shop to stop sales, or keep 1 in stock."
        )
    return kind, text


# ---------------------------------------------------------------------------------------------------
# The run


@dataclass
class InventoryResult:
    ecwid_skus: int = 0
    tiktok_skus: int = 0
    unchanged: int = 0
    updated: int = 0
    skipped: int = 0
    needs_attention: int = 0
    failed: int = 0
    waiting: int = 0
    calls: int = 0
    ignored: list[str] = field(default_factory=list)
    stopped: str = ""
    partial: bool = False

    def count(self, status: str, *, called: bool) -> None:
        if status == Status.SUCCESS:
            if called:
                self.updated += 1
            else:
                self.unchanged += 1
        elif status == Status.SKIPPED:
            self.skipped += 1
        elif status == Status.NEEDS_ATTENTION:
            self.needs_attention += 1
        elif status == Status.FAILED:
            self.failed += 1
        else:
            self.waiting += 1

    def summary(self) -> str:
        if self.stopped and not (self.ecwid_skus or self.tiktok_skus):
            return f"Inventory not synced: {self.stopped}"
        text = (
            f"Compared {self.ecwid_skus} Ecwid SKUs with {self.tiktok_skus} TikTok SKUs: "
            f"{self.updated} updated in TikTok Shop ({self.calls} calls), {self.unchanged} unchanged, "
            f"{self.skipped} skipped, {self.needs_attention} need attention, {self.failed} failed "
            "(retried next run)."
        )
        if self.ignored:
            text += f" {len(self.ignored)} SKUs longer than {MAX_SKU_LENGTH} characters were ignored."
        if self.partial:
            text += f" Time was up for this run: {self.waiting} SKUs wait for the next one."
        if self.stopped:
            text += f" Stopped early: {self.stopped}"
        return text


def sync_inventory(
    task: ProfileTask,
    *,
    budget_seconds: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> InventoryResult:
    """Run the inventory task of a profile once: read both sides, update TikTok where they differ."""
    return _Run(task.profile, budget_seconds, progress).run()


class _Run:
    def __init__(self, profile: Profile, budget_seconds: float | None, progress):
        self.profile = profile
        # The profile's source is TikTok and its destination Ecwid; stock goes the other way.
        self.tiktok_conn = profile.source
        self.ecwid_conn = profile.destination
        self.result = InventoryResult()
        self.progress = progress
        if budget_seconds is None:
            budget_seconds = setting("SYNC_INVENTORY_BUDGET_SECONDS", DEFAULT_BUDGET_SECONDS)
        self.deadline = time.monotonic() + budget_seconds
        self.refreshed = False
        self.client: Any = None
        self.last_call = 0.0

    # --- reading -----------------------------------------------------------------------------

    def run(self) -> InventoryResult:
        try:
            ecwid = orders.call_with_auth_retry(
                self.ecwid_conn, lambda client: read_ecwid(self.ecwid_conn, client)
            )
        except PlatformError as exc:
            return self._read_failed(self.ecwid_conn, exc)
        try:
            tiktok, warehouses = orders.call_with_auth_retry(self.tiktok_conn, self._read_tiktok)
        except PlatformError as exc:
            return self._read_failed(self.tiktok_conn, exc)
        self.result.ecwid_skus, self.result.tiktok_skus = len(ecwid), len(tiktok)
        self._apply(ecwid, tiktok, warehouses)
        return self.result

    def _read_tiktok(self, client) -> tuple[dict[str, list[TikTokSku]], dict | None]:
        self.client = client
        return read_tiktok(client), read_warehouses(client)

    def _read_failed(self, conn: Connection, exc: PlatformError) -> InventoryResult:
        message = orders.explain(conn, exc)
        if exc.kind in (ErrorKind.AUTH, ErrorKind.PERMISSION):
            conn.record_failure(message)
        log.warning("Inventory of profile %s: reading %s failed: %s", self.profile.pk, conn, exc)
        self.result.stopped = f"could not read {conn.get_platform_display()}: {message}"
        return self.result

    # --- deciding and writing -----------------------------------------------------------------

    def _apply(self, ecwid, tiktok, warehouses) -> None:
        existing = {
            row["source_id"]: row
            for row in SyncRecord.objects.filter(profile=self.profile, entity=Entity.INVENTORY).values(
                "pk",
                "source_id",
                "status",
                "destination_id",
                "last_error",
                "error_kind",
                "source_payload",
                "destination_payload",
                "resync_requested_at",
                "synced_at",
            )
        }
        cap = self.profile.inventory_unlimited_quantity
        cap = None if cap is None else min(int(cap), MAX_QUANTITY)
        calls: dict[str, list[Decision]] = {}
        for sku in sorted(set(ecwid) | set(tiktok)):
            if len(sku) > MAX_SKU_LENGTH:
                self.result.ignored.append(sku)
                continue
            row = existing.get(sku)
            forced = bool(
                row
                and row["resync_requested_at"]
                and (row["synced_at"] is None or row["resync_requested_at"] > row["synced_at"])
            )
            decision = decide(
                sku,
                ecwid.get(sku, []),
                tiktok.get(sku, []),
                warehouses,
                unlimited_quantity=cap,
                forced=forced,
            )
            if decision.needs_call:
                calls.setdefault(decision.tiktok.product_id, []).append(decision)
                continue
            self._write(decision, row, decision.status, decision.reason, decision.error_kind, called=False)
        self._forget_vanished(existing, set(ecwid) | set(tiktok))
        self._send(calls, existing)

    def _forget_vanished(self, existing: dict, present: set[str]) -> None:
        """Rows of SKUs neither side has any more say so, instead of showing a stale status."""
        reason = "No longer in Ecwid nor among the active TikTok products."
        gone = [
            row["pk"]
            for sku, row in existing.items()
            if sku not in present and (row["status"] != Status.SKIPPED or row["last_error"] != reason)
        ]
        if gone:
            SyncRecord.objects.filter(pk__in=gone).update(
                status=Status.SKIPPED, last_error=reason, error_kind="", updated_at=timezone.now()
            )

    def _fields(self, decision: Decision, status: str, reason: str, kind: str, sent: dict | None) -> dict:
        destination: dict[str, Any] | None = None
        if decision.tiktok is not None:
            destination = decision.tiktok.snapshot()
            if decision.target is not None:
                destination["quantity"] = decision.target
                destination["warehouse_id"] = decision.warehouse_id
            if sent is not None:
                destination["sent"] = sent
        if decision.note and status == Status.SUCCESS:
            reason = decision.note
        return {
            "status": status,
            "destination_id": decision.tiktok.sku_id if decision.tiktok else "",
            "source_payload": decision.ecwid.snapshot() if decision.ecwid else None,
            "destination_payload": destination,
            "last_error": reason,
            "error_kind": kind,
        }

    def _write(
        self,
        decision: Decision,
        row: dict | None,
        status: str,
        reason: str,
        kind: str,
        *,
        called: bool,
        sent: dict | None = None,
    ) -> int:
        """Store the outcome on the SKU's row (only when something changed); the row id."""
        self.result.count(status, called=called)
        if self.progress:
            self.progress(status)
        fields = self._fields(decision, status, reason, kind, sent)
        now = timezone.now()
        if row is not None:
            same = all(row.get(k) == v for k, v in fields.items())
            if same and not called:
                return row["pk"]
            if status == Status.SUCCESS and (called or row["status"] != Status.SUCCESS):
                fields["synced_at"] = now
            SyncRecord.objects.filter(pk=row["pk"]).update(**fields, updated_at=now)
            return row["pk"]
        if status == Status.SUCCESS:
            fields["synced_at"] = now
        keys = {"profile": self.profile, "entity": Entity.INVENTORY, "source_id": decision.sku}
        try:
            with transaction.atomic():
                return SyncRecord.objects.create(**keys, **fields).pk
        except IntegrityError:  # another run made it a moment ago
            rows = SyncRecord.objects.filter(**keys)
            rows.update(**fields, updated_at=now)
            return rows.values_list("pk", flat=True).get()

    # --- calling TikTok -----------------------------------------------------------------------

    def _send(self, calls: dict[str, list[Decision]], existing: dict) -> None:
        streak = 0
        products = list(calls.items())
        for index, (product_id, decisions) in enumerate(products):
            if self.result.stopped or time.monotonic() >= self.deadline:
                if not self.result.stopped:
                    self.result.partial = True
                for _, waiting in products[index:]:
                    for decision in waiting:
                        self._not_sent(decision, existing.get(decision.sku))
                return
            kind = self._update_product(product_id, decisions, existing)
            streak = streak + 1 if kind == ErrorKind.UNREACHABLE else 0
            if streak >= UNREACHABLE_STREAK_LIMIT:
                self.result.stopped = "TikTok Shop could not be reached several times in a row."

    def _not_sent(self, decision: Decision, row: dict | None) -> None:
        if self.result.stopped:
            reason = f"Not sent: this run stopped early ({self.result.stopped}). Tried again next run."
            self._write(decision, row, Status.FAILED, reason, "stopped", called=False)
        else:
            reason = "Waiting: the run's time was up before this SKU; the next run sends it."
            self._write(decision, row, Status.PENDING, reason, "", called=False)

    def _pace(self) -> None:
        per_second = setting("SYNC_TIKTOK_CALLS_PER_SECOND", DEFAULT_TIKTOK_CALLS_PER_SECOND)
        if per_second <= 0:
            return
        wait = self.last_call + 1 / per_second - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self.last_call = time.monotonic()

    def _call(self, product_id: str, skus: list[dict]) -> list[dict]:
        """One Update Inventory call; an AUTH error gets one forced token refresh per run."""
        self._pace()
        try:
            if self.client is None:
                self.client = orders.client_for(self.tiktok_conn)
            return self.client.update_inventory(product_id, skus)
        except PlatformError as exc:
            if exc.kind != ErrorKind.AUTH or self.refreshed:
                raise
            self.refreshed = True
            if not _refresh_once(self.tiktok_conn):
                raise
        self.tiktok_conn.refresh_from_db()
        self.client = orders.client_for(self.tiktok_conn)
        return self.client.update_inventory(product_id, skus)

    def _update_product(self, product_id: str, decisions: list[Decision], existing: dict) -> str:
        """Send one product's SKUs; write each SKU's outcome and attempt. The error kind, if any."""
        skus = [{"id": d.tiktok.sku_id, "inventory": d.inventory} for d in decisions]
        started, t0 = timezone.now(), time.monotonic()
        self.result.calls += 1
        try:
            sku_errors = self._call(product_id, skus)
        except Exception as exc:
            outcome = self._call_failed(product_id, exc)
            duration = int((time.monotonic() - t0) * 1000)
            for decision, sent in zip(decisions, skus, strict=True):
                request = {"product_id": product_id, "skus_in_call": len(skus), **sent}
                self._attempt_and_write(
                    decision, existing.get(decision.sku), request, outcome, started, duration
                )
            return outcome.error_kind
        duration = int((time.monotonic() - t0) * 1000)
        sent_ids = {d.tiktok.sku_id for d in decisions}
        by_sku: dict[str, list[dict]] = {}
        unattributed = []
        for entry in sku_errors:
            detail = entry.get("detail") if isinstance(entry.get("detail"), dict) else {}
            sku_id = str(detail.get("sku_id") or "")
            if sku_id in sent_ids:
                by_sku.setdefault(sku_id, []).append(entry)
            else:
                unattributed.append(entry)
        for decision, sent in zip(decisions, skus, strict=True):
            # An error TikTok did not tie to a SKU cannot be placed: it counts against each SKU sent.
            mine = by_sku.get(decision.tiktok.sku_id, []) + unattributed
            request = {"product_id": product_id, "skus_in_call": len(skus), **sent}
            outcome = _sku_outcome(mine, decision.target)
            self._attempt_and_write(decision, existing.get(decision.sku), request, outcome, started, duration)
        return ""

    def _call_failed(self, product_id: str, exc: Exception) -> _Outcome:
        """The outcome for every SKU of a call that failed as a whole (errors by kind, as for orders)."""
        if isinstance(exc, ValueError):  # not a TikTok id: the client refuses to put it in a path
            return _Outcome(Status.NEEDS_ATTENTION, str(exc), "invalid", {"message": str(exc)}, "error")
        if not isinstance(exc, PlatformError):  # a bug must not stop the other products
            log.exception("Inventory update of TikTok product %s failed unexpectedly", product_id)
            message = f"Unexpected error: {type(exc).__name__}: {exc}. Tried again next run."
            return _Outcome(Status.FAILED, message, "internal", {"message": message}, "error")
        message = orders.explain(self.tiktok_conn, exc)
        if exc.kind in (ErrorKind.AUTH, ErrorKind.PERMISSION):
            status = Status.NEEDS_ATTENTION
            self.tiktok_conn.record_failure(message)
            self.result.stopped = message
        elif exc.kind == ErrorKind.RATE_LIMITED:
            status = Status.FAILED
            self.result.stopped = f"TikTok Shop's rate limit: {message}"
        elif exc.retryable or exc.kind == ErrorKind.BAD_RESPONSE:
            status = Status.FAILED
            if exc.outcome_unknown:
                message += " TikTok Shop may have applied it: the next run reads the stock first."
            message += " Tried again next run."
        else:
            status = Status.NEEDS_ATTENTION
        return _Outcome(
            status,
            message,
            str(exc.kind),
            exc.as_dict(),
            SyncAttempt.Outcome.UNKNOWN if exc.outcome_unknown else SyncAttempt.Outcome.ERROR,
            http_status=exc.status,
            attempt_message=str(exc),
        )

    def _attempt_and_write(
        self, decision: Decision, row: dict | None, request: dict, outcome: _Outcome, started, duration: int
    ) -> None:
        sent = {"product_id": request["product_id"], "inventory": request.get("inventory")}
        record_id = self._write(
            decision, row, outcome.status, outcome.reason, outcome.error_kind, called=True, sent=sent
        )
        SyncRecord.objects.filter(pk=record_id).update(attempts=F("attempts") + 1)
        failed = outcome.outcome != SyncAttempt.Outcome.OK
        SyncAttempt.objects.create(
            record_id=record_id,
            started_at=started,
            action="update_inventory",
            request=request,
            response=outcome.response,
            outcome=outcome.outcome,
            error_kind=outcome.error_kind if failed else "",
            message=(outcome.attempt_message or outcome.reason) if failed else "",
            http_status=outcome.http_status,
            duration_ms=duration,
        )


@dataclass
class _Outcome:
    """How one SKU of a call ended: its row's status and reason, and its attempt's response."""

    status: str
    reason: str
    error_kind: str
    response: dict
    outcome: str
    http_status: int | None = None
    attempt_message: str = ""


def _sku_outcome(errors: list[dict], quantity: int | None) -> _Outcome:
    """A SKU of a `code: 0` answer: done, or refused by one or more entries of `data.errors` (§4.1, §7.1)."""
    if not errors:
        return _Outcome(Status.SUCCESS, "", "", {"result": "ok"}, SyncAttempt.Outcome.OK)
    explained = [explain_sku_error(entry, quantity=quantity) for entry in errors]
    kinds = [kind for kind, _ in explained]
    reason = " ".join(text for _, text in explained)
    passing = [k for k in kinds if k in (ErrorKind.TRANSIENT, ErrorKind.RATE_LIMITED)]
    if len(passing) == len(kinds):
        # An internal error for one SKU (36009003): the next run compares and sends it again.
        return _Outcome(
            Status.FAILED, reason + " Tried again next run.", str(kinds[0]), {"errors": errors}, "error"
        )
    lasting = next(k for k in kinds if k not in passing)
    return _Outcome(Status.NEEDS_ATTENTION, reason, str(lasting), {"errors": errors}, "error")


def _refresh_once(conn: Connection) -> bool:
    """Force one token refresh after an AUTH error; False when it cannot be refreshed."""
    from syncapp.connections import tiktok_shop as tiktok_connection

    try:
        return bool(tiktok_connection.refresh_tokens(conn, force=True))
    except PlatformError:
        return False


# ---------------------------------------------------------------------------------------------------
# Resync


def request_resync(records, *, user=None) -> list[int]:
    """Mark inventory rows to be sent by the next run even if unchanged; the ids of their profiles.

    The status stays as it is: the row changes when the run has sent it (the task may be switched off).
    """
    now = timezone.now()
    rows = records.filter(entity=Entity.INVENTORY)
    profile_ids = sorted(set(rows.values_list("profile_id", flat=True)))
    rows.update(resync_requested_by=user, resync_requested_at=now, updated_at=now)
    return profile_ids
