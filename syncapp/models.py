from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models.signals import post_migrate, post_save
from django.dispatch import receiver
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

    def record_failure(self, message: str) -> None:
        """Record a failed call. "Needs re-authorization" sticks until someone authorizes again."""
        stuck = self.status == self.Status.REAUTHORIZE
        self.record_check(False, message, status=self.Status.REAUTHORIZE if stuck else self.Status.ERROR)


class Profile(models.Model):
    """A pairing of one TikTok Shop with one Ecwid store, and the rules for syncing orders between them."""

    class UnknownSku(models.TextChoices):
        TEXT_LINE = "text_line", "Import it as a text line (no product link, no stock change)"
        NEEDS_ATTENTION = "needs_attention", "Stop the order as “needs attention”"

    name = models.CharField(max_length=150, unique=True, help_text="e.g. “[Acme US] TikTok Shop – Ecwid”.")
    source = models.ForeignKey(
        Connection,
        on_delete=models.PROTECT,
        related_name="source_profiles",
        limit_choices_to={"platform": Connection.Platform.TIKTOK_SHOP},
        verbose_name="TikTok Shop connection",
    )
    destination = models.ForeignKey(
        Connection,
        on_delete=models.PROTECT,
        related_name="destination_profiles",
        limit_choices_to={"platform": Connection.Platform.ECWID},
        verbose_name="Ecwid connection",
    )
    is_active = models.BooleanField("active", default=True)

    taken_statuses = models.JSONField(
        blank=True,
        default=list,
        help_text='TikTok statuses that are imported, e.g. ["AWAITING_SHIPMENT", "IN_TRANSIT"]. Blank = '
        "paid orders (AWAITING_SHIPMENT and later). UNPAID is never imported; ON_HOLD waits until TikTok "
        "releases it.",
    )
    earliest_order_date = models.DateTimeField(
        null=True, blank=True, help_text="Orders created before this are skipped. Blank = no limit."
    )
    unknown_sku = models.CharField(
        "unknown SKU", max_length=20, choices=UnknownSku.choices, default=UnknownSku.TEXT_LINE
    )
    payment_status_map = models.JSONField(
        blank=True,
        default=dict,
        help_text='TikTok status → Ecwid payment status, e.g. {"IN_TRANSIT": "PAID"}. Blank = defaults.',
    )
    fulfillment_status_map = models.JSONField(
        blank=True,
        default=dict,
        help_text='TikTok status → Ecwid fulfilment status, e.g. {"IN_TRANSIT": "SHIPPED"}. '
        "Blank = defaults.",
    )
    notify_customer = models.BooleanField(
        default=False,
        help_text="Let Ecwid email the buyer. Off by default: TikTok buyer addresses are relays.",
    )
    inventory_unlimited_quantity = models.PositiveIntegerField(
        "quantity for unlimited stock",
        null=True,
        blank=True,
        validators=[MaxValueValidator(99_999)],
        help_text="Inventory sync: what TikTok Shop gets for an Ecwid item with unlimited stock "
        "(at most 99,999). Blank = such items are skipped.",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def rules(self):
        """The profile's `mapping.MappingRules`; blank fields mean the defaults. ValueError if invalid."""
        from syncapp.sync.mapping import MappingRules

        kwargs = {
            "unknown_sku": self.unknown_sku,
            "notify_customer": self.notify_customer,
            "earliest_create_time": self.earliest_order_date,
            "payment_status_map": self.payment_status_map or {},
            "fulfillment_status_map": self.fulfillment_status_map or {},
        }
        if self.taken_statuses:
            kwargs["taken_statuses"] = frozenset(str(s) for s in self.taken_statuses)
        return MappingRules(**kwargs)

    def clean(self):
        super().clean()
        if self.taken_statuses and not isinstance(self.taken_statuses, list):
            raise ValidationError(
                {"taken_statuses": 'A list of TikTok statuses, e.g. ["AWAITING_SHIPMENT"].'}
            )
        for name in ("payment_status_map", "fulfillment_status_map"):
            if getattr(self, name) and not isinstance(getattr(self, name), dict):
                raise ValidationError({name: "A mapping of TikTok status to Ecwid status."})
        try:
            self.rules()
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class Entity(models.TextChoices):
    """What a task syncs; the labels are the names staff know from the connector's task list."""

    ORDER_DETAIL = "order_detail", "Sales Order Data: Detail"
    SALES_ORDER = "sales_order", "Sales Order"
    # The other direction: one record per seller SKU (syncapp/sync/inventory.py).
    INVENTORY = "inventory", "Inventory"  # Ecwid stock → TikTok Shop: the task title says the direction


class ProfileTask(models.Model):
    """One entity of a profile, run on its own schedule (a django-q2 Schedule named after this row)."""

    class Interval(models.IntegerChoices):
        MIN_1 = 1, "Every minute"
        MIN_5 = 5, "Every 5 minutes"
        MIN_15 = 15, "Every 15 minutes"
        MIN_30 = 30, "Every 30 minutes"
        HOUR_1 = 60, "Every hour"
        HOUR_6 = 360, "Every 6 hours"
        DAY_1 = 1440, "Daily"

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="tasks")
    entity = models.CharField(max_length=20, choices=Entity.choices)
    enabled = models.BooleanField(default=True)
    interval_minutes = models.PositiveIntegerField(
        "interval", choices=Interval.choices, default=Interval.MIN_5
    )
    last_run_at = models.DateTimeField(null=True, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True)
    last_outcome = models.TextField(blank=True)
    last_run_ok = models.BooleanField(null=True)
    # Pull: the update_time (Unix seconds) up to which TikTok has been read; the next window starts a
    # little before it (DESIGN.md "Pull without gaps").
    cursor = models.BigIntegerField(null=True, blank=True, help_text="Pull high-water mark (Unix seconds).")
    # One run of a task at a time: a run takes this lease with a conditional UPDATE.
    running_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["profile", "entity"]
        constraints = [models.UniqueConstraint(fields=["profile", "entity"], name="one_task_per_entity")]

    def __str__(self):
        if self.entity == Entity.INVENTORY:  # the one task that goes the other way
            return f"Ecwid > TikTok Shop: {self.get_entity_display()} ({self.profile})"
        return f"TikTok Shop > Ecwid: {self.get_entity_display()} ({self.profile})"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        from syncapp.sync import schedules

        schedules.sync_schedule(self)

    def delete(self, *args, **kwargs):
        from syncapp.sync import schedules

        schedules.remove_schedule(self)
        return super().delete(*args, **kwargs)

    @property
    def schedule_name(self) -> str:
        return f"profile-task-{self.pk}"


class SyncRecord(models.Model):
    """The ledger: one row per (profile, entity, TikTok order id), carrying everything about its sync."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        IN_PROGRESS = "in_progress", "In progress"
        SUCCESS = "success", "Success"
        FAILED = "failed", "Failed (will retry)"
        NEEDS_ATTENTION = "needs_attention", "Needs attention"
        SKIPPED = "skipped", "Skipped"

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="records")
    entity = models.CharField(max_length=20, choices=Entity.choices)
    source_id = models.CharField("Source ID", max_length=64, help_text="The TikTok order id.")
    destination_id = models.CharField(
        "Destination ID", max_length=64, blank=True, default="", help_text="The Ecwid order id, e.g. XJ12H."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    source_payload = models.JSONField(null=True, blank=True)
    destination_payload = models.JSONField(null=True, blank=True)
    source_status = models.CharField("TikTok status", max_length=32, blank=True)
    source_updated_at = models.BigIntegerField(
        null=True, blank=True, help_text="TikTok update_time (Unix seconds) of the stored payload."
    )
    attempts = models.PositiveIntegerField(default=0)
    error_kind = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    # Claim (DESIGN.md "Exactly once into Ecwid"): a worker owns the row while the lease lasts.
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    lease_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set, and committed, before the create is sent; cleared once the Ecwid id is saved. While set,
    # nobody may create again without first looking in Ecwid for the order.
    create_outcome_unknown = models.BooleanField(default=False)
    create_started_at = models.DateTimeField(null=True, blank=True)

    resync_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resync_requested_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "entity", "source_id"], name="one_record_per_source")
        ]
        indexes = [
            models.Index(fields=["source_id"], name="record_source_id"),
            models.Index(fields=["destination_id"], name="record_destination_id"),
            models.Index(fields=["status", "next_attempt_at"], name="record_due"),
            models.Index(fields=["profile", "entity", "status", "-updated_at"], name="record_list"),
        ]

    def __str__(self):
        return f"{self.get_entity_display()} {self.source_id}"


class SyncAttempt(models.Model):
    """One call made for a record: what was sent, what came back, how it ended."""

    class Outcome(models.TextChoices):
        OK = "ok", "OK"
        ERROR = "error", "Error"
        UNKNOWN = "unknown", "Outcome unknown"

    record = models.ForeignKey(SyncRecord, on_delete=models.CASCADE, related_name="attempt_rows")
    started_at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=32)
    request = models.JSONField(null=True, blank=True)
    response = models.JSONField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    error_kind = models.CharField(max_length=32, blank=True)
    message = models.TextField(blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["record", "-started_at"], name="attempt_by_record")]

    def __str__(self):
        return f"{self.action} {self.get_outcome_display()}"


class WebhookEvent(models.Model):
    """A TikTok webhook delivery, kept once per tts_notification_id (deliveries are at least once, §6.1)."""

    notification_id = models.CharField(max_length=64, unique=True)
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="webhook_events")
    event_type = models.IntegerField(null=True)
    order_id = models.CharField(max_length=64, blank=True, db_index=True)
    order_status = models.CharField(max_length=32, blank=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    # Reading the order failed for a passing reason this many times (each retried on a schedule).
    read_retries = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"Webhook {self.notification_id}"


class ProductMatchCache(models.Model):
    """Seller SKU → Ecwid product (or “not in the store”), so a steady stream of orders costs no lookups."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="product_matches")
    sku = models.CharField("SKU", max_length=200)
    found = models.BooleanField(default=False)
    product_id = models.BigIntegerField(null=True, blank=True)
    combination_id = models.BigIntegerField(null=True, blank=True)
    name = models.CharField(max_length=500, blank=True)
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connection", "sku"], name="one_match_per_sku")]

    def __str__(self):
        return f"{self.sku} → {self.product_id or 'not found'}"


@receiver(post_save, sender=Profile)
def _create_profile_tasks(sender, instance: Profile, created: bool, raw: bool = False, **kwargs):
    """Every profile has one task per entity; saving it also re-syncs their schedules (active flag).

    Inventory starts switched off: it writes to the merchant's TikTok stock, so they opt in.
    """
    if raw:
        return
    for entity in Entity:
        task, task_created = ProfileTask.objects.get_or_create(
            profile=instance,
            entity=entity,
            defaults={
                "interval_minutes": ProfileTask.Interval.MIN_1 if entity == Entity.SALES_ORDER else 5,
                "enabled": entity != Entity.INVENTORY,
            },
        )
        if not task_created:
            task.save()


@receiver(post_migrate)
def _ensure_periodic_schedules(sender, app_config=None, **kwargs):
    if app_config is None or app_config.label != "syncapp":
        return
    from syncapp.sync import schedules

    schedules.ensure_token_refresh_schedule()
