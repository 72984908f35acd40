"""A CSV of contacts as a real export from another tool looks: mixed-case headers, national and
international phones, tags in one cell, two custom fields, and a sprinkling of bad rows."""

import csv
import random

FIRST = ["Ada", "Bob", "Zoë", "José", "Mei", "Olu", "Ana", "Lars", "Chloé", "Ivan", "Aiko", "Omar", "Priya", "Noah"]
LAST = ["Lovelace", "Ünal", "García", "Chen", "Okafor", "Silva", "Berg", "Dubois", "Petrov", "Sato", "Haddad"]
PLANS = ["free", "pro", "team", "enterprise"]
TAGS = ["vip", "newsletter", "lead", "customer", "churned", "beta", "partner"]
BAD_EVERY = 200  # one row in 200 has an invalid email: row errors are part of a real import


# Area codes in use (phonenumbers calls their numbers valid): 24 × 800 exchanges × 10,000 lines.
AREAS = [
    201,
    202,
    203,
    205,
    206,
    207,
    208,
    212,
    213,
    214,
    215,
    216,
    217,
    218,
    219,
    224,
    225,
    228,
    229,
    231,
    234,
    239,
    240,
    248,
]


def phone(n: int) -> str:
    """A distinct valid US number for each n, half written nationally, half internationally."""
    area = AREAS[n % len(AREAS)]
    exchange = 200 + (n // len(AREAS)) % 800
    line = (n // (len(AREAS) * 800)) % 10000
    return f"({area}) {exchange}-{line:04d}" if n % 2 else f"+1 {area} {exchange} {line:04d}"


def rows(count: int, seed: int = 13):
    rng = random.Random(seed)
    for n in range(count):
        email = f"person{n}@example.com" if n % BAD_EVERY else f"person{n}-at-example.com"
        tags = ",".join(rng.sample(TAGS, rng.randint(0, 2)))
        yield [
            f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            email,
            phone(n),
            tags,
            rng.choice(PLANS),
            str(rng.randint(1, 500)),
        ]


def write_csv(path, count: int) -> None:
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["Name", "Email", "Phone", "Tags", "Plan", "Seats"])
        writer.writerows(rows(count))
