"""Times the staff contact list over a large sub-account (default 100,000 contacts).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> DJANGO_DEBUG=1 \
        .venv/bin/python tests/bench_staff_list.py [count]

Loads the contacts once (bulk inserts, sub-account slug `bench`), then requests each list URL through the
full Django stack (test client, logged in) and prints the median of 5 runs and the query count.
Not a test: run it by hand; it writes to the database it is pointed at.
"""

import os
import random
import statistics
import sys
import time

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contacts_site.settings")
django.setup()

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.utils import timezone

from accounts.models import Membership, SubAccount
from contacts.models import Contact, ContactTag, TaggedContact

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
URLS = [
    "/",
    "/?q=smith",
    "/?q=%2B1415555",
    "/?q=customer-4242%40example.com",
    "/?tag=vip",
    "/?tag=vip&tag=beta",
    "/?sort=name&page=2000",
    "/?sort=last_conversation",
    "/?sort=updated&direction=asc",
]


def load(sub_account: SubAccount) -> None:
    have = Contact.objects.for_account(sub_account).count()
    if have >= COUNT:
        return
    rng = random.Random(7)
    tags = {
        name: ContactTag.objects.get_or_create(sub_account=sub_account, name=name)[0] for name in ["vip", "beta", "new"]
    }
    now = timezone.now()
    last_names = ["Smith", "Jones", "Garcia", "Chen", "Müller", "Rossi", "Khan", "Silva", "Novak", "Tanaka"]
    for start in range(have, COUNT, 5000):
        batch = []
        for n in range(start, min(COUNT, start + 5000)):
            batch.append(
                Contact(
                    sub_account=sub_account,
                    name=f"Customer {n} {rng.choice(last_names)}",
                    email=f"customer-{n}@example.com",
                    phone=f"+1415555{n:04d}"[:12] if n % 3 else None,
                    custom_fields={"plan": rng.choice(["free", "pro"])},
                    last_conversation=now if n % 4 == 0 else None,
                )
            )
        Contact.objects.bulk_create(batch)
        links = [
            TaggedContact(content_object=contact, tag=tag)
            for contact in batch
            for name, tag in tags.items()
            if rng.random() < {"vip": 0.1, "beta": 0.3, "new": 0.05}[name]
        ]
        TaggedContact.objects.bulk_create(links)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def main() -> None:
    call_command("migrate", verbosity=0)
    sub_account, _ = SubAccount.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    user, _ = get_user_model().objects.get_or_create(username="bench-agent")
    Membership.objects.get_or_create(user=user, sub_account=sub_account)
    started = time.perf_counter()
    load(sub_account)
    print(
        f"{Contact.objects.for_account(sub_account).count()} contacts ready in {time.perf_counter() - started:.1f}s "
        f"({connection.vendor})"
    )
    client = Client()
    client.force_login(user)
    for url in URLS:
        timings = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        total = response.context["total"]
        print(f"{url:40} {statistics.median(timings):7.1f} ms  {len(queries):2d} queries  {total} matching")


if __name__ == "__main__":
    setup_test_environment()  # lets the client see the template context (and host "testserver")
    settings.DEBUG = False
    main()
