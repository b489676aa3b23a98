"""The seed guide's five steps, walked in a real Chromium against a live server, the sandbox and a worker.

1. Log into the portal.  2. Authorize both apps (the sandbox consent pages).  3. Create a test order on
the TikTok seller page.  4. Find it by Source ID in "Sales Order Data: Detail" (SUCCESS) and in
"Sales Order" (its Destination ID).  5. Find the Destination ID in the Ecwid store, and compare.

A screenshot of each step goes to tests/browser/screenshots/ (the README shows them).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from syncapp.connections import ecwid as ecwid_connection
from syncapp.models import Connection, Entity, Profile, SyncRecord

# Playwright's sync API runs an event loop in this thread; the ORM calls the test makes between
# browser steps are ordinary blocking calls (https://docs.djangoproject.com/en/5.2/topics/async/).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).parent / "screenshots"
WIDTH = 1280
PASSWORD = "walk-the-seed-123"
WAIT_FOR_SYNC_SECONDS = 45


@pytest.fixture
def worker(live_server):
    """`manage.py qcluster` against the test database, as `make run` starts it."""
    if connection.vendor != "sqlite":
        pytest.skip("The browser walk starts its worker against the SQLite test database.")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{connection.settings_dict['NAME']}",
        "Q_POLL": "0.1",
        "Q_WORKERS": "1",
        "SANDBOX_ENABLED": "true",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    yield process
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium (make browser-deps).")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": 800})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def seeded(live_server, db):
    call_command("sandbox_seed", portal_url=live_server.url, stdout=open(os.devnull, "w"))
    get_user_model().objects.create_superuser("admin", "admin@example.com", PASSWORD)
    SHOTS.mkdir(exist_ok=True)
    return live_server.url


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def search(page, base: str, path: str, source_id: str) -> None:
    page.goto(f"{base}{path}")
    page.get_by_label("Source ID").fill(source_id)
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**source_id=*")


def authorize(page, base: str, conn: Connection, consent_button: str, consent_shot: str) -> None:
    page.goto(f"{base}/admin/syncapp/connection/{conn.pk}/change/")
    page.get_by_role("link", name="Authorize", exact=True).click()
    page.wait_for_load_state()
    shot(page, consent_shot)
    page.get_by_role("button", name=consent_button).click()
    page.wait_for_url(f"**/admin/syncapp/connection/{conn.pk}/change/")
    success = page.locator(".messagelist li.success")
    assert success.count() == 1, page.locator(".messagelist").inner_text()


def test_a_merchant_walks_the_seed_guide_in_a_browser(seeded, worker, page):
    base = seeded

    # Step 1: log into the portal.
    page.goto(f"{base}/dashboard/")
    page.wait_for_url("**/admin/login/**")
    shot(page, "01_login")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard/")
    assert page.get_by_role("navigation", name="Portal").is_visible()

    # Step 2: authorize both apps through the sandbox consent pages.
    tiktok = Connection.objects.get(platform=Connection.Platform.TIKTOK_SHOP)
    ecwid = Connection.objects.get(platform=Connection.Platform.ECWID)
    authorize(page, base, tiktok, "Authorize", "02a_tiktok_consent")
    shot(page, "02b_tiktok_authorized")
    authorize(page, base, ecwid, "Install", "02c_ecwid_consent")
    shot(page, "02d_ecwid_authorized")
    tiktok.refresh_from_db()
    ecwid.refresh_from_db()
    assert tiktok.status == ecwid.status == Connection.Status.OK

    # `sandbox_seed` made the profile pairing them ("[Acme US] TikTok Shop – Ecwid").
    profile = Profile.objects.get(source=tiktok, destination=ecwid)

    # Step 3: create a test order on the seller page and copy its order id.
    page.goto(f"{base}/sandbox/tiktok/seller/")
    page.get_by_label("Product 1").select_option("MUG-12OZ")
    page.locator("#id_quantity_1").fill("2")
    page.get_by_label("Product 2").select_option("TSHIRT-BLK-M")
    page.get_by_role("button", name="Create test order").click()
    page.wait_for_load_state()
    message = page.locator("ul.messages li").first.inner_text()
    assert message.startswith("Test order "), message
    source_id = message.split()[2]
    shot(page, "03_test_order_created")

    # The webhook reaches the portal and the worker syncs the order; wait for it (bounded).
    deadline = time.monotonic() + WAIT_FOR_SYNC_SECONDS
    sales = None
    while time.monotonic() < deadline:
        sales = SyncRecord.objects.filter(
            profile=profile, entity=Entity.SALES_ORDER, source_id=source_id, status=SyncRecord.Status.SUCCESS
        ).first()
        if sales:
            break
        time.sleep(0.5)
    assert sales, f"Order {source_id} was not synced within {WAIT_FOR_SYNC_SECONDS} s."

    # Step 4: Dashboard → the profile → "Sales Order Data: Detail", then search by Source ID.
    page.goto(f"{base}/dashboard/")
    page.get_by_role("link", name="TikTok Shop > Ecwid: Sales Order Data: Detail").click()
    page.wait_for_url(f"**/orders/detail/?profile={profile.pk}")
    page.get_by_label("Source ID").fill(source_id)
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**source_id=*")
    row = page.locator("table.records tbody tr")
    assert row.count() == 1
    assert source_id in row.inner_text() and "Success" in row.inner_text()
    shot(page, "04a_detail_list_found")

    search(page, base, "/orders/sales/", source_id)
    row = page.locator("table.records tbody tr")
    assert row.count() == 1
    assert sales.destination_id in row.inner_text() and "Success" in row.inner_text()
    shot(page, "04b_sales_order_list_found")

    page.get_by_role("link", name=source_id).click()
    page.wait_for_url(f"**/records/{sales.pk}/")
    destination_id = page.locator("#destination-id").inner_text().strip()
    assert destination_id == sales.destination_id
    shot(page, "04c_record")

    # Step 5: find the Destination ID in the Ecwid store, then compare the two orders.
    page.goto(f"{base}/sandbox/ecwid/store/")
    page.get_by_label("Search orders").fill(destination_id)
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name=f"#{destination_id}").is_visible()
    shot(page, "05a_ecwid_store_found")

    page.goto(f"{base}/records/{sales.pk}/")
    page.get_by_role("link", name="Compare with Ecwid").click()
    page.wait_for_url(f"**/records/{sales.pk}/compare/")
    verdict = page.locator(".compare-verdict").inner_text()
    assert "No difference" in verdict, verdict
    assert page.locator("tr.diff").count() == 0
    shot(page, "05b_compare_no_difference")

    # Someone edits the order in Ecwid: the compare page (here in dark mode) highlights the change.
    ecwid_connection.client_for(ecwid).update_order(destination_id, {"email": "changed.in.ecwid@example.com"})
    page.emulate_media(color_scheme="dark")
    page.reload()
    assert "1 difference" in page.locator(".compare-verdict").inner_text()
    assert page.locator("tr.diff").count() == 1
    assert "changed.in.ecwid@example.com" in page.locator("tr.diff").inner_text()
    shot(page, "05c_compare_difference_dark")
    page.emulate_media(color_scheme="light")

    # The dashboard now counts the order and draws it on the chart (its counts are kept 30 s: start afresh).
    cache.clear()
    page.goto(f"{base}/dashboard/")
    assert "Nothing needs attention." in page.locator("#content").inner_text()
    assert "1 in all" in page.locator("#content").inner_text()
    shot(page, "06_dashboard")

    # The same list at a phone's width: the table scrolls sideways inside its region.
    page.set_viewport_size({"width": 390, "height": 800})
    search(page, base, "/orders/sales/", source_id)
    assert page.locator(".table-scroll").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the page scrolls sideways"
    page.screenshot(path=str(SHOTS / "07_phone_sales_order_list.png"), full_page=True)
