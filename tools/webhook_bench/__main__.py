"""`python -m tools.webhook_bench --events 2000 --workers 2` (what `make bench-webhooks` runs).

It measures the product as configured, so it runs with the product's settings (DATABASE_URL picks the
database) and needs no app of its own: the command is called directly, never through INSTALLED_APPS.
"""

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contacts_site.settings")
django.setup()

from django.core.management import call_command
from django.core.management.base import CommandError

from tools.webhook_bench.command import Command

try:
    call_command(Command(), *sys.argv[1:])
except CommandError as error:
    sys.exit(f"webhook_bench: {error}")
