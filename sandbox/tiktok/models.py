"""State of the emulated TikTok Shop: the partner app, the seller's shop, catalogue, tokens, orders.

Ids are strings of digits like the real ones (§3.3 of the API spec: all ids are 64-bit strings);
times that the API shows are unix seconds, token lifetimes absolute datetimes so tests can age them.
"""

import datetime as dt
import secrets
import string

from django.db import models
from django.utils import timezone


def random_digits(length: int) -> str:
    """A random id of `length` digits, never starting with 0 (ids look like 64-bit integers)."""
    return str(secrets.randbelow(9) + 1) + "".join(secrets.choice(string.digits) for _ in range(length - 1))


def random_token(prefix: str, length: int = 48) -> str:
    alphabet = string.ascii_letters + string.digits + "-_"
    return prefix + "".join(secrets.choice(alphabet) for _ in range(length))


class App(models.Model):
    """A Partner Center app: what the seller authorizes and what signs every request."""

    name = models.CharField(max_length=100)
    app_key = models.CharField(max_length=64, unique=True)
    app_secret = models.CharField(max_length=128)
    service_id = models.CharField(max_length=32, unique=True, help_text="Used in the authorization link.")
    redirect_url = models.CharField(max_length=500, help_text="Fixed in the app settings (spec §2.1).")
    webhook_url = models.CharField(max_length=500, blank=True)
    scopes = models.JSONField(default=list, blank=True, help_text="Scopes granted on authorization.")

    def __str__(self):
        return f"{self.name} ({self.app_key})"


class Shop(models.Model):
    """A seller's shop. The seller (one per sandbox) is described by the seller_* fields."""

    shop_id = models.CharField(max_length=32, unique=True)
    cipher = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=100)
    region = models.CharField(max_length=10, default="US")
    code = models.CharField(max_length=32, unique=True)
    seller_type = models.CharField(max_length=20, default="LOCAL")
    seller_name = models.CharField(max_length=100, default="Test Seller")
    open_id = models.CharField(max_length=32, default="", blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.name} ({self.region})"

    def as_api(self) -> dict:
        return {
            "id": self.shop_id,
            "name": self.name,
            "region": self.region,
            "seller_type": self.seller_type,
            "cipher": self.cipher,
            "code": self.code,
        }


class Warehouse(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="warehouses")
    warehouse_id = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    effect_status = models.CharField(max_length=20, default="ENABLED")
    type = models.CharField(max_length=30, default="SALES_WAREHOUSE")
    sub_type = models.CharField(max_length=40, default="DOMESTIC_WAREHOUSE")
    is_default = models.BooleanField(default=False)
    address = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name

    def as_api(self) -> dict:
        return {
            "id": self.warehouse_id,
            "entity_id": self.shop.shop_id,
            "name": self.name,
            "effect_status": self.effect_status,
            "type": self.type,
            "sub_type": self.sub_type,
            "is_default": self.is_default,
            "address": self.address,
        }


class Product(models.Model):
    class Status(models.TextChoices):
        DRAFT = "DRAFT"
        PENDING = "PENDING"
        FAILED = "FAILED"
        ACTIVATE = "ACTIVATE"
        SELLER_DEACTIVATED = "SELLER_DEACTIVATED"
        PLATFORM_DEACTIVATED = "PLATFORM_DEACTIVATED"
        FREEZE = "FREEZE"
        DELETED = "DELETED"

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="products")
    product_id = models.CharField(max_length=32, unique=True)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.ACTIVATE)
    create_time = models.PositiveBigIntegerField(default=0)
    update_time = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.title

    def as_api(self) -> dict:
        return {
            "id": self.product_id,
            "title": self.title,
            "status": self.status,
            "create_time": self.create_time,
            "update_time": self.update_time,
            "sales_regions": [self.shop.region],
            "skus": [sku.as_api() for sku in self.skus.all()],
        }


class Sku(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="skus")
    sku_id = models.CharField(max_length=32, unique=True)
    seller_sku = models.CharField(max_length=100, db_index=True)
    sku_name = models.CharField(max_length=100, blank=True, help_text='Variant values, e.g. "Black, M".')
    price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.seller_sku

    @property
    def display_name(self) -> str:
        return f"{self.product.title} — {self.sku_name}" if self.sku_name else self.product.title

    @property
    def total_quantity(self) -> int:
        return sum(s.quantity for s in self.stock.all())

    def as_api(self) -> dict:
        price = f"{self.price:.2f}"
        return {
            "id": self.sku_id,
            "seller_sku": self.seller_sku,
            "price": {"currency": self.currency, "sale_price": price, "tax_exclusive_price": price},
            "inventory": [
                {"warehouse_id": s.warehouse.warehouse_id, "quantity": s.quantity} for s in self.stock.all()
            ],
        }


class Stock(models.Model):
    """Quantity of one SKU in one warehouse (an inventory update sets it absolutely, §7.1)."""

    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="stock")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="stock")
    quantity = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["sku", "warehouse"], name="tts_stock_sku_warehouse")]

    def __str__(self):
        return f"{self.sku} @ {self.warehouse}: {self.quantity}"


class AuthCode(models.Model):
    """An authorization code from the consent page: 30 minutes, single use (§2.1)."""

    code = models.CharField(max_length=100, unique=True)
    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="auth_codes")
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="auth_codes")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Auth code #{self.pk} for {self.shop} ({'used' if self.used_at else 'unused'})"


class Token(models.Model):
    """One access/refresh token pair. A refresh issues a new row and revokes this one."""

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="tokens")
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="tokens")
    access_token = models.CharField(max_length=200, unique=True)
    access_expires_at = models.DateTimeField()
    refresh_token = models.CharField(max_length=200, unique=True)
    refresh_expires_at = models.DateTimeField()
    scopes = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"Token #{self.pk} for {self.shop} ({'revoked' if self.revoked_at else 'active'})"


class Order(models.Model):
    """A buyer's order. `data` is the full order object of the API (§3.3), kept current."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="orders")
    order_id = models.CharField(max_length=32, unique=True)
    status = models.CharField(max_length=30)
    create_time = models.PositiveBigIntegerField()
    update_time = models.PositiveBigIntegerField()
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["-create_time", "-id"]
        indexes = [
            models.Index(fields=["shop", "update_time"], name="tts_order_shop_update"),
            models.Index(fields=["shop", "create_time"], name="tts_order_shop_create"),
        ]

    def __str__(self):
        return self.order_id

    def as_api(self) -> dict:
        data = dict(self.data)
        data["id"] = data.get("id", self.order_id)
        if self.status in ("UNPAID", "ON_HOLD") and isinstance(data.get("recipient_address"), dict):
            # §3.3: the address is unavailable while UNPAID or ON_HOLD.
            data["recipient_address"] = {}
        return data

    @property
    def created_dt(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.create_time, tz=dt.UTC)

    @property
    def updated_dt(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.update_time, tz=dt.UTC)

    @property
    def total_amount(self) -> str:
        payment = self.data.get("payment") if isinstance(self.data, dict) else None
        return str(payment.get("total_amount", "")) if isinstance(payment, dict) else ""


class WebhookDelivery(models.Model):
    """One POST of a webhook to one app, with what came back."""

    app = models.ForeignKey(App, on_delete=models.SET_NULL, null=True, related_name="deliveries")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, null=True, related_name="deliveries")
    event_type = models.CharField(max_length=50, default="ORDER_STATUS_CHANGE")
    target = models.CharField(max_length=500)
    payload = models.TextField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"{self.event_type} to {self.target}: {self.status_code or 'failed'}"

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
