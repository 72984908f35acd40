"""Remove contact history entries older than the retention (CONTACT_HISTORY_RETENTION_DAYS, or --days)."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import SubAccount
from contacts.history import history_prune


class Command(BaseCommand):
    help = (
        "Delete contact history entries older than CONTACT_HISTORY_RETENTION_DAYS (or --days). Notes stay. "
        "Without either, history is kept forever and nothing is deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="Keep this many days (overrides the setting)")

    def handle(self, *args, days=None, **options):
        days = days if days is not None else settings.CONTACT_HISTORY_RETENTION_DAYS
        if days is None:
            self.stdout.write("History is kept forever (CONTACT_HISTORY_RETENTION_DAYS is not set): nothing to prune.")
            return
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        before = timezone.now() - timedelta(days=days)
        deleted = 0
        # One sub-account per transaction: each DELETE names its tenant, and no lock is held for long.
        for sub_account_id in SubAccount.objects.order_by("pk").values_list("pk", flat=True):
            with transaction.atomic():
                deleted += history_prune(sub_account_id=sub_account_id, before=before)
        self.stdout.write(f"Deleted {deleted} history entries older than {days} days.")
