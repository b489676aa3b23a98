"""Run a profile's tasks in the foreground, with a progress bar: `sync_profile "<name>" [--entity …]`."""

from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from syncapp.models import Entity, Profile, ProfileTask, SyncRecord
from syncapp.platforms.http import PlatformError
from syncapp.sync import claims, inventory, orders
from syncapp.tasks import RUN_ORDER


def parse_since(value: str) -> int:
    """A date (2026-12-01), a date and time (2026-12-01T08:00) or Unix seconds."""
    if value.isdigit():
        return int(value)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since {value!r} is not a date like 2026-12-01 or Unix seconds.") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp())


class Command(BaseCommand):
    help = (
        "Sync one profile now, in the foreground: pull TikTok orders, push them to Ecwid, then (when "
        "enabled, or asked for with --entity inventory) send Ecwid stock to TikTok Shop."
    )

    def add_arguments(self, parser):
        parser.add_argument("profile", help="Profile name or id.")
        parser.add_argument(
            "--entity",
            choices=[e.value for e in Entity],
            action="append",
            help="Only this task (repeatable). Default: every enabled task, pull first.",
        )
        parser.add_argument("--since", help="Read TikTok orders updated since this date (a backfill).")

    def handle(self, *args, profile, entity, since, **options):
        found = Profile.objects.filter(name=profile).first()
        if found is None and profile.isdigit():
            found = Profile.objects.filter(pk=int(profile)).first()
        if found is None:
            raise CommandError(f"No profile named {profile!r}.")
        since_ts = parse_since(since) if since else None
        entities = entity or [e.value for e in Entity]
        tasks = ProfileTask.objects.filter(profile=found, entity__in=entities)
        if not entity:
            tasks = tasks.filter(enabled=True)
        for task in sorted(tasks, key=lambda t: RUN_ORDER.get(t.entity, len(RUN_ORDER))):
            try:
                if task.entity == Entity.ORDER_DETAIL:
                    self.pull(task, since_ts)
                elif task.entity == Entity.INVENTORY:
                    self.inventory(task)
                else:
                    self.push(found)
            except PlatformError as exc:
                raise CommandError(orders.explain(found.source, exc)) from None

    def pull(self, task, since_ts):
        with tqdm(desc="TikTok orders read", unit=" orders", disable=None) as bar:
            result = orders.pull_orders(task, since=since_ts, progress=lambda _: bar.update(1))
        self.stdout.write(result.summary())

    def push(self, profile):
        due = SyncRecord.objects.filter(
            claims.due_filter(timezone.now()), profile=profile, entity=Entity.SALES_ORDER
        )
        with tqdm(total=due.count(), desc="Orders sent to Ecwid", unit=" orders", disable=None) as bar:
            result = orders.push_due(profile, budget_seconds=float("inf"), progress=lambda _: bar.update(1))
        self.stdout.write(result.summary())

    def inventory(self, task):
        with tqdm(desc="SKUs compared", unit=" SKUs", disable=None) as bar:
            result = inventory.sync_inventory(
                task, budget_seconds=float("inf"), progress=lambda _: bar.update(1)
            )
        self.stdout.write(result.summary())
        if result.stopped:
            raise CommandError(result.stopped)
