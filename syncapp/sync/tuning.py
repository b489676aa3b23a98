"""Engine settings (`SYNC_*`), read at call time so a deployment or a test can change them."""

from django.conf import settings


def setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))
