"""Errors by kind: retry later (honouring Retry-After), refresh once on auth, or ask a person."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sandbox.ecwid.models import Token as EcwidToken
from sandbox.tiktok import models as tts_models
from syncapp.models import Connection
from syncapp.sync import orders, pacing
from tests.engine.conftest import Status, make_orders, pull, sales_records

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_server_error_is_retried_later_with_backoff(profile, shop, faults, settings):
    settings.SYNC_RETRY_BASE_SECONDS = 30
    settings.SYNC_RETRY_MAX_SECONDS = 3600
    (order,) = make_orders(shop, 1)
    pull(profile)
    faults("ecwid", error_next=1, path_contains="/orders")

    orders.push_due(profile)

    record = sales_records(profile).get()
    assert record.status == Status.FAILED and record.error_kind == "transient"
    assert timedelta(seconds=14) < record.next_attempt_at - timezone.now() <= timedelta(seconds=30)
    assert "looked up before any new attempt" in record.last_error  # a 500 on a create may have applied
    assert orders.push_due(profile).attempted == 0  # not due yet


def test_a_long_retry_after_is_honoured_and_stops_the_batch(profile, shop, faults):
    make_orders(shop, 3)
    pull(profile)
    faults("ecwid", rate_limit_next=1, retry_after=120)  # longer than the client is willing to sleep

    result = orders.push_due(profile)

    assert "rate limit" in result.stopped
    failed = sales_records(profile).get(status=Status.FAILED)
    assert failed.error_kind == "rate_limited"
    assert failed.next_attempt_at - timezone.now() > timedelta(seconds=110)
    assert sales_records(profile).filter(status=Status.PENDING).count() == 2  # left for the next run


def test_an_expired_tiktok_token_is_refreshed_once_and_the_pull_goes_on(profile, shop):
    make_orders(shop, 2)
    old_token = profile.source.access_token
    # TikTok expires the token early; the connection still believes it is valid for days.
    tts_models.Token.objects.filter(access_token=old_token).update(access_expires_at=timezone.now())

    result = pull(profile)

    assert result.new == 2
    profile.source.refresh_from_db()
    assert profile.source.access_token != old_token


def test_a_refused_ecwid_token_needs_attention_and_stops_the_batch(profile, shop):
    make_orders(shop, 3)
    pull(profile)
    EcwidToken.objects.filter(token=profile.destination.access_token).update(active=False)

    result = orders.push_due(profile)

    assert result.stopped and result.attempted == 0
    record = sales_records(profile).get(status=Status.NEEDS_ATTENTION)
    assert record.error_kind == "auth" and record.last_error
    assert sales_records(profile).filter(status=Status.PENDING).count() == 2
    profile.destination.refresh_from_db()
    assert profile.destination.status == Connection.Status.ERROR


def test_pacing_keeps_calls_under_the_documented_rate(settings):
    settings.SYNC_ECWID_CALLS_PER_MINUTE = 600
    clock = [0.0]
    waited = []

    def sleep(seconds):
        waited.append(seconds)
        clock[0] += seconds

    for _ in range(40):
        pacing.wait(("test", id(clock)), sleep=sleep, clock=lambda: clock[0])

    assert clock[0] == pytest.approx(3.0)  # a burst of 10, then 10 a second
