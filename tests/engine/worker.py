"""A worker in its own process, for the tests that kill workers or run several at once.

    python -m tests.engine.worker push <profile id>     one push run of the profile, then exit
    python -m tests.engine.worker qcluster              a django-q2 cluster (ORM or Redis broker)

The database comes from DATABASE_URL (the test database); SYNC_* environment variables override the
engine's timing settings, so a test need not wait minutes for leases and backoffs. A forked qcluster
worker inherits them.
"""

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()

from django.conf import settings  # noqa: E402

for name, value in os.environ.items():
    if name.startswith("SYNC_"):
        setattr(settings, name, float(value))


def main(argv: list[str]) -> None:
    if argv[:1] == ["push"]:
        from syncapp.models import Profile
        from syncapp.sync import orders

        result = orders.push_due(Profile.objects.get(pk=int(argv[1])))
        print(result.summary(), flush=True)
    elif argv[:1] == ["qcluster"]:
        from django.core.management import call_command

        call_command("qcluster")
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
