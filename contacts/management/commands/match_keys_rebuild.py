from django.core.management.base import BaseCommand
from django.db import transaction

from contacts.identities import match_keys_rebuild


class Command(BaseCommand):
    help = "Recompute every contact's duplicate-detection keys (after a raw bulk load; writes keep them otherwise)."

    def handle(self, *args, **options):
        with transaction.atomic():
            written = match_keys_rebuild()
        self.stdout.write(f"{written} match keys written.")
