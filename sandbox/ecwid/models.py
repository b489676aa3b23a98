"""State of the emulated Ecwid: stores, apps and tokens, orders, products and their variations.

Everything lives in the database so the web process, the worker and the tests see the same store.
"""

import secrets
import string

from django.db import models

# §2.3 access scopes, verbatim.
ALL_SCOPES = (
    "read_store_profile",
    "update_store_profile",
    "read_store_limits",
    "read_catalog",
    "update_catalog",
    "create_catalog",
    "read_orders",
    "update_orders",
    "create_orders",
    "read_customers",
    "update_customers",
    "create_customers",
    "read_discount_coupons",
    "update_discount_coupons",
    "create_discount_coupons",
    "public_storefront",
    "customize_storefront",
    "add_to_cp",
    "add_shipping_method",
    "add_payment_method",
    "customize_cart_calculation",
)
# What a newly created custom app gets by default (§2.1: "order and product endpoints"; exact set UNVERIFIED).
CUSTOM_APP_SCOPES = (
    "read_store_profile",
    "read_catalog",
    "update_catalog",
    "create_catalog",
    "read_orders",
    "update_orders",
    "create_orders",
)
# §2.1: a public token reads the public catalogue and profile and may create unpaid orders.
PUBLIC_TOKEN_SCOPES = ("read_store_profile", "read_catalog", "create_orders", "public_storefront")

# §4.6, verbatim.
PAYMENT_STATUSES = (
    "AWAITING_PAYMENT",
    "PAID",
    "CANCELLED",
    "REFUNDED",
    "PARTIALLY_REFUNDED",
    "INCOMPLETE",
    "CUSTOM_PAYMENT_STATUS_1",
    "CUSTOM_PAYMENT_STATUS_2",
    "CUSTOM_PAYMENT_STATUS_3",
)
FULFILLMENT_STATUSES = (
    "AWAITING_PROCESSING",
    "PROCESSING",
    "SHIPPED",
    "DELIVERED",
    "WILL_NOT_DELIVER",
    "RETURNED",
    "READY_FOR_PICKUP",
    "OUT_FOR_DELIVERY",
    "CUSTOM_FULFILLMENT_STATUS_1",
    "CUSTOM_FULFILLMENT_STATUS_2",
    "CUSTOM_FULFILLMENT_STATUS_3",
)


def as_id(text: str) -> int | None:
    """A numeric id from a URL or query, or None (also for numbers too big for the database)."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


MAX_ID = 10**18
MAX_QUANTITY = 2**31 - 1


def random_number(digits: int = 9) -> int:
    """Ecwid's ids are large numbers (e.g. 516483487), not a visible sequence."""
    return secrets.randbelow(9 * 10 ** (digits - 1)) + 10 ** (digits - 1)


def random_token(prefix: str, length: int = 32) -> str:
    alphabet = string.ascii_letters + string.digits
    return prefix + "".join(secrets.choice(alphabet) for _ in range(length))


class Store(models.Model):
    class CreateResponseKey(models.TextChoices):
        # §4.2 CONFLICT: sources disagree on the key's casing; old stores answered `{"id": n}` only.
        ORDER_ID = "orderId", '{"id": n, "orderId": "XJ12H"} (current docs)'
        LOWERCASE = "orderid", '{"id": n, "orderid": "XJ12H"} (reference example)'
        NONE = "", '{"id": n} (pre-2020)'

    store_id = models.BigIntegerField(unique=True)
    name = models.CharField(max_length=200)
    account_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField()
    currency = models.CharField(max_length=3, default="USD")
    suspended = models.BooleanField(default=False, help_text="Answer every API call with 402 (§1, §3).")
    order_id_prefix = models.CharField(max_length=20, blank=True, help_text='e.g. "MYSTORE-" (§4.1).')
    order_id_suffix = models.CharField(max_length=20, blank=True)
    search_lag_seconds = models.FloatField(
        default=0.0, help_text="Orders younger than this are not found by search yet (§4.4 index lag)."
    )
    create_response_key = models.CharField(
        max_length=10, choices=CreateResponseKey.choices, default=CreateResponseKey.ORDER_ID, blank=True
    )
    omit_error_bodies = models.BooleanField(
        default=False, help_text="4xx answers carry no JSON body, only the reason phrase (§7.2)."
    )

    class Meta:
        ordering = ["store_id"]

    def __str__(self):
        return f"{self.name} (#{self.store_id})"

    @property
    def store_url(self) -> str:
        return f"https://store{self.store_id}.company.site/products"


class OAuthApp(models.Model):
    """An app registered with Ecwid: what signs webhooks and exchanges codes (§2.4)."""

    name = models.CharField(max_length=200)
    client_id = models.CharField(max_length=100, unique=True)
    client_secret = models.CharField(max_length=200)
    redirect_uri = models.URLField(
        max_length=500, help_text="Registered redirect URL; its domain must match."
    )

    class Meta:
        verbose_name = "OAuth app"

    def __str__(self):
        return self.name


class Token(models.Model):
    class Kind(models.TextChoices):
        SECRET = "secret", "Secret token"
        PUBLIC = "public", "Public token"

    class Source(models.TextChoices):
        OAUTH = "oauth", "OAuth install"
        CUSTOM_APP = "custom_app", "Custom app"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="tokens")
    app = models.ForeignKey(OAuthApp, on_delete=models.CASCADE, null=True, blank=True, related_name="tokens")
    token = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SECRET)
    source = models.CharField(max_length=20, choices=Source.choices)
    scopes = models.TextField(help_text="Space-separated.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.get_kind_display()} for {self.store} ({self.get_source_display()})"

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())


class AuthCode(models.Model):
    """A one-time OAuth code (§2.4 step 2): single use, lives a few minutes."""

    app = models.ForeignKey(OAuthApp, on_delete=models.CASCADE)
    store = models.ForeignKey(Store, on_delete=models.CASCADE)
    code = models.CharField(max_length=100, unique=True)
    scopes = models.TextField()
    redirect_uri = models.URLField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)
    token = models.ForeignKey(Token, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    public_token = models.ForeignKey(
        Token, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self):
        return f"Code for {self.app} on {self.store}"


class Order(models.Model):
    """An order as Ecwid keeps it: the payload as sent plus the read-only fields Ecwid computes."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="orders")
    order_id = models.CharField(max_length=60)
    internal_id = models.BigIntegerField(unique=True)
    payload = models.JSONField()
    # Copies of payload fields for filtering and searching (kept in step by `save_payload`).
    email = models.CharField(max_length=254, blank=True)
    payment_status = models.CharField(max_length=40)
    fulfillment_status = models.CharField(max_length=40)
    external_transaction_id = models.CharField(max_length=255, blank=True, db_index=True)
    total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    search_text = models.TextField(blank=True)
    created_at = models.DateTimeField(help_text="createDate (may be back-dated by the sender).")
    updated_at = models.DateTimeField()
    inserted_at = models.DateTimeField(help_text="When the API received it (drives the search lag).")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["store", "order_id"], name="sandbox_ecwid_order_id")]
        indexes = [models.Index(fields=["store", "created_at"])]

    def __str__(self):
        return self.order_id


class Product(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="products")
    product_id = models.BigIntegerField(unique=True)
    sku = models.CharField(max_length=100)
    name = models.CharField(max_length=200)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    quantity = models.IntegerField(default=0)
    unlimited = models.BooleanField(default=False)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.name} ({self.sku})"


class Combination(models.Model):
    """A variation of a product (§5.4); without its own SKU it shares the product's stock."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="combinations")
    combination_id = models.BigIntegerField(unique=True)
    combination_number = models.PositiveIntegerField()
    sku = models.CharField(max_length=100, blank=True)
    options = models.JSONField(default=list, help_text='[{"name": "Color", "value": "Black"}, …]')
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    quantity = models.IntegerField(default=0)
    unlimited = models.BooleanField(default=False)

    class Meta:
        ordering = ["product", "combination_number"]

    def __str__(self):
        return self.sku or f"Variation {self.combination_number} of {self.product}"

    @property
    def option_text(self) -> str:
        return ", ".join(str(o.get("value", "")) for o in self.options)
