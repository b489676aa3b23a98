from django.db import models
from django.utils import timezone

from syncapp.fields import EncryptedTextField


class Connection(models.Model):
    """One authorized account on one platform: a TikTok Shop (seller + shop) or an Ecwid store.

    The base URLs are what point a connection at the real hosts or at our sandbox; nothing else
    differs between the two.
    """

    class Platform(models.TextChoices):
        TIKTOK_SHOP = "tiktok_shop", "TikTok Shop"
        ECWID = "ecwid", "Ecwid"

    class Status(models.TextChoices):
        NEW = "new", "Not connected yet"
        OK = "ok", "Connected"
        ERROR = "error", "Last check failed"
        REAUTHORIZE = "reauthorize", "Needs re-authorization"

    platform = models.CharField(max_length=20, choices=Platform.choices)
    name = models.CharField(max_length=100, unique=True)

    api_base_url = models.URLField(
        "API base URL",
        help_text="TikTok Shop: https://open-api.tiktokglobalshop.com — Ecwid: https://app.ecwid.com/api/v3",
    )
    auth_base_url = models.URLField(
        "Auth base URL",
        help_text="TikTok Shop: https://auth.tiktok-shops.com — Ecwid: https://my.ecwid.com",
    )
    authorize_url = models.URLField(
        "Authorization page URL",
        blank=True,
        help_text="Where the merchant approves the app. TikTok Shop: the authorization link copied from "
        "Partner Center (…/open/authorize?service_id=…). Ecwid: https://my.ecwid.com/api/oauth/authorize",
    )
    app_key = models.CharField(
        "App key / client id", max_length=200, blank=True, help_text="TikTok Shop app key or Ecwid client_id."
    )
    app_secret = EncryptedTextField(
        "App secret / client secret", blank=True, help_text="Stored encrypted; never shown again."
    )

    access_token = EncryptedTextField(blank=True)
    access_token_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_token = EncryptedTextField(blank=True)
    refresh_token_expires_at = models.DateTimeField(null=True, blank=True)
    scopes = models.TextField(blank=True)

    # TikTok Shop: the shop this connection syncs (from Get Authorized Shops).
    shop_id = models.CharField(max_length=64, blank=True, db_index=True)
    shop_cipher = models.CharField(max_length=200, blank=True)
    shop_name = models.CharField(max_length=200, blank=True)
    shop_region = models.CharField(max_length=10, blank=True)
    # Ecwid: the store id (part of every API path).
    store_id = models.CharField(max_length=32, blank=True)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_check_message = models.TextField(blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_tiktok(self) -> bool:
        return self.platform == self.Platform.TIKTOK_SHOP

    @property
    def is_ecwid(self) -> bool:
        return self.platform == self.Platform.ECWID

    def record_check(self, ok: bool, message: str, *, status: str | None = None) -> None:
        """Save the outcome of a check or an authorization on the row, for the admin to show."""
        self.status = status or (self.Status.OK if ok else self.Status.ERROR)
        self.last_checked_at = timezone.now()
        self.last_check_message = message
        self.save(update_fields=["status", "last_checked_at", "last_check_message", "updated_at"])
