"""Seed the emulated Ecwid: store 1003 "Acme US Store", the portal's OAuth app, a custom app's tokens, and
the shared catalogue (same seller SKUs as the TikTok sandbox, 100 in stock each). Idempotent: stock,
orders and tokens that exist are kept; the app's redirect URL follows the portal URL."""

import secrets
from decimal import Decimal

from sandbox.ecwid.models import (
    CUSTOM_APP_SCOPES,
    PUBLIC_TOKEN_SCOPES,
    Combination,
    OAuthApp,
    Product,
    Store,
    Token,
    random_number,
    random_token,
)

STORE_ID = 1003
CLIENT_ID = "sandbox-ecwid-app"
CALLBACK_PATH = "/oauth/ecwid/callback/"
STOCK = 100

# (product SKU, name, price, variations [(SKU, {option: value})])
CATALOGUE = [
    (
        "TSHIRT",
        "Classic T-shirt",
        "19.99",
        [
            ("TSHIRT-BLK-M", {"Color": "Black", "Size": "M"}),
            ("TSHIRT-WHT-L", {"Color": "White", "Size": "L"}),
        ],
    ),
    ("MUG-12OZ", "Ceramic Mug 12 oz", "14.50", []),
    ("CAP-NAVY", "Baseball Cap — Navy", "24.00", []),
    ("BOTTLE-750", "Steel Water Bottle 750 ml", "29.95", []),
    ("TOTE-CANVAS", "Canvas Tote Bag", "17.00", []),
]


def _unique_number(model, field: str) -> int:
    while True:
        number = random_number()
        if not model.objects.filter(**{field: number}).exists():
            return number


def seed_catalogue(store: Store) -> None:
    for sku, name, price, variations in CATALOGUE:
        product, _ = Product.objects.get_or_create(
            store=store,
            sku=sku,
            defaults={
                "product_id": _unique_number(Product, "product_id"),
                "name": name,
                "price": Decimal(price),
                "quantity": STOCK,
            },
        )
        for number, (variation_sku, options) in enumerate(variations, start=1):
            Combination.objects.get_or_create(
                product=product,
                sku=variation_sku,
                defaults={
                    "combination_id": _unique_number(Combination, "combination_id"),
                    "combination_number": number,
                    "options": [{"name": k, "value": v} for k, v in options.items()],
                    "quantity": STOCK,
                },
            )


def seed(portal_url: str) -> dict:
    """Create what is missing and return the portal Connection's fields for this store."""
    portal_url = portal_url.rstrip("/")
    store, _ = Store.objects.get_or_create(
        store_id=STORE_ID,
        defaults={"name": "Acme US Store", "account_name": "Acme US", "email": "owner@acme-us.example"},
    )
    app, _ = OAuthApp.objects.get_or_create(
        client_id=CLIENT_ID,
        defaults={
            "name": "Order Sync Portal",
            # Random on first seed and kept in the sandbox database: never a literal in the repo.
            "client_secret": secrets.token_urlsafe(32),
            "redirect_uri": portal_url + CALLBACK_PATH,
        },
    )
    if app.redirect_uri != portal_url + CALLBACK_PATH:
        app.redirect_uri = portal_url + CALLBACK_PATH
        app.save(update_fields=["redirect_uri"])
    custom = store.tokens.filter(source=Token.Source.CUSTOM_APP, active=True)
    for kind, prefix, scopes in (
        (Token.Kind.SECRET, "secret_", CUSTOM_APP_SCOPES),
        (Token.Kind.PUBLIC, "public_", PUBLIC_TOKEN_SCOPES),
    ):
        if not custom.filter(kind=kind).exists():
            Token.objects.create(
                store=store,
                token=random_token(prefix),
                kind=kind,
                source=Token.Source.CUSTOM_APP,
                scopes=" ".join(scopes),
            )
    seed_catalogue(store)
    return {
        "name": "[Acme US] Ecwid store (sandbox)",
        "platform": "ecwid",
        "api_base_url": f"{portal_url}/sandbox/ecwid/api/v3",
        "auth_base_url": f"{portal_url}/sandbox/ecwid/my",
        "authorize_url": f"{portal_url}/sandbox/ecwid/my/api/oauth/authorize",
        "app_key": app.client_id,
        "app_secret": app.client_secret,
        "store_id": str(store.store_id),
    }
