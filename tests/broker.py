"""Reading what waits in django-q2's queue, from whichever broker is configured (ORM or Redis)."""

from django.conf import settings
from django_q.brokers import get_broker
from django_q.models import OrmQ
from django_q.signing import SignedPackage


def queued_tasks() -> list[tuple[str, tuple, dict]]:
    """(function, args, kwargs) of every queued task, oldest first."""
    broker = get_broker()
    if settings.REDIS_URL:
        payloads = broker.connection.lrange(broker.list_key, 0, -1)
    else:
        payloads = [q.payload for q in OrmQ.objects.order_by("id")]
    tasks = [SignedPackage.loads(payload) for payload in payloads]
    return [(t["func"], t["args"], t["kwargs"]) for t in tasks]
