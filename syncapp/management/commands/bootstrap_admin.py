import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the staff superuser from PORTAL_ADMIN_USER / _PASSWORD / _EMAIL, once (idempotent)."

    def handle(self, *args, **options):
        username = os.environ.get("PORTAL_ADMIN_USER", "admin")
        password = os.environ.get("PORTAL_ADMIN_PASSWORD", "portal-admin")
        email = os.environ.get("PORTAL_ADMIN_EMAIL", "admin@example.com")
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(f"Staff user {username!r} already exists; left as it is.")
            return
        User.objects.create_superuser(username=username, email=email, password=password)
        self.stdout.write(self.style.SUCCESS(f"Created staff user {username!r}."))
