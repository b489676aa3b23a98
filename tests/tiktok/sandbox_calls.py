"""Talking to the sandbox in tests: seeding, clients, and raw signed requests for tamper tests."""

import json
import time
from types import SimpleNamespace
from urllib.parse import urlencode

import requests

from sandbox.tiktok.models import App, Shop, Warehouse
from sandbox.tiktok.seed import APP_KEY, SHOP_CODE, seed
from syncapp.platforms import tiktok_shop
from syncapp.platforms.tiktok_shop import TikTokShopClient


def seeded(portal_url: str) -> SimpleNamespace:
    fields = seed(portal_url)
    shop = Shop.objects.get(code=SHOP_CODE)
    return SimpleNamespace(
        url=portal_url,
        base=f"{portal_url}/sandbox/tiktok",
        fields=fields,
        app=App.objects.get(app_key=APP_KEY),
        shop=shop,
        warehouse=Warehouse.objects.get(shop=shop),
    )


def make_client(tts, token=None, **options) -> TikTokShopClient:
    options.setdefault("timeout", (2.0, 10.0))
    options.setdefault("sleep", lambda seconds: None)
    return TikTokShopClient(
        tts.fields["app_key"],
        tts.fields["app_secret"],
        tts.fields["api_base_url"],
        tts.fields["auth_base_url"],
        access_token=token.access_token if token else "",
        shop_cipher=options.pop("shop_cipher", tts.shop.cipher),
        **options,
    )


def signed_request(
    tts,
    method: str,
    path: str,
    *,
    token=None,
    query: dict | None = None,
    body: bytes = b"",
    sign_path: str | None = None,
    sign_query: dict | None = None,
    sign_body: bytes | None = None,
    timestamp: int | None = None,
    headers: dict | None = None,
    secret: str | None = None,
) -> requests.Response:
    """Send one raw request to the sandbox API, signed over what is given in sign_* (default: what is sent).

    The query goes on the wire exactly as given (no re-encoding surprises), so a test can change one
    byte of what was signed.
    """
    sent = {"app_key": tts.app.app_key, "timestamp": str(timestamp or int(time.time())), **(query or {})}
    to_sign = dict(sent if sign_query is None else sign_query)
    sent["sign"] = tiktok_shop.sign(
        secret or tts.app.app_secret,
        sign_path or path,
        to_sign,
        body if sign_body is None else sign_body,
    )
    all_headers = {"Content-Type": "application/json"}
    if token is not None:
        all_headers["x-tts-access-token"] = token.access_token
    all_headers.update(headers or {})
    url = f"{tts.fields['api_base_url']}{path}?{urlencode(sent)}"
    return requests.request(method, url, data=body or None, headers=all_headers, timeout=10)


def envelope(response: requests.Response) -> dict:
    payload = response.json()
    assert set(payload) == {"code", "message", "request_id", "data"}, payload
    return payload


def compact(value) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()
