"""Every portal page is for staff: anonymous visitors go to the admin login, Bob (not staff) is refused."""

import pytest
from django.urls import reverse

from tests.pages.conftest import make_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls(quiet_profile):
    record = make_record(quiet_profile)
    return [
        reverse("syncapp:dashboard"),
        reverse("syncapp:order-detail-list"),
        reverse("syncapp:sales-order-list"),
        reverse("syncapp:sales-order-list") + "?_export=csv",
        reverse("syncapp:record", args=[record.pk]),
        reverse("syncapp:compare", args=[record.pk]),
    ]


def test_an_anonymous_visitor_is_sent_to_the_admin_login(client, urls):
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login") + "?next="), url


def test_a_user_who_is_not_staff_is_refused(client, bob, urls):
    client.force_login(bob)
    for url in urls[:-1]:  # the compare page would call the platforms; it is refused before that
        assert client.get(url).status_code == 403, url
    assert client.get(urls[-1]).status_code == 403


def test_resync_is_refused_to_anonymous_and_non_staff(client, bob, quiet_profile):
    record = make_record(quiet_profile)
    url = reverse("syncapp:resync")
    assert client.post(url, {"ids": [record.pk], "confirm": "yes"}).status_code == 302
    client.force_login(bob)
    assert client.post(url, {"ids": [record.pk], "confirm": "yes"}).status_code == 403
    record.refresh_from_db()
    assert record.resync_requested_at is None


def test_staff_see_every_page(staff_client, urls):
    for url in urls[:-1]:
        assert staff_client.get(url).status_code == 200, url


def test_the_dashboard_and_lists_carry_the_portal_navigation(staff_client):
    html = staff_client.get(reverse("syncapp:dashboard")).content.decode()
    assert 'aria-label="Portal"' in html
    for label in (
        "Dashboard",
        "Sales Order Data: Detail",
        "Sales Order",
        "Profiles",
        "Connections",
        "Sandbox",
    ):
        assert f">{label}</a>" in html
    assert "Order Sync Portal" in html
    assert 'aria-live="polite"' in html


def test_the_admin_index_carries_the_same_navigation(staff_client):
    html = staff_client.get(reverse("admin:index")).content.decode()
    assert 'aria-label="Portal"' in html and ">Sales Order Data: Detail</a>" in html


def test_the_admin_home_points_staff_at_the_portal_first(staff_client):
    html = staff_client.get(reverse("admin:index")).content.decode()
    assert "Open the dashboard" in html
    assert html.index("Open the dashboard") < html.index('id="content-main"')  # above the tables
