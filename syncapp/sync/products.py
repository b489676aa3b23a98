"""Seller SKU → Ecwid product, cached in the database so a steady stream of orders costs no lookups.

A product id changes rarely, so a found SKU is trusted for hours; a missing one is asked again after
a few minutes (the merchant may be adding it right now).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from syncapp.models import Connection, ProductMatchCache
from syncapp.platforms.ecwid import EcwidClient
from syncapp.sync import pacing
from syncapp.sync.mapping import ProductMatch

DEFAULT_FOUND_TTL_SECONDS = 6 * 3600
DEFAULT_MISSING_TTL_SECONDS = 600


def _ttl(found: bool) -> timedelta:
    if found:
        seconds = getattr(settings, "SYNC_PRODUCT_CACHE_SECONDS", DEFAULT_FOUND_TTL_SECONDS)
    else:
        seconds = getattr(settings, "SYNC_PRODUCT_MISS_CACHE_SECONDS", DEFAULT_MISSING_TTL_SECONDS)
    return timedelta(seconds=float(seconds))


def match_products(
    connection: Connection, client: EcwidClient, skus: Iterable[str]
) -> dict[str, ProductMatch | None]:
    """What Ecwid has for each SKU (None: no such product), asking Ecwid only for stale or unknown SKUs."""
    skus = [sku for sku in dict.fromkeys(skus) if sku]
    now = timezone.now()
    cached = {row.sku: row for row in ProductMatchCache.objects.filter(connection=connection, sku__in=skus)}
    result: dict[str, ProductMatch | None] = {}
    for sku in skus:
        row = cached.get(sku)
        if row is None or row.fetched_at + _ttl(row.found) < now:
            row = _refresh(connection, client, sku)
        result[sku] = (
            ProductMatch(product_id=row.product_id, combination_id=row.combination_id, name=row.name)
            if row.found
            else None
        )
    return result


def _refresh(connection: Connection, client: EcwidClient, sku: str) -> ProductMatchCache:
    pacing.wait(connection.pk)
    ref = client.find_sku(sku)
    row, _ = ProductMatchCache.objects.update_or_create(
        connection=connection,
        sku=sku,
        defaults={
            "found": ref is not None,
            "product_id": ref.product_id if ref else None,
            "combination_id": ref.combination_id if ref else None,
            "name": (ref.name if ref else "")[:500],
            "fetched_at": timezone.now(),
        },
    )
    return row


def forget(connection: Connection, skus: Iterable[str] | None = None) -> int:
    """Drop cached matches (all, or these SKUs), e.g. after the merchant changed the catalogue."""
    rows = ProductMatchCache.objects.filter(connection=connection)
    if skus is not None:
        rows = rows.filter(sku__in=list(skus))
    return rows.delete()[0]
