from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import SubAccount
from accounts.services import api_key_create


class Command(BaseCommand):
    help = "Create an API key for a sub-account (created from its slug if it does not exist). Prints the key last."

    def add_arguments(self, parser):
        parser.add_argument("sub_account", help="The sub-account's slug")
        parser.add_argument("--name", default="API key", help="A label for the key")
        parser.add_argument("--expires-in-days", type=int, default=None, help="Optional: the key expires then")

    def handle(self, *args, sub_account, name, expires_in_days=None, **options):
        slug = slugify(sub_account)
        account, created = SubAccount.objects.get_or_create(slug=slug, defaults={"name": sub_account})
        if created:
            self.stdout.write(f"Created sub-account “{account.name}” ({account.slug}).")
        expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
        api_key, raw_key = api_key_create(sub_account=account, name=name, expires_at=expires_at)
        self.stdout.write(f"API key “{api_key.name}” for {account.slug} (shown once, store it now):")
        self.stdout.write(raw_key)
