"""`make run`'s demo: a sub-account `demo` with ~200 realistic contacts, a staff login and an API key.

Idempotent: run it again and it adds nothing, re-printing the same key (kept in `.demo-api-key`, which
git ignores) as long as that key still works.
"""

import random
import unicodedata
from pathlib import Path

import phonenumbers
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import APIKey, Membership, SubAccount
from accounts.services import api_key_create
from contacts.models import Contact
from contacts.services import contact_create

DEMO_SLUG = "demo"
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-password"
DEMO_CONTACTS = 200
KEY_FILE = Path(settings.BASE_DIR) / ".demo-api-key"

FIRST_NAMES = [
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Amelia",
    "Oliver",
    "Sophia",
    "Elijah",
    "Isabella",
    "Lucas",
    "Mia",
    "Mateo",
    "Charlotte",
    "Levi",
    "Ava",
    "Ethan",
    "Harper",
    "James",
    "Luna",
    "Aiden",
    "Camila",
    "Yuki",
    "Hiroshi",
    "Priya",
    "Arjun",
    "Fatima",
    "Omar",
    "Chloé",
    "Louis",
    "Lena",
    "Felix",
    "Sofia",
    "Marco",
    "Giulia",
    "Lars",
    "Ingrid",
    "Zanele",
    "Thabo",
    "Aisha",
    "Kwame",
    "Mei",
    "Wei",
    "Diego",
    "Lucía",
    "Ana",
    "João",
    "Maximilian",
    "Hannah",
    "Sven",
    "Nadia",
]
LAST_NAMES = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Martin",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Young",
    "King",
    "Wright",
    "Tanaka",
    "Sato",
    "Sharma",
    "Patel",
    "Khan",
    "Haddad",
    "Dubois",
    "Lefèvre",
    "Müller",
    "Schmidt",
    "Rossi",
    "Bianchi",
    "Johansson",
    "Nilsson",
    "Dlamini",
    "Mensah",
    "Chen",
    "Wang",
    "Silva",
    "Santos",
    "Fischer",
    "Novak",
    "O'Brien",
]
COMPANIES = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark Industries", "Wayne Enterprises", "Soylent"]
PLANS = ["free", "starter", "pro", "enterprise"]
TAGS = ["vip", "frequent", "new", "churn-risk", "wholesale", "newsletter", "beta", "partner"]
REGIONS = ["US", "US", "US", "GB", "DE", "FR", "IN", "BR", "AU", "JP", "ZA", "CA"]


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace("'", "")


def _phone(rng: random.Random, region: str) -> str | None:
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    national = str(example.national_number)
    for _ in range(20):
        tail = "".join(rng.choice("0123456789") for _ in range(4))
        number = phonenumbers.parse(f"+{example.country_code}{national[:-4]}{tail}")
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


class Command(BaseCommand):
    help = "Load the demo sub-account (idempotent) and print its API key and staff login."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000/",
            help="Where the server answers, for the printed login URL (`make run` passes its HOST and PORT)",
        )

    def handle(self, *args, base_url, **options):
        with transaction.atomic():
            sub_account, _ = SubAccount.objects.get_or_create(
                slug=DEMO_SLUG, defaults={"name": "Demo Coffee Co.", "default_phone_region": "US"}
            )
            self._ensure_staff_login(sub_account)
            created = self._ensure_contacts(sub_account)
        self.stdout.write(f"Demo sub-account “{sub_account.name}” ({sub_account.slug}): {created} contacts added.")
        # By name, not by import: contacts does not depend on the conversations app that builds on it.
        call_command("load_demo_conversations", stdout=self.stdout)
        self.stdout.write(f"Staff login: {base_url}  user {DEMO_USERNAME}  password {DEMO_PASSWORD}")
        self.stdout.write(f"API key (also in {KEY_FILE.name}):")
        self.stdout.write(self._ensure_api_key(sub_account))

    def _ensure_staff_login(self, sub_account: SubAccount) -> None:
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=DEMO_USERNAME, defaults={"email": "demo@example.com", "is_staff": True, "is_superuser": True}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        Membership.objects.get_or_create(user=user, sub_account=sub_account, defaults={"role": Membership.Role.ADMIN})

    def _ensure_contacts(self, sub_account: SubAccount) -> int:
        existing = Contact.objects.for_account(sub_account).count()
        rng = random.Random(20261126)  # the same demo every time
        for index in range(existing, DEMO_CONTACTS):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            custom_fields = {"company": rng.choice(COMPANIES), "plan": rng.choice(PLANS)}
            if rng.random() < 0.3:
                custom_fields["lifetime_value"] = round(rng.uniform(20, 5000), 2)
            if rng.random() < 0.2:
                custom_fields["newsletter_opt_in"] = rng.random() < 0.5
            contact_create(
                sub_account=sub_account,
                name=f"{first} {last}",
                email=_ascii(f"{first}.{last}.{index}@example.com"),
                phone=_phone(rng, rng.choice(REGIONS)) if rng.random() < 0.85 else None,
                tags=rng.sample(TAGS, k=rng.choice([0, 1, 1, 2, 3])),
                custom_fields=custom_fields,
            )
        return max(0, DEMO_CONTACTS - existing)

    def _ensure_api_key(self, sub_account: SubAccount) -> str:
        if KEY_FILE.exists():
            raw_key = KEY_FILE.read_text().strip()
            found = APIKey.objects.authenticate(raw_key)
            if found and found.sub_account_id == sub_account.pk:
                return raw_key
        _, raw_key = api_key_create(sub_account=sub_account, name="Demo key")
        KEY_FILE.write_text(raw_key + "\n")
        KEY_FILE.chmod(0o600)
        return raw_key
