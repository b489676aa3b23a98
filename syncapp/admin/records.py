"""Admin for profiles and the sync ledger: what happened to order X, and the buttons to act on it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django_q.tasks import async_task

from syncapp import tasks
from syncapp.models import Entity, Profile, ProfileTask, SyncAttempt, SyncRecord, WebhookEvent

STATUS_COLOURS = {
    SyncRecord.Status.SUCCESS: "#1e7e34",
    SyncRecord.Status.PENDING: "#6c757d",
    SyncRecord.Status.IN_PROGRESS: "#0b5ed7",
    SyncRecord.Status.FAILED: "#b35c00",
    SyncRecord.Status.NEEDS_ATTENTION: "#b3261e",
    SyncRecord.Status.SKIPPED: "#6c757d",
}


def pretty_json(value) -> str:
    if value in (None, "", {}, []):
        return "—"
    return format_html(
        '<pre style="white-space:pre-wrap;max-height:40em;overflow:auto;margin:0">{}</pre>',
        json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str),
    )


# ---------------------------------------------------------------------------------------------------
# Profiles


class ProfileTaskInline(admin.TabularInline):
    model = ProfileTask
    extra = 0
    can_delete = False
    max_num = len(Entity)
    fields = [
        "entity",
        "enabled",
        "interval_minutes",
        "last_run_at",
        "next_run_at",
        "last_outcome",
        "cursor_at",
    ]
    readonly_fields = ["entity", "last_run_at", "next_run_at", "last_outcome", "cursor_at"]

    def has_add_permission(self, request, obj=None):
        return False  # one task per entity is created with the profile

    @admin.display(description="Read up to")
    def cursor_at(self, task):
        if not task.cursor:
            return "—"
        return datetime.fromtimestamp(task.cursor, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


class BackfillActionForm(ActionForm):
    since = forms.DateField(
        required=False,
        label="From date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="For “Backfill from date”.",
    )


def _profiles(count: int) -> str:
    return "1 profile" if count == 1 else f"{count} profiles"


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "source", "destination", "is_active", "records_needing_attention", "updated_at"]
    list_filter = ["is_active", "source", "destination"]
    search_fields = ["name"]
    inlines = [ProfileTaskInline]
    actions = ["run_now", "backfill"]
    action_form = BackfillActionForm
    fieldsets = [
        (None, {"fields": ["name", "source", "destination", "is_active"]}),
        (
            "Rules",
            {
                "fields": [
                    "taken_statuses",
                    "earliest_order_date",
                    "unknown_sku",
                    "payment_status_map",
                    "fulfillment_status_map",
                    "notify_customer",
                ]
            },
        ),
        ("Inventory (Ecwid stock → TikTok Shop)", {"fields": ["inventory_unlimited_quantity"]}),
    ]

    def get_urls(self):
        return [
            path(
                "<int:pk>/run-now/",
                self.admin_site.admin_view(self.run_now_view),
                name="syncapp_profile_run_now",
            ),
            path(
                "<int:pk>/backfill/",
                self.admin_site.admin_view(self.backfill_view),
                name="syncapp_profile_backfill",
            ),
            *super().get_urls(),
        ]

    def run_now_view(self, request, pk):
        """The "Run now" button of a profile's own page: the list action, for this one profile."""
        return self._act_on_one(request, pk, self.run_now)

    def backfill_view(self, request, pk):
        return self._act_on_one(request, pk, self.backfill)

    def _act_on_one(self, request, pk, action):
        profile = get_object_or_404(Profile, pk=pk)
        if request.method == "POST" and self.has_change_permission(request, profile):
            action(request, Profile.objects.filter(pk=profile.pk))
        return HttpResponseRedirect(reverse("admin:syncapp_profile_change", args=[profile.pk]))

    @admin.display(description="Needs attention")
    def records_needing_attention(self, profile):
        return profile.records.filter(status=SyncRecord.Status.NEEDS_ATTENTION).count()

    @admin.action(description="Run now")
    def run_now(self, request, queryset):
        for profile in queryset:
            async_task("syncapp.tasks.run_profile", profile.pk)
        self.message_user(request, f"Queued {_profiles(queryset.count())} to run now.", messages.SUCCESS)

    @admin.action(description="Backfill from date")
    def backfill(self, request, queryset):
        try:
            since_date = BackfillActionForm.base_fields["since"].clean(request.POST.get("since"))
        except forms.ValidationError:
            since_date = None
        if not since_date:
            self.message_user(request, "Pick a “From date” first, then run the backfill.", messages.ERROR)
            return
        since = int(datetime(since_date.year, since_date.month, since_date.day, tzinfo=UTC).timestamp())
        for profile in queryset:
            async_task("syncapp.tasks.run_profile", profile.pk, since=since)
        self.message_user(
            request,
            f"Queued {_profiles(queryset.count())} to read every TikTok order updated since "
            f"{since_date:%d %b %Y}.",
            messages.SUCCESS,
        )


# ---------------------------------------------------------------------------------------------------
# The ledger


class AttemptPayloads:
    """What an attempt sent and what came back, readable."""

    @admin.display(description="Sent")
    def sent(self, attempt):
        return pretty_json(attempt.request)

    @admin.display(description="Came back")
    def received(self, attempt):
        return pretty_json(attempt.response)


class SyncAttemptInline(AttemptPayloads, admin.TabularInline):
    model = SyncAttempt
    extra = 0
    can_delete = False
    fields = ["started_at", "action", "outcome", "http_status", "duration_ms", "message", "sent", "received"]
    readonly_fields = fields
    ordering = ["-started_at", "-id"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SyncRecord)
class SyncRecordAdmin(admin.ModelAdmin):
    list_display = [
        "source_id",
        "destination_id",
        "entity",
        "status_badge",
        "source_status",
        "reason",
        "attempts",
        "profile",
        "updated_at",
    ]
    list_filter = ["profile", "entity", "status", "error_kind", ("updated_at", admin.DateFieldListFilter)]
    # "=" makes these exact lookups, which the source/destination id indexes answer at a million rows.
    search_fields = ["=source_id", "=destination_id"]
    search_help_text = "Exact TikTok order id (Source ID) or Ecwid order id (Destination ID)."
    list_select_related = ["profile"]
    show_full_result_count = False
    list_per_page = 50
    actions = ["resync_selected"]
    inlines = [SyncAttemptInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "profile",
                    "entity",
                    "source_id",
                    "destination_id",
                    "status_badge",
                    "source_status",
                    "last_error",
                    "error_kind",
                    "attempts",
                    "next_attempt_at",
                    "synced_at",
                ]
            },
        ),
        (
            "Payloads",
            {"fields": ["source_payload_pretty", "destination_payload_pretty"]},
        ),
        (
            "Bookkeeping",
            {
                "classes": ["collapse"],
                "fields": [
                    "source_updated_at",
                    "create_outcome_unknown",
                    "create_started_at",
                    "lease_expires_at",
                    "resync_requested_by",
                    "resync_requested_at",
                    "created_at",
                    "updated_at",
                ],
            },
        ),
    ]
    # Everything shown is read-only but the Destination ID, which staff clear to have an order made again.
    readonly_fields = [
        name for _, options in fieldsets for name in options["fields"] if name != "destination_id"
    ]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Status", ordering="status")
    def status_badge(self, record):
        return format_html(
            '<span class="badge" style="background:{};color:#fff;padding:2px 6px;border-radius:3px">'
            "{}</span>",
            STATUS_COLOURS.get(record.status, "#6c757d"),
            record.get_status_display(),
        )

    @admin.display(description="Reason / last error")
    def reason(self, record):
        text = record.last_error or ""
        return text if len(text) <= 120 else text[:117] + "…"

    @admin.display(description="TikTok order (source payload)")
    def source_payload_pretty(self, record):
        return pretty_json(record.source_payload)

    @admin.display(description="Ecwid order (destination payload)")
    def destination_payload_pretty(self, record):
        return pretty_json(record.destination_payload)

    @admin.action(description="Resync selected")
    def resync_selected(self, request, queryset):
        count = tasks.queue_resync(list(queryset.values_list("pk", flat=True)), user=request.user)
        self.message_user(
            request,
            f"Queued {count} record(s) to sync again (requested by {request.user} at "
            f"{timezone.now():%H:%M:%S UTC}).",
            messages.SUCCESS,
        )


@admin.register(SyncAttempt)
class SyncAttemptAdmin(AttemptPayloads, admin.ModelAdmin):
    list_display = ["started_at", "record", "action", "outcome", "http_status", "duration_ms", "message"]
    list_filter = ["action", "outcome", "error_kind"]
    search_fields = ["=record__source_id", "=record__destination_id"]
    list_select_related = ["record"]
    show_full_result_count = False
    readonly_fields = [
        "record",
        "started_at",
        "action",
        "outcome",
        "error_kind",
        "message",
        "http_status",
        "duration_ms",
        "sent",
        "received",
    ]
    exclude = ["request", "response"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ["received_at", "notification_id", "order_id", "order_status", "processed_at", "outcome"]
    list_filter = ["event_type", "connection"]
    search_fields = ["=notification_id", "=order_id"]
    readonly_fields = [
        "notification_id",
        "connection",
        "event_type",
        "order_id",
        "order_status",
        "received_at",
        "processed_at",
        "outcome",
        "payload_pretty",
    ]
    exclude = ["payload"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Payload")
    def payload_pretty(self, event):
        return pretty_json(event.payload)
