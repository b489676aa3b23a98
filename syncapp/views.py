"""The portal's own pages, for staff: dashboard, the two record lists, a record, the live comparison.

They render inside the Django admin's frame (`admin.site.each_context`, templates extending
`admin/base_site.html`), so the portal and the admin are one product with one login.
"""

from __future__ import annotations

import functools
import json
from datetime import UTC, datetime, timedelta

from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.db.models.functions import TruncDay, TruncHour
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export.views import ExportMixin
from django_tables2.paginators import LazyPaginator

from syncapp import tasks
from syncapp.filters import RecordFilter
from syncapp.models import Connection, Entity, Profile, SyncAttempt, SyncRecord
from syncapp.platforms.http import PlatformError
from syncapp.sync import orders
from syncapp.sync.compare import compare_orders
from syncapp.sync.mapping import MappingRules
from syncapp.tables import ERROR_KIND_LABELS, OrderDetailTable, SalesOrderTable, status_badge

Status = SyncRecord.Status

# A token this close to expiry is shown as a warning on the dashboard, before it stops the sync.
TOKEN_WARNING = timedelta(days=2)
# A CSV export holds at most this many rows (tablib builds the file in memory).
EXPORT_MAX_ROWS = 100_000
# The filters folded under "More filters" (the id search stays in view).
MORE_FILTERS = ("profile", "status", "error_kind", "updated_from", "updated_to")
# The dashboard's counts by status are this many seconds old at most.
COUNTS_CACHE_SECONDS = 30
COUNTS_CACHE_KEY = "portal:dashboard:status-counts"
# A bulk resync acts on at most one page of selected rows.
RESYNC_MAX_IDS = 500


# ---------------------------------------------------------------------------------------------------
# Access: anonymous → the admin login page; signed in but not staff → 403


def _refuse_non_staff(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if not (request.user.is_active and request.user.is_staff):
        raise PermissionDenied("Only staff can see the portal.")
    return None


def staff_required(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        return _refuse_non_staff(request) or view(request, *args, **kwargs)

    return wrapped


class StaffRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        return _refuse_non_staff(request) or super().dispatch(request, *args, **kwargs)


def page_context(request, title: str, **extra) -> dict:
    """The admin's frame (header, user tools, colours) plus this page's title."""
    return {**admin.site.each_context(request), "title": title, "is_nav_sidebar_enabled": False, **extra}


# ---------------------------------------------------------------------------------------------------
# Dashboard


def _status_counts() -> dict[int, dict[str, dict[str, int]]]:
    """{profile id: {entity: {status: count}}}, one GROUP BY over the (profile, entity, status) index.

    COUNT(*), not COUNT(id): only then can PostgreSQL answer from the index alone. At a million rows
    it still reads the whole index (~0.3–0.4 s, bench/lists.py), so the result is kept briefly.
    """
    counts = cache.get(COUNTS_CACHE_KEY)
    if counts is not None:
        return counts
    counts = {}
    rows = SyncRecord.objects.order_by().values_list("profile_id", "entity", "status").annotate(n=Count("*"))
    for profile_id, entity, status, n in rows:
        counts.setdefault(profile_id, {}).setdefault(entity, {})[status] = n
    cache.set(COUNTS_CACHE_KEY, counts, COUNTS_CACHE_SECONDS)
    return counts


def _synced_series(period: str) -> tuple[list[dict], str]:
    """Orders created or updated in Ecwid per hour (last 24 h) or per day (last 30 days)."""
    now = timezone.now()
    if period == "day":
        start = (now - timedelta(days=29)).replace(hour=0, minute=0, second=0, microsecond=0)
        step, trunc, label_format = timedelta(days=1), TruncDay, "%d %b"
    else:
        start = (now - timedelta(hours=23)).replace(minute=0, second=0, microsecond=0)
        step, trunc, label_format = timedelta(hours=1), TruncHour, "%H:00"
    # updated_at >= synced_at on every row (both are set by the same write), so the extra condition
    # changes nothing but lets the database answer from the updated_at index instead of a full scan.
    # The status is counted, not filtered on: in the WHERE clause it would tempt SQLite's planner
    # into the (status, next_attempt_at) index, which holds most of the table under "success".
    rows = (
        SyncRecord.objects.filter(entity=Entity.SALES_ORDER, synced_at__gte=start, updated_at__gte=start)
        .order_by()
        .annotate(bucket=trunc("synced_at"))
        .values_list("bucket")
        .annotate(n=Count("id", filter=Q(status=Status.SUCCESS)))
    )
    by_bucket = {bucket: n for bucket, n in rows}
    buckets = []
    moment = start
    while moment <= now:
        buckets.append(
            {"start": moment, "label": moment.strftime(label_format), "n": by_bucket.get(moment, 0)}
        )
        moment += step
    return buckets, "per hour, last 24 hours" if period != "day" else "per day, last 30 days"


def _chart(buckets: list[dict], width: int = 720, height: int = 140) -> dict:
    """Bar geometry for a server-rendered SVG (no JavaScript, nothing from a CDN).

    The SVG stretches to the page's width, so it holds only the bars: text inside it would stretch
    too (wide at laptop width, squeezed at phone width). The numbers and hour labels are HTML placed
    at the same percentages (`left`, `bottom`) over and under it.
    """
    top = max((b["n"] for b in buckets), default=0) or 1
    head = 16  # room above the tallest bar for its number
    slot = width / max(len(buckets), 1)
    bars = []
    for i, bucket in enumerate(buckets):
        h = round((height - head) * bucket["n"] / top, 1)
        bars.append(
            {
                **bucket,
                "x": round(i * slot + 1, 1),
                "w": round(max(slot - 2, 1), 1),
                "y": round(height - h, 1),
                "h": h,
                "show_label": i % max(len(buckets) // 8, 1) == 0,
                "left_pct": round((i * slot + slot / 2) * 100 / width, 2),
                "bottom_pct": round(h * 100 / height, 2),
            }
        )
    return {"bars": bars, "width": width, "height": height, "top": top}


def _token_health(conn: Connection, now) -> dict:
    if not conn.access_token:
        return {"level": "bad", "text": "No token yet: authorize this connection."}
    expires = conn.access_token_expires_at
    if expires is None:
        return {"level": "ok", "text": "Token does not expire."}
    if expires <= now:
        if conn.refresh_token and (conn.refresh_token_expires_at or now) > now:
            return {"level": "warn", "text": "Access token expired; it is refreshed before the next call."}
        return {"level": "bad", "text": "Token expired: authorize again."}
    left = expires - now
    refresh_expires = conn.refresh_token_expires_at
    if refresh_expires and refresh_expires - now < TOKEN_WARNING:
        return {
            "level": "bad",
            "text": f"The refresh token expires {timezone.localtime(refresh_expires):%d %b %H:%M %Z}: "
            "authorize again before then.",
        }
    if left < TOKEN_WARNING and not conn.refresh_token:
        return {"level": "warn", "text": f"Token expires {timezone.localtime(expires):%d %b %H:%M %Z}."}
    return {"level": "ok", "text": f"Token valid until {timezone.localtime(expires):%d %b %Y %H:%M %Z}."}


@staff_required
def dashboard(request):
    """Profiles and their tasks, counts, what needs attention, orders synced over time, connections."""
    now = timezone.now()
    counts = _status_counts()
    profiles = []
    for profile in Profile.objects.select_related("source", "destination").prefetch_related("tasks"):
        by_entity = counts.get(profile.pk, {})
        tasks = []
        # The order tasks first, in the order the seed guide walks them; then the other direction.
        ordered = sorted(profile.tasks.all(), key=lambda t: (t.entity not in ORDER_ENTITIES, t.entity))
        for task in ordered:
            entity_counts = by_entity.get(task.entity, {})
            tasks.append(
                {
                    "task": task,
                    "title": task_title(task),
                    "list_url": list_url(task.entity, profile.pk),
                    "status_param": "status" if task.entity in ORDER_ENTITIES else "status__exact",
                    "counts": [
                        {
                            "status": s,
                            "label": label,
                            "n": entity_counts.get(s, 0),
                            "badge": status_badge(s, label),
                        }
                        for s, label in Status.choices
                        if entity_counts.get(s)
                    ],
                    "total": sum(entity_counts.values()),
                }
            )
        profiles.append({"profile": profile, "tasks": tasks})
    attention = list(
        SyncRecord.objects.filter(status=Status.NEEDS_ATTENTION)
        .select_related("profile")
        .defer("source_payload", "destination_payload")
        .order_by("-updated_at")[:10]
    )
    attention_total = SyncRecord.objects.filter(status=Status.NEEDS_ATTENTION).count()
    failing_total = SyncRecord.objects.filter(status=Status.FAILED).count()
    period = "day" if request.GET.get("chart") == "day" else "hour"
    buckets, chart_caption = _synced_series(period)
    connections = [
        {
            "conn": conn,
            "token": _token_health(conn, now),
            "admin_url": reverse("admin:syncapp_connection_change", args=[conn.pk]),
        }
        for conn in Connection.objects.all()
    ]
    return render(
        request,
        "portal/dashboard.html",
        page_context(
            request,
            "Dashboard",
            profiles=profiles,
            attention=[(r, status_badge(r.status, r.get_status_display())) for r in attention],
            attention_total=attention_total,
            failing_total=failing_total,
            chart=_chart(buckets),
            chart_caption=chart_caption,
            chart_total=sum(b["n"] for b in buckets),
            chart_buckets=buckets,
            period=period,
            connections=connections,
            now=now,
            counts_age=COUNTS_CACHE_SECONDS,
        ),
    )


# ---------------------------------------------------------------------------------------------------
# The two lists


class CappedLazyPaginator(LazyPaginator):
    """LazyPaginator with `?per_page=` kept between 1 and 200, so a URL cannot ask for a million rows."""

    def __init__(self, object_list, per_page, *args, **kwargs):
        super().__init__(object_list, min(max(int(per_page), 1), 200), *args, **kwargs)


class RecordListView(StaffRequiredMixin, ExportMixin, SingleTableMixin, FilterView):
    """One entity's records: search by Source/Destination ID, filters, sorting, paging, CSV, resync."""

    entity: str = ""
    title: str = ""
    filterset_class = RecordFilter
    template_name = "portal/record_list.html"
    # No COUNT(*) per page view: on a million-row ledger it scans the table (bench/lists.py); the
    # pager shows "next" while there are more rows instead of a page count. Only the table pages:
    # ListView's own paginate_by would fetch (and sort) a second page of rows nobody shows.
    # 25 rows by default (rendering, not the database, is most of a page's time); ?per_page=100 works.
    table_pagination = {"per_page": 25, "paginator_class": CappedLazyPaginator}
    export_formats = ("csv",)

    def get_queryset(self):
        return (
            SyncRecord.objects.filter(entity=self.entity)
            .select_related("profile")
            .defer("source_payload", "destination_payload")
        )

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        table.caption = f"{self.title} records"  # names the scrolling region for screen readers
        page = getattr(table, "page", None)
        if self.entity == Entity.ORDER_DETAIL and page is not None and page.object_list:
            # The page's Sales Order records in one query (unique index on profile, entity, source_id).
            rows = [row.record for row in page.object_list]  # the page's BoundRows
            sales = SyncRecord.objects.filter(
                entity=Entity.SALES_ORDER,
                profile_id__in={r.profile_id for r in rows},
                source_id__in={r.source_id for r in rows},
            ).only("pk", "profile_id", "source_id", "destination_id")
            table.sales_orders = {(s.profile_id, s.source_id): s for s in sales}
        return table

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        filterset.entity = self.entity  # a Detail list finds a Destination ID through its Sales Order
        return filterset

    def render_to_response(self, context, **kwargs):
        if self.request.GET.get(self.export_trigger_param) not in (None, *self.export_formats):
            # Only CSV is offered; any other ?_export= (xlsx needs a library we do not ship) was a 500.
            return super(ExportMixin, self).render_to_response(context, **kwargs)
        return super().render_to_response(context, **kwargs)

    def get_export_filename(self, export_format):
        return f"{self.entity}-{timezone.now():%Y%m%d-%H%M%S}.{export_format}"

    def create_export(self, export_format):
        table = self.get_table(**self.get_table_kwargs())
        # tablib builds the whole file in memory: cap it (after the table applied its ordering).
        table.data.data = table.data.data[:EXPORT_MAX_ROWS]
        exporter = self.export_class(
            export_format=export_format, table=table, exclude_columns=self.exclude_columns
        )
        return exporter.response(filename=self.get_export_filename(export_format))

    def get_table_kwargs(self):
        kwargs = {"exclude": ("profile",)} if Profile.objects.count() <= 1 else {}
        if "sort" not in self.request.GET:
            # An id search lists its hits in id order: the index already holds them so, and a prefix
            # matching thousands of ids then reads one page of them instead of sorting them all.
            for field in ("source_id", "destination_id"):
                if self.request.GET.get(field, "").strip():
                    # A Detail record has no Destination ID of its own: its hits come in Source ID order.
                    kwargs["order_by"] = ("source_id",) if self.entity == Entity.ORDER_DETAIL else (field,)
                    break
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        query["_export"] = "csv"
        context.update(
            page_context(
                self.request,
                f"TikTok Shop > Ecwid: {self.title}",
                entity=self.entity,
                export_url=f"?{query.urlencode()}",
                export_max=EXPORT_MAX_ROWS,
                filtered=any(v for k, v in self.request.GET.items() if k not in ("page", "sort", "match")),
                more_filters=sum(1 for k in MORE_FILTERS if self.request.GET.get(k)),
                rows_shown=rows_shown(context["table"]),
            )
        )
        return context


def rows_shown(table) -> str:
    """ "7 records", or "Records 26–50; more on the next page.", without counting the ledger: the lazy
    pager knows the page's rows and whether another page follows, and on the last page that is the total."""
    page = getattr(table, "page", None)
    if page is None or not page.object_list:
        return ""
    first = (page.number - 1) * table.paginator.per_page + 1
    last = first + len(page.object_list) - 1
    if page.has_next():
        return f"Records {first:,}–{last:,}; more on the next page."
    if page.number == 1:
        return f"{last:,} record{'s' if last != 1 else ''}."
    return f"Records {first:,}–{last:,} of {last:,}."


class OrderDetailListView(RecordListView):
    entity = Entity.ORDER_DETAIL
    title = Entity.ORDER_DETAIL.label
    table_class = OrderDetailTable


class SalesOrderListView(RecordListView):
    entity = Entity.SALES_ORDER
    title = Entity.SALES_ORDER.label
    table_class = SalesOrderTable


_LIST_URLS = {
    Entity.ORDER_DETAIL: "syncapp:order-detail-list",
    Entity.SALES_ORDER: "syncapp:sales-order-list",
}
ORDER_ENTITIES = frozenset(_LIST_URLS)


def list_url(entity: str, profile_id: int | None = None) -> str:
    """The portal list of an order entity; other entities (inventory) are listed by the admin."""
    if entity in _LIST_URLS:
        url = reverse(_LIST_URLS[entity])
        return f"{url}?profile={profile_id}" if profile_id else url
    url = reverse("admin:syncapp_syncrecord_changelist") + f"?entity__exact={entity}"
    return f"{url}&profile__id__exact={profile_id}" if profile_id else url


def task_title(task) -> str:
    """ "TikTok Shop > Ecwid: Sales Order" — the model knows each task's direction."""
    return str(task).removesuffix(f" ({task.profile})")


# ---------------------------------------------------------------------------------------------------
# Resync


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return fallback


@staff_required
@require_POST
def resync(request):
    """Bulk "Resync selected": first POST shows what will happen, the confirming POST does it."""
    ids = []
    for value in request.POST.getlist("ids"):
        # At most 18 ASCII digits: a bigger number does not fit the database's integer (it was a 500).
        if value.isascii() and value.isdigit() and len(value) <= 18:
            ids.append(int(value))
    ids = ids[:RESYNC_MAX_IDS]
    fallback = reverse("syncapp:dashboard")
    back = _safe_next(request, fallback)
    records = list(
        SyncRecord.objects.filter(pk__in=ids)
        .select_related("profile")
        .defer("source_payload", "destination_payload")
        .order_by("entity", "source_id")
    )
    if not records:
        messages.warning(request, "Select at least one record to resync.")
        return HttpResponseRedirect(back)
    if request.POST.get("confirm") == "yes":
        count = tasks.queue_resync([r.pk for r in records], user=request.user)
        messages.success(
            request,
            f"Queued {count} record{'s' if count != 1 else ''} to sync again "
            f"(requested by {request.user.get_username()} at {timezone.now():%H:%M:%S UTC}).",
        )
        return HttpResponseRedirect(back)
    return render(
        request,
        "portal/resync_confirm.html",
        page_context(
            request,
            "Resync selected records?",
            records=[(r, status_badge(r.status, r.get_status_display())) for r in records],
            back=back,
        ),
    )


# ---------------------------------------------------------------------------------------------------
# One record


# What each error kind means for the merchant's staff, and what to do (kinds: syncapp.platforms.http
# ErrorKind plus the engine's own).
ERROR_ADVICE = {
    "mapping": (
        "The TikTok order could not be turned into an Ecwid order.",
        "Read the reason below. Fix the data it names (for an unknown SKU: add the product to Ecwid with "
        "that SKU, or set the profile to import unknown SKUs as text lines), then Resync.",
    ),
    "malformed": (
        "TikTok returned an order the portal cannot read.",
        "Open the source payload below to see the bad field. Resync reads the order from TikTok again; if "
        "it stays broken, contact TikTok Shop partner support with the order id.",
    ),
    "invalid": (
        "Ecwid refused the order as invalid.",
        "Read Ecwid's message below, fix the data or the profile's rules it points at, then Resync.",
    ),
    "auth": (
        "The platform refused the connection's credentials (token expired, revoked, or wrong key).",
        "Open the connection, click Authorize (or paste a fresh token), Test connection, then Resync.",
    ),
    "permission": (
        "The app lacks a permission or the store's plan does not allow this.",
        "Authorize again approving every permission, or upgrade the store's plan; then Resync.",
    ),
    "not_found": (
        "The order no longer exists on the other side.",
        "If the Ecwid order was deleted, clear the Destination ID in the admin, then Resync to create it.",
    ),
    "rate_limited": (
        "The platform asked us to slow down.",
        "Nothing to do: the portal waits as asked and retries on its own. Lengthen task intervals if it "
        "keeps happening.",
    ),
    "transient": (
        "The platform had a temporary error or did not answer in time.",
        "Nothing to do: it is retried automatically with growing pauses. Resync to try at once.",
    ),
    "unreachable": (
        "The platform could not be reached.",
        "Check the connection's API base URL and this server's network; it is retried automatically.",
    ),
    "bad_response": (
        "The platform answered with something the portal cannot read.",
        "Check the connection's API base URL points at the platform's API; then Resync.",
    ),
    "outcome_unknown": (
        "The last create may or may not have reached Ecwid (no answer came back).",
        "Nothing to do: before any new attempt the portal looks the order up in Ecwid, so it is never "
        "created twice.",
    ),
    "internal": (
        "An unexpected error happened in the portal.",
        "Resync once; if it fails again, send the message below to whoever runs the portal.",
    ),
}


def error_advice(record: SyncRecord) -> dict | None:
    if not (record.last_error or record.error_kind):
        return None
    meaning, action = ERROR_ADVICE.get(
        record.error_kind,
        ("The last attempt did not succeed.", "Read the message below, fix what it names, then Resync."),
    )
    if record.status == Status.SKIPPED:
        meaning, action = "Skipped by the profile's rules.", "Nothing to do unless the rules should change."
    return {"meaning": meaning, "action": action, "message": record.last_error}


def ecwid_order_url(conn: Connection, destination_id: str) -> str:
    """The store's order page: the sandbox store when the connection points at it, else Ecwid's admin."""
    if not destination_id:
        return ""
    api = conn.api_base_url.rstrip("/")
    marker = "/sandbox/ecwid/api/v3"
    if api.endswith(marker):
        return f"{api[: -len('api/v3')]}store/orders/{destination_id}/?store={conn.store_id}"
    return f"https://my.ecwid.com/store/{conn.store_id}#order:id={destination_id}"


# A list item's summary names it by the first of these it has (a line item by its SKU), so staff find
# the line they look for without opening each one.
JSON_PREVIEW_KEYS = ("seller_sku", "sku", "name", "product_name", "title", "id")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _json_preview(value) -> str:
    if isinstance(value, dict):
        for key in JSON_PREVIEW_KEYS:
            if (
                isinstance(value.get(key), str | int)
                and not isinstance(value.get(key), bool)
                and value[key] != ""
            ):
                return str(value[key])
    return ""


def _json_time_hint(key, value) -> str:
    """TikTok's *_time fields are Unix seconds (specs/tiktok_shop_api.md §3.3): say which moment that is."""
    if not (isinstance(key, str) and key.endswith("_time")) or isinstance(value, bool):
        return ""
    if not isinstance(value, int) or not 10**9 <= value < 10**11:
        return ""
    return datetime.fromtimestamp(value, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def json_tree(value, *, depth: int = 0, open_depth: int = 1) -> str:
    """Readable, collapsible JSON: objects and lists become nested <details>, scalars plain text."""
    if isinstance(value, dict | list):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        rows = []
        for key, child in items:
            if isinstance(child, dict | list) and child:
                size = _plural(len(child), "field" if isinstance(child, dict) else "item")
                preview = _json_preview(child) if isinstance(value, list) else ""
                rows.append(
                    format_html(
                        '<li><details{}><summary><span class="json-key">{}</span> {}'
                        '<span class="json-size">{}</span></summary>{}</details></li>',
                        mark_safe(" open") if depth < open_depth else "",
                        key,
                        format_html('<span class="json-preview">{}</span> ', preview) if preview else "",
                        size,
                        mark_safe(json_tree(child, depth=depth + 1, open_depth=open_depth)),
                    )
                )
            else:
                hint = _json_time_hint(key, child)
                rows.append(
                    format_html(
                        '<li><span class="json-key">{}</span>: <span class="json-value">{}</span>{}</li>',
                        key,
                        json.dumps(child, ensure_ascii=False),
                        format_html(' <span class="json-hint">{}</span>', hint) if hint else "",
                    )
                )
        return format_html('<ul class="json-tree">{}</ul>', mark_safe("".join(rows)))
    return escape(json.dumps(value, ensure_ascii=False))


def _payload(value) -> dict | None:
    if value in (None, "", {}, []):
        return None
    return {
        "tree": json_tree(value),
        "raw": json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str),
    }


def _sibling(record: SyncRecord) -> SyncRecord | None:
    """The order's record in the other order list (Detail <-> Sales Order); None for other entities."""
    if record.entity not in ORDER_ENTITIES:
        return None
    other = Entity.SALES_ORDER if record.entity == Entity.ORDER_DETAIL else Entity.ORDER_DETAIL
    return (
        SyncRecord.objects.filter(profile_id=record.profile_id, entity=other, source_id=record.source_id)
        .defer("source_payload", "destination_payload")
        .first()
    )


@staff_required
def record_detail(request, pk: int):
    """Everything about one record: payloads, attempts, the error in plain words, Resync, Open in Ecwid."""
    record = get_object_or_404(
        SyncRecord.objects.select_related("profile__source", "profile__destination", "resync_requested_by"),
        pk=pk,
    )
    sibling = _sibling(record)
    sales = record if record.entity == Entity.SALES_ORDER else sibling
    destination_id = sales.destination_id if sales else ""
    attempts = list(SyncAttempt.objects.filter(record=record).order_by("-started_at", "-id")[:50])
    return render(
        request,
        "portal/record.html",
        page_context(
            request,
            f"{record.get_entity_display()} {record.source_id}",
            record=record,
            badge=status_badge(record.status, record.get_status_display()),
            sibling=sibling,
            destination_id=destination_id,
            list_url=list_url(record.entity),
            is_order=record.entity in ORDER_ENTITIES,
            advice=error_advice(record),
            error_kind_label=ERROR_KIND_LABELS.get(record.error_kind, record.error_kind),
            source_payload=_payload(record.source_payload),
            destination_payload=_payload(record.destination_payload),
            attempts=[(a, _attempt_summary(a)) for a in attempts],
            ecwid_url=ecwid_order_url(record.profile.destination, destination_id)
            if record.entity in ORDER_ENTITIES
            else "",
        ),
    )


def _attempt_summary(attempt: SyncAttempt) -> dict:
    return {
        "sent": _payload(attempt.request),
        "received": _payload(attempt.response),
        "ok": attempt.outcome == SyncAttempt.Outcome.OK,
        # Not a failure: Ecwid may have made the order; it is looked up before any new create.
        "unknown": attempt.outcome == SyncAttempt.Outcome.UNKNOWN,
    }


# ---------------------------------------------------------------------------------------------------
# Compare (seed step 5)


@staff_required
def compare(request, pk: int):
    """The TikTok order and its Ecwid order side by side, both read live from the platforms now."""
    record = get_object_or_404(
        SyncRecord.objects.select_related("profile__source", "profile__destination"), pk=pk
    )
    sales = record if record.entity == Entity.SALES_ORDER else _sibling(record)
    profile = record.profile
    context = page_context(
        request,
        f"Compare TikTok order {record.source_id}",
        record=record,
        sales=sales,
        record_url=reverse("syncapp:record", args=[record.pk]),
        list_url=list_url(record.entity),
        errors=[],
        sections=[],
    )
    destination_id = sales.destination_id if sales else ""
    context["destination_id"] = destination_id
    if record.entity not in ORDER_ENTITIES:
        context["errors"].append("Only orders can be compared; this record is not an order.")
        return render(request, "portal/compare.html", context)
    if not destination_id:
        context["errors"].append(
            "This TikTok order has no Ecwid order yet (no Destination ID): there is nothing to compare. "
            "Resync it, or wait for the next “Sales Order” run."
        )
        return render(request, "portal/compare.html", context)
    context["ecwid_url"] = ecwid_order_url(profile.destination, destination_id)

    tiktok_order = _fetch(
        context["errors"], profile.source, "TikTok Shop", lambda c: c.get_orders([record.source_id])
    )
    if isinstance(tiktok_order, list):
        tiktok_order = next((o for o in tiktok_order if str(o.get("id")) == record.source_id), None)
        if tiktok_order is None:
            context["errors"].append(f"TikTok Shop returned no order {record.source_id}.")
    ecwid_order = _fetch(
        context["errors"], profile.destination, "Ecwid", lambda c: c.get_order(destination_id)
    )
    if context["errors"]:
        return render(request, "portal/compare.html", context)

    try:
        rules = profile.rules()
    except ValueError:
        rules = MappingRules()
        context["errors"].append("The profile's rules are invalid; statuses are compared with the defaults.")
    rows = compare_orders(tiktok_order, ecwid_order, rules)
    sections: dict[str, list] = {}
    for row in rows:
        sections.setdefault(row.section, []).append(row)
    context.update(
        sections=[
            (name, SECTION_TITLES.get(name, name.title()), section) for name, section in sections.items()
        ],
        differences=sum(1 for row in rows if not row.same),
        fetched_at=timezone.now(),
        tiktok_status=tiktok_order.get("status", ""),
        ecwid_order_number=ecwid_order.get("orderNumber") or ecwid_order.get("id"),
    )
    return render(request, "portal/compare.html", context)


SECTION_TITLES = {
    "buyer": "Buyer",
    "address": "Shipping address",
    "items": "Items",
    "money": "Money",
    "status": "Status",
    "tracking": "Tracking",
}


def _fetch(errors: list[str], conn: Connection, platform: str, work):
    """Call the platform; a failure becomes a plain-words line on the page, never a 500."""
    try:
        return orders.call_with_auth_retry(conn, work)
    except PlatformError as exc:
        errors.append(f"{platform} ({conn.name}): {orders.explain(conn, exc)}")
    except Exception as exc:  # a broken connection row (e.g. no URL) must still give a readable page
        errors.append(f"{platform} ({conn.name}): could not be read ({type(exc).__name__}).")
    return None
