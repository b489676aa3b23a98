"""`python -m bench [--orders 300] [--webhooks 40]`: start the stack, measure, print, clean up."""

from __future__ import annotations

import argparse
import math
import secrets
import sys
import time
from datetime import timedelta

import requests

from bench.stack import Stack

SKUS = {"MUG-12OZ": 1, "CAP-NAVY": 1}
ECWID_LIMIT_PER_MINUTE = 600  # the sandbox's default, as documented (ecwid_api.md §7.1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--orders", type=int, default=300, help="orders for the throughput run (default 300)")
    parser.add_argument("--webhooks", type=int, default=40, help="orders created with a webhook (default 40)")
    parser.add_argument("--workers", type=int, default=2, help="django-q2 workers (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database and logs")
    args = parser.parse_args(argv)

    with Stack(workers=args.workers, keep=args.keep) as stack:
        print(f"Portal and sandbox on {stack.url} (SQLite, ORM broker, {args.workers} workers)", flush=True)
        profile = connect(stack)
        warm_up(stack, profile)
        calls, throughput = throughput_run(stack, profile, args.orders)
        latency = webhook_run(stack, profile, args.webhooks)
    print()
    print("Results")
    for line in (calls, throughput, latency):
        print("  " + line)
    return 0


# ---------------------------------------------------------------------------------------------------


def connect(stack: Stack):
    """Authorize the seeded connections (TikTok through its real token exchange) and make a profile."""
    from django.utils import timezone
    from django_q.models import Schedule

    from sandbox.ecwid import store as ecwid_store
    from sandbox.tiktok import models as tts_models
    from syncapp.connections import tiktok_shop as tiktok_connection
    from syncapp.models import Connection, Profile

    tiktok = Connection.objects.get(
        platform=Connection.Platform.TIKTOK_SHOP, api_base_url__startswith=stack.url
    )
    code = tts_models.AuthCode.objects.create(
        code=secrets.token_urlsafe(16),
        app=tts_models.App.objects.get(app_key=tiktok.app_key),
        shop=tts_models.Shop.objects.first(),
        expires_at=timezone.now() + timedelta(minutes=30),
    )
    tiktok_connection.complete_authorization(tiktok, code=code.code, redirect_uri="")
    ecwid = Connection.objects.get(platform=Connection.Platform.ECWID, api_base_url__startswith=stack.url)
    ecwid.access_token = ecwid_store.secret_token()
    ecwid.save()
    profile = Profile.objects.create(
        name="[Acme US] TikTok Shop – Ecwid (bench)", source=tiktok, destination=ecwid
    )
    # The runs below are started by hand; keep the schedules out of the measurements.
    Schedule.objects.filter(name__startswith="profile-task-").update(
        next_run=timezone.now() + timedelta(days=1)
    )
    return profile


def create_orders(stack: Stack, count: int, *, send_webhooks: bool) -> list[str]:
    ids: list[str] = []
    while len(ids) < count:
        batch = min(500, count - len(ids))
        response = requests.post(
            f"{stack.url}/sandbox/tiktok/seller/orders.json",
            json={"count": batch, "skus": SKUS, "send_webhooks": send_webhooks},
            timeout=120,
        )
        response.raise_for_status()
        body = response.json()
        ids.extend(str(i) for i in (body.get("order_ids") or body.get("ids") or []))
    return ids


def wait_for(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise SystemExit(f"Gave up after {timeout:.0f} s waiting for {what}.")


def synced(profile, ids) -> int:
    from syncapp.models import Entity, SyncRecord

    return SyncRecord.objects.filter(
        profile=profile, entity=Entity.SALES_ORDER, source_id__in=ids, status=SyncRecord.Status.SUCCESS
    ).count()


def run_task(profile, entity) -> None:
    from django_q.tasks import async_task

    async_task("syncapp.tasks.run_profile_task", profile.tasks.get(entity=entity).pk)


def warm_up(stack: Stack, profile) -> None:
    """A first order of each SKU: fills the SKU → product cache, as in any running shop."""
    from syncapp.models import Entity, SyncRecord

    ids = create_orders(stack, 3, send_webhooks=False)
    run_task(profile, Entity.ORDER_DETAIL)
    queued = SyncRecord.objects.filter(profile=profile, entity=Entity.SALES_ORDER, source_id__in=ids)
    wait_for(lambda: queued.count() == 3, timeout=60, what="the warm-up pull")
    run_task(profile, Entity.SALES_ORDER)
    wait_for(lambda: synced(profile, ids) == 3, timeout=60, what="the warm-up orders")


def throughput_run(stack: Stack, profile, count: int) -> tuple[str, str]:
    from syncapp.models import Entity, SyncAttempt, SyncRecord
    from syncapp.sync import pacing

    ids = create_orders(stack, count, send_webhooks=False)
    print(f"Created {count} orders on the seller side; pulling and pushing them…", flush=True)
    offset = stack.access_log_size()
    run_task(profile, Entity.ORDER_DETAIL)
    details = SyncRecord.objects.filter(profile=profile, entity=Entity.SALES_ORDER, source_id__in=ids)
    wait_for(lambda: details.count() == count, timeout=120, what="the pull")
    started = time.monotonic()
    run_task(profile, Entity.SALES_ORDER)
    bound_seconds = count / (ECWID_LIMIT_PER_MINUTE / 60)
    wait_for(lambda: synced(profile, ids) == count, timeout=bound_seconds * 3 + 60, what="the push")
    elapsed = time.monotonic() - started
    time.sleep(1)  # let the access log flush
    served = stack.requests_since(offset)
    ecwid = [status for line, status in served if "/sandbox/ecwid/api/" in line]
    tiktok = [status for line, status in served if "/sandbox/tiktok/open-api/" in line]
    rate = count / elapsed
    bound = ECWID_LIMIT_PER_MINUTE / 60
    # The pacer lets a burst of calls through at once; the steady rate is measured after it.
    starts = sorted(
        SyncAttempt.objects.filter(record__source_id__in=ids, action="create").values_list(
            "started_at", flat=True
        )
    )
    skip = pacing.BURST
    steady = (len(starts) - 1 - skip) / (starts[-1] - starts[skip]).total_seconds()
    per_order = (len(ecwid) + len(tiktok)) / count
    lost = count - synced(profile, ids)
    calls = (
        f"API calls per synced order (steady state, {count} new orders): {per_order:.3f} "
        f"= {len(ecwid)} Ecwid + {len(tiktok)} TikTok calls (target ≤ 1.05) {mark(per_order <= 1.05)}"
    )
    throughput = (
        f"Orders per second with Ecwid limited to {ECWID_LIMIT_PER_MINUTE}/min: {steady:.2f}/s steady "
        f"= {steady / bound:.1%} of the {bound:.0f}/s bound ({rate:.2f}/s over the whole run, first "
        f"{skip} in a burst); {ecwid.count(429)} answers 429, {lost} orders lost (target ≥ 95 %, none lost) "
        f"{mark(steady >= 0.95 * bound and lost == 0)}"
    )
    return calls, throughput


def webhook_run(stack: Stack, profile, count: int) -> str:
    from syncapp.models import Entity, SyncRecord

    print(f"Creating {count} orders one by one, each announced by a signed webhook…", flush=True)
    sent: dict[str, float] = {}
    for _ in range(count):
        before = time.time()
        (order_id,) = create_orders(stack, 1, send_webhooks=True)
        sent[order_id] = before
        time.sleep(0.25)
    wait_for(lambda: synced(profile, list(sent)) == count, timeout=120, what="the webhook orders")
    rows = SyncRecord.objects.filter(profile=profile, entity=Entity.SALES_ORDER, source_id__in=list(sent))
    latencies = sorted(row.synced_at.timestamp() - sent[row.source_id] for row in rows)
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    return (
        f"Webhook → Ecwid latency ({count} orders): p50 {p50:.2f} s, p95 {p95:.2f} s, "
        f"max {latencies[-1]:.2f} s (target p95 < 3 s) {mark(p95 < 3)}"
    )


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile of sorted values."""
    return values[max(0, math.ceil(pct / 100 * len(values)) - 1)]


def mark(ok: bool) -> str:
    return "✔" if ok else "✘ MISSED"


if __name__ == "__main__":
    sys.exit(main())
