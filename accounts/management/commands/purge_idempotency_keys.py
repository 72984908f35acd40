from django.core.management.base import BaseCommand

from accounts.models import IdempotencyKey


class Command(BaseCommand):
    help = "Delete Idempotency-Keys older than their 24 hours (run daily, e.g. from cron)."

    def handle(self, *args, **options):
        deleted, _ = IdempotencyKey.objects.expired().delete()
        self.stdout.write(f"Deleted {deleted} expired idempotency keys.")
