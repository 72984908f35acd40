"""How good the duplicate candidates are, on generated data: 10,000 contacts, 500 of them planted duplicates of
others (case, whitespace, accents, national vs international phone, typos in names, Gmail dots and +tags). At
the default threshold the sub-account's list must find ≥ 95% of the planted pairs (recall), and ≥ 90% of what it
lists must be planted (precision)."""

import random
import time

import pytest

from contacts.identities import keys_for
from contacts.models import Contact, ContactMatchKey
from contacts.validators import normalize_phone
from identity.duplicates import DEFAULT_THRESHOLD, duplicate_pairs

pytestmark = pytest.mark.django_db

CONTACTS = 10_000
PLANTED = 500
FIRST = [
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Margaret",
    "Barbara",
    "Edsger",
    "Donald",
    "Ken",
    "Dennis",
    "Frances",
    "Radia",
    "Tim",
    "Vint",
    "Bjarne",
    "Guido",
    "Anita",
    "Renée",
    "José",
    "Zoë",
    "Björn",
    "Søren",
    "Chloé",
    "Inès",
    "Noémie",
    "Élodie",
    "Ana",
    "Lucía",
    "Jürgen",
    "Małgorzata",
    "Ørjan",
    "François",
    "Hélène",
    "Raúl",
    "Amara",
    "Kofi",
    "Yuki",
    "Hiro",
    "Mei",
    "Wei",
    "Priya",
    "Arjun",
    "Fatima",
    "Omar",
    "Leila",
    "Tariq",
    "Ingrid",
    "Sven",
    "Olga",
    "Ivan",
    "Nadia",
    "Pavel",
    "Elena",
    "Marco",
    "Giulia",
    "Luca",
    "Sofia",
    "Pedro",
    "Carmen",
    "Diego",
    "Lucas",
    "Emma",
    "Noah",
    "Olivia",
    "Liam",
    "Mia",
    "Ethan",
    "Ava",
    "Mason",
    "Harper",
    "Logan",
]
LAST = [
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Liskov",
    "Dijkstra",
    "Knuth",
    "Thompson",
    "Ritchie",
    "Allen",
    "Perlman",
    "Berners",
    "Cerf",
    "Stroustrup",
    "Rossum",
    "Borg",
    "Dupont",
    "Müller",
    "García",
    "Núñez",
    "Søndergaard",
    "Østergaard",
    "Lefèvre",
    "Béranger",
    "Ramírez",
    "Nowak",
    "Kowalski",
    "Okafor",
    "Mensah",
    "Tanaka",
    "Sato",
    "Chen",
    "Wang",
    "Patel",
    "Sharma",
    "Haddad",
    "Khan",
    "Nakamura",
    "Larsen",
    "Johansson",
    "Petrov",
    "Ivanova",
    "Rossi",
    "Bianchi",
    "Costa",
    "Silva",
    "Santos",
    "Fernández",
    "López",
    "Martin",
    "Bernard",
    "Moreau",
    "Fischer",
    "Weber",
    "Becker",
    "Novak",
    "Horvat",
    "Kovač",
    "Jensen",
    "Nielsen",
    "Hansen",
    "Andersen",
    "Olsen",
    "Berg",
    "Lund",
    "Strand",
    "Holm",
    "Dahl",
    "Wolf",
    "Schmidt",
    "Meyer",
    "Wagner",
]
FREE_MAIL = ("gmail.com", "yahoo.com", "outlook.com")
AREA_CODES = ("415", "617", "212", "312", "206", "303", "512")


def _strip_accents(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _typo(rng: random.Random, name: str) -> str:
    """One slip of the keyboard inside a word: two letters swapped, or one doubled."""
    position = rng.randrange(1, len(name) - 2)
    if name[position] == " " or name[position + 1] == " ":
        return name[:position] + name[position] + name[position:]
    if rng.random() < 0.5:
        return name[:position] + name[position + 1] + name[position] + name[position + 2 :]
    return name[:position] + name[position] + name[position:]


def _national(phone: str) -> str:
    digits = phone[2:]
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def _originals(rng: random.Random, count: int) -> list[dict]:
    people = []
    for number in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        if rng.random() < 0.3:
            email = f"{first.lower()}.{_strip_accents(last).lower()}{number}@{rng.choice(FREE_MAIL)}"
        else:
            email = f"{_strip_accents(first).lower()}{number}@company{rng.randrange(400)}.com"
        phone = None
        if rng.random() < 0.6:
            phone = f"+1{rng.choice(AREA_CODES)}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
        people.append({"name": f"{first} {last}", "email": email, "phone": phone})
    return people


def _duplicate(rng: random.Random, original: dict, kind: str, number: int) -> dict:
    name, email, phone = original["name"], original["email"], original["phone"]
    if kind == "email_case":  # the same mailbox in capitals with a +tag; the name with stray spaces
        local, domain = email.split("@")
        return {"name": f" {name.upper()}  ", "email": f"{local}+Shop@{domain}".upper(), "phone": None}
    if kind == "gmail":  # Gmail's dots and +tag; a typo in the name
        local, domain = email.split("@")
        return {"name": _typo(rng, name), "email": f"{local.replace('.', '')}+news@{domain}", "phone": None}
    if kind == "phone":  # the number written nationally, another mailbox; the name without its accents
        return {"name": _strip_accents(name), "email": f"other{number}@yahoo.com", "phone": _national(phone)}
    # same_name_domain: the name's accents, case and spacing differ, another address at the same company
    domain = email.split("@")[1]
    return {"name": "  " + _strip_accents(name).lower(), "email": f"contact{number}@{domain}", "phone": None}


def _plant(rng: random.Random, people: list[dict]) -> list[tuple[int, dict]]:
    """500 duplicates of distinct originals, each of a kind its original allows."""
    kinds = {"email_case": 150, "gmail": 100, "phone": 150, "same_name_domain": 100}
    suitable = {
        "email_case": lambda p: p["email"].endswith(("@gmail.com", "@outlook.com")),
        "gmail": lambda p: p["email"].endswith("@gmail.com"),
        "phone": lambda p: p["phone"] is not None,
        "same_name_domain": lambda p: "@company" in p["email"],
    }
    free = list(range(len(people)))
    rng.shuffle(free)
    planted = []
    for kind, count in kinds.items():
        chosen = [index for index in free if suitable[kind](people[index])][:count]
        free = [index for index in free if index not in set(chosen)]
        planted += [(index, _duplicate(rng, people[index], kind, len(planted) + n)) for n, index in enumerate(chosen)]
    return planted


def _stored(person: dict, sub_account) -> Contact:
    """As a contact write would store it (Contact.clean_fields' normalization), without a write per contact."""
    phone = normalize_phone(person["phone"], "US") if person["phone"] else None
    return Contact(
        sub_account=sub_account, name=person["name"].strip(), email=person["email"].strip().lower(), phone=phone
    )


def test_the_default_threshold_finds_planted_duplicates_with_recall_and_precision(sub_account):
    rng = random.Random(14)
    people = _originals(rng, CONTACTS - PLANTED)
    planted = _plant(rng, people)
    contacts = [_stored(person, sub_account) for person in people]
    duplicates = [_stored(person, sub_account) for _, person in planted]
    Contact.objects.bulk_create(contacts + duplicates, batch_size=2000)
    ContactMatchKey.objects.bulk_create(
        [
            ContactMatchKey(sub_account=sub_account, contact_id=contact.pk, key=key)
            for contact in contacts + duplicates
            for key in keys_for(
                name=contact.name, emails=[contact.email], phones=[contact.phone] if contact.phone else []
            )
        ],
        batch_size=5000,
    )
    truth = {
        frozenset((contacts[index].pk, duplicate.pk)) for (index, _), duplicate in zip(planted, duplicates, strict=True)
    }

    started = time.perf_counter()
    found = {
        frozenset((pair.first.pk, pair.second.pk)) for pair in duplicate_pairs(sub_account, min_score=DEFAULT_THRESHOLD)
    }
    elapsed = time.perf_counter() - started

    recall = len(found & truth) / len(truth)
    precision = len(found & truth) / len(found)
    print(f"\nduplicates: recall {recall:.3f}, precision {precision:.3f}, {len(found)} pairs listed in {elapsed:.2f} s")
    assert len(truth) == PLANTED
    assert recall >= 0.95
    assert precision >= 0.90
