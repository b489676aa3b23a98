"""Connection admin: masked secrets, Authorize (OAuth redirect flow) and Test connection."""

import secrets

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timeuntil

from syncapp import connections
from syncapp.forms import ConnectionForm
from syncapp.models import Connection
from syncapp.platforms.http import PlatformError

OAUTH_SESSION_KEY = "oauth_states"

STATUS_COLOURS = {
    Connection.Status.OK: "#1e7e34",
    Connection.Status.ERROR: "#b3261e",
    Connection.Status.REAUTHORIZE: "#b3261e",
    Connection.Status.NEW: "#6c757d",
}


def status_badge(conn: Connection):
    return format_html(
        '<span class="badge" style="background:{}">{}</span>',
        STATUS_COLOURS.get(conn.status, "#6c757d"),
        conn.get_status_display(),
    )


def token_expiry(conn: Connection):
    """When the access token expires, loud once it is within a day."""
    if not conn.access_token:
        return "no token"
    if not conn.access_token_expires_at:
        return "does not expire"
    now = timezone.now()
    if conn.access_token_expires_at <= now:
        return format_html('<strong class="danger">expired</strong>')
    text = f"in {timeuntil(conn.access_token_expires_at, now)}"
    if (conn.access_token_expires_at - now).total_seconds() < 86400:
        return format_html('<strong class="danger">{}</strong>', text)
    return text


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    form = ConnectionForm
    list_display = ["name", "platform", "status_display", "account", "token_display", "last_check_message"]
    list_filter = ["platform", "status"]
    search_fields = ["name", "shop_name", "shop_id", "store_id"]
    actions = ["test_selected"]
    readonly_fields = [
        "status_display",
        "last_checked_at",
        "last_check_message",
        "shop_cipher",
        "shop_name",
        "shop_region",
        "scopes",
        "token_display",
        "refresh_token_display",
    ]
    fieldsets = [
        (None, {"fields": ["platform", "name"]}),
        ("Status", {"fields": ["status_display", "last_checked_at", "last_check_message"]}),
        ("App credentials", {"fields": ["app_key", "app_secret"]}),
        (
            "Account",
            {"fields": ["shop_id", "shop_name", "shop_region", "shop_cipher", "store_id", "scopes"]},
        ),
        (
            "Tokens",
            {"fields": ["access_token", "token_display", "refresh_token_display", "clear_access_token"]},
        ),
        ("Endpoints", {"fields": ["api_base_url", "auth_base_url", "authorize_url"]}),
    ]

    @admin.display(description="Status", ordering="status")
    def status_display(self, conn):
        return status_badge(conn)

    @admin.display(description="Shop / store")
    def account(self, conn):
        if conn.is_tiktok:
            return f"{conn.shop_name} ({conn.shop_region})" if conn.shop_name else "—"
        return f"#{conn.store_id}" if conn.store_id else "—"

    @admin.display(description="Access token expires")
    def token_display(self, conn):
        return token_expiry(conn)

    @admin.display(description="Refresh token")
    def refresh_token_display(self, conn):
        if not conn.refresh_token:
            return "none"
        if conn.refresh_token_expires_at:
            return (
                f"stored, valid until {timezone.localtime(conn.refresh_token_expires_at):%d %b %Y %H:%M %Z}"
            )
        return "stored"

    def get_urls(self):
        return [
            path(
                "<int:pk>/authorize/",
                self.admin_site.admin_view(self.authorize_view),
                name="syncapp_connection_authorize",
            ),
            path(
                "<int:pk>/test/", self.admin_site.admin_view(self.test_view), name="syncapp_connection_test"
            ),
            *super().get_urls(),
        ]

    def authorize_view(self, request, pk):
        """Start the OAuth redirect flow; the callback (syncapp.views.oauth_callback) finishes it."""
        conn = get_object_or_404(Connection, pk=pk)
        if not self.has_change_permission(request, conn):
            return HttpResponseRedirect(reverse("admin:index"))
        state = secrets.token_urlsafe(24)
        request.session.setdefault(OAUTH_SESSION_KEY, {})[state] = conn.pk
        request.session.modified = True
        redirect_uri = request.build_absolute_uri(reverse("syncapp:oauth-callback", args=[conn.platform]))
        try:
            url = connections.authorization_url(conn, redirect_uri=redirect_uri, state=state)
        except PlatformError as exc:
            self.message_user(request, connections.platform_module(conn).explain(exc), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:syncapp_connection_change", args=[conn.pk]))
        if not url:
            self.message_user(
                request, "Set the authorization page URL of this connection first.", messages.ERROR
            )
            return HttpResponseRedirect(reverse("admin:syncapp_connection_change", args=[conn.pk]))
        return HttpResponseRedirect(url)

    def test_view(self, request, pk):
        conn = get_object_or_404(Connection, pk=pk)
        if request.method == "POST" and self.has_change_permission(request, conn):
            self._test(request, conn)
        return HttpResponseRedirect(reverse("admin:syncapp_connection_change", args=[conn.pk]))

    @admin.action(description="Test selected connections")
    def test_selected(self, request, queryset):
        for conn in queryset:
            self._test(request, conn)

    def _test(self, request, conn):
        ok, message = connections.test_connection(conn)
        self.message_user(request, f"{conn.name}: {message}", messages.SUCCESS if ok else messages.ERROR)
