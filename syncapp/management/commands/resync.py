"""Sync orders again by TikTok order id: `resync 576486316948490001 …` (foreground)."""

from django.core.management.base import BaseCommand, CommandError

from syncapp.models import Entity, SyncRecord
from syncapp.sync import orders


class Command(BaseCommand):
    help = "Read the given TikTok orders again and push them to Ecwid now, in every profile that has them."

    def add_arguments(self, parser):
        parser.add_argument("source_ids", nargs="+", metavar="source_id", help="TikTok order id (Source ID).")
        parser.add_argument("--profile", help="Only this profile (name).")

    def handle(self, *args, source_ids, profile, **options):
        records = SyncRecord.objects.filter(source_id__in=source_ids).select_related("profile")
        if profile:
            records = records.filter(profile__name=profile)
        found = set(records.values_list("source_id", flat=True))
        for missing in sorted(set(source_ids) - found):
            self.stderr.write(f"{missing}: not in the ledger (not pulled yet?).")
        if not found:
            raise CommandError("None of these orders is in the ledger.")
        orders.request_resync(records)
        by_profile = {}
        for record in records.filter(entity=Entity.ORDER_DETAIL):
            by_profile.setdefault(record.profile, []).append(record.source_id)
        for prof, ids in by_profile.items():
            for result in orders.fetch_and_ingest(prof, ids):
                self.stdout.write(f"{prof}: read {result.source_id} from TikTok ({result.outcome}).")
        for record in records.filter(entity=Entity.SALES_ORDER).order_by("pk"):
            try:
                status, _ = orders.push_record(record.pk)
            except orders.DestinationUnavailable as exc:
                raise CommandError(str(exc)) from None
            record.refresh_from_db()
            line = f"{record.profile}: {record.source_id} → {status or 'held by another worker'}"
            if record.destination_id:
                line += f" (Ecwid order {record.destination_id})"
            if record.last_error and status != SyncRecord.Status.SUCCESS:
                line += f": {record.last_error}"
            self.stdout.write(line)
