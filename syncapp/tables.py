"""The two record lists, one django-tables2 Table each (STYLE.md: declarative tables, thin views).

Only columns backed by an index are sortable (Source ID, Destination ID, Updated): any other ORDER BY
would sort every row of a million-row ledger on each page view. Status is a filter instead.
"""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from syncapp.filters import ERROR_KIND_CHOICES
from syncapp.models import SyncRecord

# "mapping" -> "Mapping (order data)": the filter's words, so the column and the filter agree.
ERROR_KIND_LABELS = dict(ERROR_KIND_CHOICES)

# Colour is a second cue only: the badge always carries the status in words and an icon-like prefix.
STATUS_STYLE = {
    SyncRecord.Status.SUCCESS: ("ok", "✓"),
    SyncRecord.Status.PENDING: ("muted", "…"),
    SyncRecord.Status.IN_PROGRESS: ("info", "↻"),
    SyncRecord.Status.FAILED: ("warn", "!"),
    SyncRecord.Status.NEEDS_ATTENTION: ("bad", "✗"),
    SyncRecord.Status.SKIPPED: ("muted", "–"),
}


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


class WhenColumn(tables.Column):
    """A date and time as text. Not django-tables2's DateTimeColumn: that renders a template per cell,
    which is most of a 50-row page's time (bench/lists.py). The cell never wraps: a date and time broken
    over three lines made every row three lines tall."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "when"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return _when(value)

    def value(self, value):
        return _when(value)


def status_badge(status: str, label: str) -> str:
    style, mark = STATUS_STYLE.get(status, ("muted", "·"))
    return format_html(
        '<span class="badge status-{}"><span aria-hidden="true">{}</span> {}</span>', style, mark, label
    )


class RecordTable(tables.Table):
    select = tables.CheckBoxColumn(
        accessor="pk",
        exclude_from_export=True,
        attrs={
            "th__input": {"aria-label": "Select all rows on this page", "data-select-all": ""},
            "td__input": {"aria-label": "Select this row", "form": "bulk-form", "name": "ids"},
        },
    )
    source_id = tables.Column(verbose_name="Source ID", attrs={"td": {"class": "mono"}})
    status = tables.Column(orderable=False)
    source_status = tables.Column(verbose_name="TikTok status", orderable=False)
    profile = tables.Column(orderable=False, accessor="profile__name")
    updated_at = WhenColumn(verbose_name="Updated")

    class Meta:
        model = SyncRecord
        fields: tuple[str, ...] = ()
        template_name = "portal/table.html"
        attrs = {"class": "records"}
        empty_text = "No records match. Check the ID (exact, or “Starts with”), or clear the filters."
        order_by = "-updated_at"

    def render_source_id(self, value, record):
        url = reverse("syncapp:record", args=[record.pk])
        return format_html('<a href="{}">{}</a>', url, value)

    def value_source_id(self, value):
        return value

    def render_status(self, value, record):
        return status_badge(record.status, record.get_status_display())

    def value_status(self, value, record):
        return record.get_status_display()


class OrderDetailTable(RecordTable):
    """TikTok Shop > Ecwid: Sales Order Data: Detail — every TikTok order pulled, under its Source ID.

    A detail record has no Ecwid id of its own; the Destination ID column shows its Sales Order's, read
    for the shown page only (`sales_orders`, filled by the view: one query by the page's ids).
    """

    destination_id = tables.Column(
        verbose_name="Destination ID",
        accessor="pk",
        orderable=False,
        exclude_from_export=True,
        attrs={"td": {"class": "mono"}},
    )
    synced_at = WhenColumn(verbose_name="Pulled", orderable=False)
    last_error = tables.Column(verbose_name="Problem", orderable=False, default="")

    class Meta(RecordTable.Meta):
        sequence = (
            "select",
            "source_id",
            "destination_id",
            "status",
            "source_status",
            "synced_at",
            "last_error",
            "profile",
        )

    sales_orders: dict = {}  # (profile id, source id) -> the Sales Order record

    def render_destination_id(self, record):
        sales = self.sales_orders.get((record.profile_id, record.source_id))
        if sales is None or not sales.destination_id:
            return "—"
        url = reverse("syncapp:record", args=[sales.pk])
        return format_html('<a href="{}">{}</a>', url, sales.destination_id)

    def render_last_error(self, value):
        return value if len(value) <= 120 else value[:117] + "…"

    def value_last_error(self, value):
        return value


class SalesOrderTable(RecordTable):
    """TikTok Shop > Ecwid: Sales Order — the Ecwid order each TikTok order became (its Destination ID)."""

    destination_id = tables.Column(verbose_name="Destination ID", attrs={"td": {"class": "mono"}}, default="")
    attempts = tables.Column(orderable=False)
    error_kind = tables.Column(verbose_name="Error kind", orderable=False, default="")
    last_error = tables.Column(verbose_name="Reason / last error", orderable=False, default="")
    synced_at = WhenColumn(verbose_name="Synced", orderable=False)

    class Meta(RecordTable.Meta):
        sequence = (
            "select",
            "source_id",
            "destination_id",
            "status",
            "source_status",
            "attempts",
            "error_kind",
            "last_error",
            "synced_at",
            "profile",
        )

    def render_error_kind(self, value):
        return ERROR_KIND_LABELS.get(value, value)

    def value_error_kind(self, value):
        return value  # the CSV keeps the code, for spreadsheets and scripts

    def render_destination_id(self, value, record):
        url = reverse("syncapp:record", args=[record.pk])
        return format_html('<a href="{}">{}</a>', url, value)

    def value_destination_id(self, value):
        return value

    def render_last_error(self, value):
        return value if len(value) <= 120 else value[:117] + "…"

    def value_last_error(self, value):
        return value
