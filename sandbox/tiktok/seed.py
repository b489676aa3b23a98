"""Seed the emulated TikTok Shop: the partner app, the seller's shop, a warehouse, the catalogue.

Idempotent: tokens, orders and stock are kept on a re-run; the app's redirect and webhook URLs
follow the portal URL. The app secret is generated on the first run and lives only in the
database (never in the repository).
"""

import secrets
import time
from decimal import Decimal

from django.db import transaction

from sandbox.tiktok.models import App, Product, Shop, Sku, Stock, Warehouse, random_digits, random_token

APP_KEY = "sandbox-tts-app"
SHOP_CODE = "USLCACME01"
CONNECTION_NAME = "[Acme US] TikTok Shop (sandbox)"
SCOPES = [
    "seller.authorization.info",
    "seller.order.info",
    "seller.product.basic",
    "seller.product.write",
    "seller.logistics",
]
INITIAL_STOCK = 100

# Shared with the Ecwid sandbox (same seller SKUs, so orders map). The two T-shirts are SKUs of one
# product here, as variants are on TikTok Shop.
CATALOGUE = [
    ("Classic T-shirt", [("TSHIRT-BLK-M", "Black, M", "19.99"), ("TSHIRT-WHT-L", "White, L", "19.99")]),
    ("Ceramic Mug 12 oz", [("MUG-12OZ", "", "14.50")]),
    ("Baseball Cap — Navy", [("CAP-NAVY", "", "24.00")]),
    ("Steel Water Bottle 750 ml", [("BOTTLE-750", "", "29.95")]),
    ("Canvas Tote Bag", [("TOTE-CANVAS", "", "17.00")]),
]


def _unique(model, field: str, make) -> str:
    while True:
        value = make()
        if not model.objects.filter(**{field: value}).exists():
            return value


@transaction.atomic
def seed(portal_url: str) -> dict:
    """Create or update the sandbox seller; return the portal Connection's fields."""
    portal_url = portal_url.rstrip("/")
    base = f"{portal_url}/sandbox/tiktok"
    app, _ = App.objects.get_or_create(
        app_key=APP_KEY,
        defaults={
            "name": "Acme Order Sync",
            "app_secret": secrets.token_hex(20),
            "service_id": _unique(App, "service_id", lambda: random_digits(19)),
            "scopes": SCOPES,
        },
    )
    app.redirect_url = f"{portal_url}/oauth/tiktok_shop/callback/"
    app.webhook_url = f"{portal_url}/webhooks/tiktok/"
    app.save(update_fields=["redirect_url", "webhook_url"])

    shop, _ = Shop.objects.get_or_create(
        code=SHOP_CODE,
        defaults={
            "shop_id": _unique(Shop, "shop_id", lambda: random_digits(19)),
            "cipher": _unique(Shop, "cipher", lambda: random_token("ROW_", 30)),
            "name": "Acme US Shop",
            "region": "US",
            "seller_type": "LOCAL",
            "seller_name": "Test Seller",
            "open_id": random_digits(19),
        },
    )
    warehouse, _ = Warehouse.objects.get_or_create(
        shop=shop,
        name="Acme US Warehouse",
        defaults={
            "warehouse_id": _unique(Warehouse, "warehouse_id", lambda: random_digits(19)),
            "is_default": True,
            "address": {
                "region_code": "US",
                "postal_code": "95110",
                "full_address": "1 Warehouse Way, San Jose, CA 95110",
            },
        },
    )
    now = int(time.time())
    for title, skus in CATALOGUE:
        product, _ = Product.objects.get_or_create(
            shop=shop,
            title=title,
            defaults={
                "product_id": _unique(Product, "product_id", lambda: random_digits(19)),
                "create_time": now,
                "update_time": now,
            },
        )
        for seller_sku, sku_name, price in skus:
            sku, _ = Sku.objects.get_or_create(
                product=product,
                seller_sku=seller_sku,
                defaults={
                    "sku_id": _unique(Sku, "sku_id", lambda: random_digits(19)),
                    "sku_name": sku_name,
                    "price": Decimal(price),
                },
            )
            Stock.objects.get_or_create(sku=sku, warehouse=warehouse, defaults={"quantity": INITIAL_STOCK})
    return {
        "name": CONNECTION_NAME,
        "platform": "tiktok_shop",
        "api_base_url": f"{base}/open-api",
        "auth_base_url": f"{base}/auth",
        "authorize_url": f"{base}/services/open/authorize?service_id={app.service_id}",
        "app_key": app.app_key,
        "app_secret": app.app_secret,
    }
