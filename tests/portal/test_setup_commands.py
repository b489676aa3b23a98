"""What `make run` does on every start must be safe to do again (it runs on every start)."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from sandbox.ecwid.models import Product as EcwidProduct
from sandbox.tiktok.models import Sku
from syncapp.models import Connection, Profile

pytestmark = pytest.mark.django_db


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def test_bootstrap_admin_creates_the_login_once(monkeypatch):
    monkeypatch.setenv("PORTAL_ADMIN_USER", "boss")
    monkeypatch.setenv("PORTAL_ADMIN_PASSWORD", "a-long-password")
    assert "Created" in run("bootstrap_admin")
    user = get_user_model().objects.get(username="boss")
    user.set_password("changed-by-the-boss")
    user.save()

    assert "already exists" in run("bootstrap_admin")
    user.refresh_from_db()
    assert user.is_staff and user.is_superuser and user.check_password("changed-by-the-boss")


def test_sandbox_seed_twice_keeps_tokens_and_follows_the_portal_url():
    run("sandbox_seed", portal_url="http://127.0.0.1:8000")
    tiktok = Connection.objects.get(platform=Connection.Platform.TIKTOK_SHOP)
    tiktok.access_token = "kept-token"
    tiktok.save()
    counts = (
        Connection.objects.count(),
        Profile.objects.count(),
        Sku.objects.count(),
        EcwidProduct.objects.count(),
    )

    run("sandbox_seed", portal_url="http://localhost:9000/")
    assert (
        (
            Connection.objects.count(),
            Profile.objects.count(),
            Sku.objects.count(),
            EcwidProduct.objects.count(),
        )
        == counts
        == (2, 1, 6, 5)
    )
    tiktok.refresh_from_db()
    assert tiktok.access_token == "kept-token"
    assert tiktok.api_base_url == "http://localhost:9000/sandbox/tiktok/open-api"
    profile = Profile.objects.get()
    assert (profile.source, profile.destination.platform) == (tiktok, Connection.Platform.ECWID)
