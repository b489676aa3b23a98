"""The filters of the record lists: Source ID / Destination ID search, profile, status, error kind, dates.

The id searches must stay index lookups at a million rows: an exact search is `=`, a prefix search is
a range on the indexed column (`>= prefix AND < prefix-with-last-character-bumped`), which both SQLite
and PostgreSQL answer from the b-tree. `startswith` is added on top only to make the range exact
(SQLite's LIKE is case-insensitive and some collations sort odd characters between the bounds); it
never has to scan, because the range has already narrowed the rows. Never `icontains`.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from syncapp.models import Entity, Profile, SyncRecord

MATCH_EXACT = "exact"
MATCH_PREFIX = "prefix"


def prefix_range(field: str, prefix: str) -> Q:
    """Rows whose `field` starts with `prefix`, as an index range scan (see the module docstring)."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper, f"{field}__startswith": prefix})


def id_lookup(field: str, value: str, match: str) -> Q:
    """An exact lookup, or a prefix one when asked for or when the value ends with `*`.

    A Destination ID is also looked up in capitals: Ecwid order ids are written in capitals ("XJ12H",
    specs/ecwid_api.md §orders) and Ecwid's own search finds "xj12h" too, so staff typing it in lower
    case must not get "no match". Still two index lookups (or two ranges), never a case-folding scan.
    """
    value = value.strip()
    if value.endswith("*"):
        value, match = value.rstrip("*"), MATCH_PREFIX
    if not value:
        return Q()
    spellings = [value]
    if field == "destination_id" and value.upper() != value:
        spellings.append(value.upper())
    query = Q()
    for spelling in spellings:
        query |= prefix_range(field, spelling) if match == MATCH_PREFIX else Q(**{field: spelling})
    return query


NO_ERROR = "none"

# The kinds the engine writes: PlatformError kinds (syncapp/platforms/http.py ErrorKind) plus the
# engine's own (mapping, malformed, outcome_unknown, internal).
ERROR_KIND_CHOICES = [
    (NO_ERROR, "No error"),
    ("mapping", "Mapping (order data)"),
    ("malformed", "Malformed TikTok order"),
    ("invalid", "Refused as invalid"),
    ("auth", "Authorization"),
    ("permission", "Permission / plan"),
    ("not_found", "Not found"),
    ("rate_limited", "Rate limited"),
    ("transient", "Temporary platform error"),
    ("unreachable", "Unreachable"),
    ("bad_response", "Unreadable answer"),
    ("outcome_unknown", "Outcome unknown"),
    ("internal", "Internal error"),
]


class RecordFilter(django_filters.FilterSet):
    source_id = django_filters.CharFilter(
        label="Source ID", method="filter_id", help_text="TikTok order id.", max_length=64
    )
    destination_id = django_filters.CharFilter(
        label="Destination ID", method="filter_id", help_text="Ecwid order id.", max_length=64
    )
    match = django_filters.ChoiceFilter(
        label="Match",
        choices=[(MATCH_EXACT, "Exact"), (MATCH_PREFIX, "Starts with")],
        empty_label=None,
        method="filter_nothing",
        help_text="A trailing * also means “starts with”.",
    )
    profile = django_filters.ModelChoiceFilter(queryset=Profile.objects.all(), empty_label="All profiles")
    status = django_filters.ChoiceFilter(choices=SyncRecord.Status.choices, empty_label="All statuses")
    error_kind = django_filters.ChoiceFilter(
        label="Error kind",
        choices=ERROR_KIND_CHOICES,
        empty_label="Any error kind",
        method="filter_error_kind",
    )
    updated_from = django_filters.DateFilter(
        field_name="updated_at",
        lookup_expr="date__gte",
        label="Updated from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    updated_to = django_filters.DateFilter(
        field_name="updated_at",
        lookup_expr="date__lte",
        label="Updated to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = SyncRecord
        fields: list[str] = []

    # The list's entity, set by the view. A "Sales Order Data: Detail" record keeps no Destination ID
    # (its Sales Order record does), so there a Destination ID search goes through the Sales Order.
    entity: str = ""

    def filter_id(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        match = self.form.cleaned_data.get("match") or MATCH_EXACT
        lookup = id_lookup(name, value, match)
        if name == "destination_id" and self.entity == Entity.ORDER_DETAIL and lookup:
            # An index lookup on destination_id, then one on source_id per hit: no scan either way.
            sales = SyncRecord.objects.filter(lookup, entity=Entity.SALES_ORDER).values("source_id")
            return queryset.filter(source_id__in=sales)
        return queryset.filter(lookup)

    def filter_nothing(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # read by filter_id

    def filter_error_kind(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == NO_ERROR:
            return queryset.filter(error_kind="")
        return queryset.filter(error_kind=value)
