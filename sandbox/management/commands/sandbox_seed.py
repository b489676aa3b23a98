from django.core.management.base import BaseCommand
from django.db import transaction

from sandbox.ecwid import seed as ecwid_seed
from sandbox.tiktok import seed as tiktok_seed
from syncapp.models import Connection, Profile

PROFILE_NAME = "[Acme US] TikTok Shop – Ecwid"


class Command(BaseCommand):
    help = (
        "Seed the sandbox (a TikTok seller with a shop and products, an Ecwid store with the same SKUs), "
        "create the two portal connections pointing at it and a profile pairing them. Idempotent: tokens, "
        "orders and profile settings are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--portal-url", default="http://127.0.0.1:8000", help="Where this portal is reached."
        )

    @transaction.atomic
    def handle(self, *args, portal_url, **options):
        portal_url = portal_url.rstrip("/")
        connections = []
        for module in (tiktok_seed, ecwid_seed):
            fields = module.seed(portal_url)
            name = fields.pop("name")
            conn, created = Connection.objects.get_or_create(name=name, defaults=fields)
            if not created:
                # Keep tokens and status; follow the portal URL and the sandbox app's credentials.
                for key, value in fields.items():
                    setattr(conn, key, value)
                conn.save()
            connections.append(conn)
            self.stdout.write(f"{'Created' if created else 'Updated'} connection {name!r}.")
        source, destination = connections
        profile, created = Profile.objects.get_or_create(
            name=PROFILE_NAME, defaults={"source": source, "destination": destination}
        )
        if created:
            self.stdout.write(f"Created profile {PROFILE_NAME!r}.")
        self.stdout.write(self.style.SUCCESS(f"Sandbox ready at {portal_url}/sandbox/"))
