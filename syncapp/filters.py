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

from syncapp.models import Profile, SyncRecord

MATCH_EXACT = "exact"
MATCH_PREFIX = "prefix"


def prefix_range(field: str, prefix: str) -> Q:
    """Rows whose `field` starts with `prefix`, as an index range scan (see the module docstring)."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper, f"{field}__startswith": prefix})


def id_lookup(field: str, value: str, match: str) -> Q:
    """An exact lookup, or a prefix one when asked for or when the value ends with `*`."""
    value = value.strip()
    if value.endswith("*"):
        value, match = value.rstrip("*"), MATCH_PREFIX
    if not value:
        return Q()
    return prefix_range(field, value) if match == MATCH_PREFIX else Q(**{field: value})


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

    def filter_id(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        match = self.form.cleaned_data.get("match") or MATCH_EXACT
        return queryset.filter(id_lookup(name, value, match))

    def filter_nothing(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # read by filter_id

    def filter_error_kind(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == NO_ERROR:
            return queryset.filter(error_kind="")
        return queryset.filter(error_kind=value)
