"""Scale-out: two django-q2 clusters on PostgreSQL with the Redis broker, one profile, no duplicate."""

import time

import pytest
from django.conf import settings
from django.db import connection
from django_q.tasks import async_task

from sandbox.tiktok import orders as tts_orders
from syncapp.models import Entity
from tests.engine import processes
from tests.engine.conftest import Status, pull, sales_records
from tests.engine.test_faults import assert_exactly_one_copy_each

pytestmark = [pytest.mark.scaleout, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def postgres_and_redis(db):
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip(
            "needs PostgreSQL and the Redis broker: run with DATABASE_URL=postgres://… REDIS_URL=redis://…"
        )
    from django_q.brokers import get_broker

    broker = get_broker()
    broker.purge_queue()
    yield broker
    broker.purge_queue()


def test_two_workers_on_the_same_profile_make_no_duplicate(postgres_and_redis, profile, shop, faults):
    created = tts_orders.create_orders(
        shop, {"TOTE-CANVAS": 1, "MUG-12OZ": 1}, count=150, send_webhooks=False
    )
    pull(profile)
    faults("ecwid", latency_ms=5, lost_response_rate=0.05, error_rate=0.05)
    records = sales_records(profile)
    ids = list(records.values_list("pk", flat=True))
    push_task = profile.tasks.get(entity=Entity.SALES_ORDER)

    clusters = [processes.start("qcluster", Q_WORKERS="2") for _ in range(2)]
    try:
        # Every worker is told to push every order, in the same order and in reverse: only the
        # claims keep them apart. Failed pushes (injected faults) are handed out again each second.
        for i in range(8):
            async_task("syncapp.tasks.push_records", ids if i % 2 else ids[::-1])
        async_task("syncapp.tasks.run_profile_task", push_task.pk)
        deadline = time.monotonic() + 120
        while records.filter(status=Status.SUCCESS).count() < len(ids):
            assert time.monotonic() < deadline, "not every order was pushed in time"
            time.sleep(1)
            async_task("syncapp.tasks.push_records", ids)
    finally:
        for cluster in clusters:
            # Every order is in; what is left for the clusters is nothing (a graceful stop waits
            # tens of seconds for the broker), so the whole process group goes at once.
            processes.kill(cluster)

    assert_exactly_one_copy_each(created)
