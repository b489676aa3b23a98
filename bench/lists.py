"""`python -m bench.lists`: the record lists at a million rows, on SQLite and on PostgreSQL.

Fills a separate database per backend with SyncRecords (bulk_create in batches; kept between runs,
topped up when short), then measures through the Django test client, logged in as staff, the median
of several runs of: Source ID search (exact and prefix), Destination ID search, and the first page of
each list (unfiltered, and for one profile as the dashboard links to it). Targets (issue 4): search
< 100 ms, first page < 300 ms.

    python -m bench.lists                       # both backends, 1,000,000 rows each
    python -m bench.lists --backend sqlite --rows 200000 --runs 5
    python -m bench.lists --fresh               # drop the bench databases and fill again

Each backend runs in a child process, because Django reads DATABASE_URL once per process.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLITE_PATH = Path("/tmp/portal_bench.sqlite3")
PG_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
BACKENDS = {"sqlite": f"sqlite:///{SQLITE_PATH}", "postgres": PG_URL}
TARGETS_MS = {"search": 100, "page": 300}
BATCH = 5000
PROFILES = 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.lists", description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=[*BACKENDS, "both"], default="both")
    parser.add_argument("--rows", type=int, default=1_000_000, help="SyncRecords to fill (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per measurement (median shown)")
    parser.add_argument("--fresh", action="store_true", help="drop and refill the bench database")
    parser.add_argument(
        "--no-analyze", action="store_true", help="skip ANALYZE after filling (planner without statistics)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        return run_backend(args)
    backends = list(BACKENDS) if args.backend == "both" else [args.backend]
    failed = 0
    for backend in backends:
        print(f"\n=== {backend} ===", flush=True)
        env = {**os.environ, "DATABASE_URL": BACKENDS[backend], "DEBUG": "false", "LOG_LEVEL": "WARNING"}
        env.setdefault("SECRET_KEY", "bench-only-not-secret")
        env.pop("REDIS_URL", None)
        child = [sys.executable, "-m", "bench.lists", "--child", "--backend", backend]
        child += ["--rows", str(args.rows), "--runs", str(args.runs)] + (["--fresh"] if args.fresh else [])
        child += ["--no-analyze"] if args.no_analyze else []
        failed += subprocess.call(child, cwd=ROOT, env=env) != 0
    return 1 if failed else 0


# ---------------------------------------------------------------------------------------------------
# One backend (child process)


def prepare_database(backend: str, fresh: bool) -> None:
    if backend == "sqlite":
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = 'portal_bench'").fetchone()
        if exists and fresh:
            conn.execute("DROP DATABASE portal_bench WITH (FORCE)")
            exists = None
        if not exists:
            conn.execute("CREATE DATABASE portal_bench")


def run_backend(args) -> int:
    prepare_database(args.backend, args.fresh)
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the test client's "testserver" host through ALLOWED_HOSTS
    call_command("migrate", verbosity=0)
    fill(args.rows, analyze=not args.no_analyze)
    results = measure(args.runs)
    print_results(args.backend, results)
    return 0


def _source_payload(order_id: str, i: int) -> dict:
    """A TikTok order of realistic shape and size (tiktok_shop_api.md §3.3), about 1.5 kB."""
    return {
        "id": order_id,
        "status": "AWAITING_SHIPMENT",
        "create_time": 1764000000 + i,
        "update_time": 1764000000 + i,
        "buyer_email": f"v{i}@scs.tiktokw.us",
        "user_id": f"7{i:018d}",
        "delivery_option_name": "Standard Shipping",
        "payment": {
            "currency": "USD",
            "sub_total": "48.99",
            "shipping_fee": "5.99",
            "seller_discount": "0.00",
            "platform_discount": "0.00",
            "tax": "0.00",
            "total_amount": "54.98",
        },
        "recipient_address": {
            "name": "Jane Doe",
            "phone_number": "(+1)213-***-1234",
            "address_line1": "1199 Coleman Ave",
            "address_line2": "Suite 100",
            "postal_code": "95110",
            "region_code": "US",
            "district_info": [
                {"address_level": "L0", "address_level_name": "Country", "address_name": "United States"},
                {"address_level": "L1", "address_level_name": "State", "address_name": "California"},
                {"address_level": "L3", "address_level_name": "City", "address_name": "San Jose"},
            ],
        },
        "line_items": [
            {
                "id": f"{order_id}{n}",
                "seller_sku": sku,
                "product_name": name,
                "sku_name": "",
                "sale_price": price,
                "original_price": price,
                "currency": "USD",
                "display_status": "AWAITING_SHIPMENT",
            }
            for n, (sku, name, price) in enumerate(
                [("MUG-12OZ", "Ceramic Mug 12 oz", "14.50"), ("MUG-12OZ", "Ceramic Mug 12 oz", "14.50")]
                + [("TSHIRT-BLK-M", "Classic T-shirt", "19.99")]
            )
        ],
    }


def _destination_id(i: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    n = i + 36**5  # at least 6 characters, unique per order
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out


def source_id(i: int) -> str:
    return str(576_000_000_000_000_000 + i * 7)


def fill(rows: int, *, analyze: bool = True) -> None:
    from datetime import UTC, datetime, timedelta

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from syncapp.models import Connection, Entity, Profile, SyncRecord

    user_model = get_user_model()
    if not user_model.objects.filter(username="bench").exists():
        user_model.objects.create_user("bench", password="bench-only", is_staff=True)
    profiles = list(Profile.objects.order_by("pk")[:PROFILES])
    for n in range(len(profiles), PROFILES):
        tiktok = Connection.objects.create(
            platform=Connection.Platform.TIKTOK_SHOP,
            name=f"Bench TikTok {n}",
            api_base_url="https://open-api.tiktokglobalshop.com",
            auth_base_url="https://auth.tiktok-shops.com",
        )
        ecwid = Connection.objects.create(
            platform=Connection.Platform.ECWID,
            name=f"Bench Ecwid {n}",
            api_base_url="https://app.ecwid.com/api/v3",
            auth_base_url="https://my.ecwid.com",
            store_id=str(1000 + n),
        )
        profile = Profile.objects.create(
            name=f"[Bench {n}] TikTok Shop – Ecwid", source=tiktok, destination=ecwid
        )
        profile.tasks.update(enabled=False)
        profiles.append(profile)

    have = SyncRecord.objects.count()
    if have >= rows:
        print(f"{have:,} SyncRecords already there.", flush=True)
        _analyze(connection, analyze)
        return
    # Rows are filled in (order, entity) pairs: each TikTok order has its Detail and its Sales Order row.
    orders_needed = rows // 2
    start_order = have // 2
    print(
        f"Filling {rows - have:,} SyncRecords ({orders_needed - start_order:,} orders × 2 entities)…",
        flush=True,
    )
    # bulk_create would stamp every row "now": spread the dates over 60 days instead, as a real ledger.
    for name in ("updated_at", "created_at"):
        field = SyncRecord._meta.get_field(name)
        field.auto_now = field.auto_now_add = False
    statuses = [SyncRecord.Status.SUCCESS] * 94 + [
        SyncRecord.Status.FAILED,
        SyncRecord.Status.NEEDS_ATTENTION,
        SyncRecord.Status.SKIPPED,
        SyncRecord.Status.SKIPPED,
        SyncRecord.Status.PENDING,
        SyncRecord.Status.NEEDS_ATTENTION,
    ]
    epoch = datetime(2026, 10, 1, tzinfo=UTC)
    t0 = time.monotonic()
    batch: list = []
    for i in range(start_order, orders_needed):
        sid = source_id(i)
        when = epoch + timedelta(seconds=i * 60 * 86400 // max(orders_needed, 1))
        profile = profiles[i % PROFILES]
        payload = _source_payload(sid, i)
        status = statuses[i % len(statuses)]
        batch.append(
            SyncRecord(
                profile=profile,
                entity=Entity.ORDER_DETAIL,
                source_id=sid,
                status=SyncRecord.Status.SUCCESS,
                source_payload=payload,
                source_status="AWAITING_SHIPMENT",
                source_updated_at=1764000000 + i,
                synced_at=when,
                created_at=when,
                updated_at=when,
            )
        )
        ok = status == SyncRecord.Status.SUCCESS
        batch.append(
            SyncRecord(
                profile=profile,
                entity=Entity.SALES_ORDER,
                source_id=sid,
                destination_id=_destination_id(i) if ok else "",
                status=status,
                source_payload=payload,
                destination_payload={"id": _destination_id(i), "total": 54.98, "paymentStatus": "PAID"}
                if ok
                else None,
                source_status="AWAITING_SHIPMENT",
                source_updated_at=1764000000 + i,
                attempts=1,
                error_kind="" if ok or status == SyncRecord.Status.SKIPPED else "invalid",
                last_error="" if ok else "Ecwid refused the request as invalid.",
                synced_at=when if ok else None,
                created_at=when,
                updated_at=when + timedelta(seconds=2),
            )
        )
        if len(batch) >= BATCH:
            with transaction.atomic():
                SyncRecord.objects.bulk_create(batch)
            batch.clear()
            done = (i + 1 - start_order) * 2
            if done % 100_000 < BATCH:
                rate = done / (time.monotonic() - t0)
                print(f"  {have + done:,} rows ({rate:,.0f} rows/s)", flush=True)
    if batch:
        with transaction.atomic():
            SyncRecord.objects.bulk_create(batch)
    print(f"Filled in {time.monotonic() - t0:,.0f} s.", flush=True)
    _analyze(connection, analyze)


def _analyze(connection, analyze: bool) -> None:
    """Planner statistics, as a maintained database has them (PostgreSQL's autovacuum; SQLite's
    `PRAGMA optimize`, which sqlite.org recommends running periodically) — or none, to compare."""
    with connection.cursor() as cursor:
        if analyze:
            # VACUUM also fills PostgreSQL's visibility map, which index-only scans (the dashboard's
            # counts) rely on; autovacuum does the same on its own after a bulk insert.
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone():
                cursor.execute("DROP TABLE sqlite_stat1")
    print("Planner statistics: " + ("fresh (ANALYZE)" if analyze else "none"), flush=True)


def measure(runs: int) -> list[tuple[str, str, float, int]]:
    """[(kind, label, median ms, rows shown)]"""
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client

    from syncapp.models import Entity, Profile, SyncRecord

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench"))
    total_orders = SyncRecord.objects.filter(entity=Entity.SALES_ORDER).order_by("-pk").first()
    last = int(total_orders.source_id) - 576_000_000_000_000_000 if total_orders else 0
    middle = source_id(last // 7 // 2)
    sales = (
        SyncRecord.objects.filter(entity=Entity.SALES_ORDER, source_id__gte=middle)
        .exclude(destination_id="")
        .order_by("source_id")
        .first()
    )
    destination = sales.destination_id if sales else "ZZZZZZ"
    profile = Profile.objects.order_by("pk").first()
    cases = [
        ("search", "Detail: Source ID exact", "/orders/detail/", {"source_id": middle}),
        ("search", "Sales Order: Source ID exact", "/orders/sales/", {"source_id": middle}),
        (
            "search",
            "Sales Order: Source ID prefix (narrow)",
            "/orders/sales/",
            {"source_id": middle[:-1] + "*"},
        ),
        (
            "search",
            "Sales Order: Source ID prefix (~1,400 ids)",
            "/orders/sales/",
            {"source_id": middle[:-4] + "*"},
        ),
        ("search", "Sales Order: Destination ID exact", "/orders/sales/", {"destination_id": destination}),
        ("page", "Detail: first page", "/orders/detail/", {}),
        ("page", "Sales Order: first page", "/orders/sales/", {}),
        ("page", "Detail: first page of one profile", "/orders/detail/", {"profile": profile.pk}),
        ("page", "Sales Order: first page of one profile", "/orders/sales/", {"profile": profile.pk}),
        ("page", "Sales Order: needs attention", "/orders/sales/", {"status": "needs_attention"}),
        ("page", "Sales Order: page 20", "/orders/sales/", {"page": 20}),
        ("other", "Dashboard (counts not cached)", "/dashboard/", {}),
    ]
    results = []
    for kind, label, path, params in cases:
        response = client.get(path, params)  # warm-up (and a check that it works)
        assert response.status_code == 200, (label, response.status_code)
        shown = len(response.context["table"].page.object_list) if "table" in response.context else 0
        timings = []
        for _ in range(runs):
            cache.clear()  # the dashboard keeps its counts 30 s: time the uncached page
            t = time.perf_counter()
            client.get(path, params)
            timings.append((time.perf_counter() - t) * 1000)
        results.append((kind, label, statistics.median(timings), shown))
        print(f"  {label:<44} {statistics.median(timings):8.1f} ms  ({shown} rows)", flush=True)
    return results


def print_results(backend: str, results) -> None:
    from syncapp.models import SyncRecord

    print(f"\n{backend}: {SyncRecord.objects.count():,} SyncRecords — median of timed runs, whole request")
    print(f"{'measurement':<46}{'median':>10}{'target':>10}  verdict")
    for kind, label, ms, _ in results:
        target = TARGETS_MS.get(kind)
        verdict = "" if target is None else ("ok" if ms < target else "SLOW")
        shown_target = f"< {target}" if target else "—"
        print(f"{label:<46}{ms:>8.1f}ms{shown_target:>10}  {verdict}")


if __name__ == "__main__":
    sys.exit(main())
