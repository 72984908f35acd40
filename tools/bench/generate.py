"""Generate realistic contacts (with tags, custom fields and conversations) and write them fast.

Rows are produced in chunks, in global creation order (contacts of all sub-accounts interleaved,
as if they had arrived over three years), and written by a sink: PostgreSQL `COPY` (psycopg 3
`cursor.copy()`) or SQLite `executemany`. Everything derived is computed here so it is consistent:
a conversation's `message_count`/`last_message_at`/`last_activity_at`, a contact's
`conversation_count`/`last_conversation`, a sub-account's `contact_count`.

The columns written are matched against the models at run time, so a column added later with a
constant default or NULL does not break the generator; one it cannot fill stops it with a clear error.
"""

import heapq
import json
import operator
import random
import re
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import phonenumbers
from django.core.management.color import no_style
from django.db import connection as default_connection
from django.db.models import NOT_PROVIDED
from django.utils.text import slugify

from accounts.models import SubAccount
from contacts.identities import keys_for
from contacts.models import Contact, ContactMatchKey, ContactTag, TaggedContact
from contacts.search import search_text_of
from contacts.services import contact_counts_recompute
from conversations.models import Conversation, Message
from tools.bench import vocabulary as vocab

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CHUNK_CONTACTS = 20_000

# The product's id format (contacts_site.ids): a ULID body, 48-bit milliseconds then 80 random bits in
# Crockford base32. Built here from the row's own creation time so ids sort like created_at.
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# Two base32 digits (10 bits) per lookup: 13 lookups make the 26 digits.
_DIGIT_PAIRS = [high + low for high in _CROCKFORD for low in _CROCKFORD]
_PAIR_SHIFTS = range(120, -1, -10)


def ulid_at(milliseconds: int, random_bits: int) -> str:
    value = (milliseconds << 80) | random_bits
    return "".join([_DIGIT_PAIRS[(value >> shift) & 1023] for shift in _PAIR_SHIFTS])


def ulid_milliseconds(identifier: str) -> int:
    """The creation time encoded in a `prefix_ULID` id (used by the tests)."""
    value = 0
    for char in identifier.partition("_")[2][:10]:
        value = value * 32 + _CROCKFORD.index(char)
    return value


@dataclass(frozen=True)
class Plan:
    """What to generate. The first sub-account is the big one, the second the small one."""

    contacts: int
    accounts: int = 100
    big_share: float = 0.5
    small_size: int = 5_000
    conversation_share: float = 0.2
    # The big sub-account's inbox holds ~300k conversations (about 1.4 per contact that has any), the
    # size the workspace issue's inbox target names; the others keep the lighter share.
    big_conversation_share: float = 0.43
    years: float = 3.0
    seed: int = 5
    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    def account_sizes(self) -> list[int]:
        if self.accounts == 1:
            return [self.contacts]
        big = round(self.contacts * self.big_share)
        rest = self.contacts - big
        if self.accounts == 2:
            return [big, rest]
        small = min(self.small_size, rest // 2)
        spread = rest - small
        others = self.accounts - 2
        rng = random.Random(self.seed)
        weights = [rng.lognormvariate(0, 1) for _ in range(others)]
        total = sum(weights)
        sizes = [int(spread * weight / total) for weight in weights]
        for index in range(spread - sum(sizes)):
            sizes[index % others] += 1
        return [big, small, *sizes]


@dataclass
class AccountPlan:
    pk: int
    slug: str
    size: int
    region: str
    tags: list[tuple[int, str, float]] = field(default_factory=list)  # (tag id, name, share)
    emails: set[str] = field(default_factory=set)


@dataclass
class LoadResult:
    accounts: list[AccountPlan]
    rows: dict[str, int]
    seconds: float


# ---- columns: what the generator produces, matched to the models -------------------------------------

GENERATED_COLUMNS = {
    ContactTag: ("id", "name", "slug", "sub_account_id"),
    Contact: (
        "id",
        "sub_account_id",
        "name",
        "email",
        "phone",
        "custom_fields",
        "created_at",
        "updated_at",
        "last_conversation",
        "conversation_count",
        "search_text",
        "tag_ids",
    ),
    TaggedContact: ("id", "content_object_id", "tag_id", "sub_account_id"),
    Conversation: (
        "id",
        "sub_account_id",
        "contact_id",
        "channel",
        "status",
        "subject",
        "created_at",
        "updated_at",
        "last_message_at",
        "message_count",
        "last_activity_at",
    ),
    Message: ("id", "sub_account_id", "conversation_id", "direction", "sender", "body", "created_at"),
    # The duplicate-detection keys every contact write keeps (contacts.identities), computed the same way.
    ContactMatchKey: ("id", "sub_account_id", "contact_id", "key"),
}
WRITE_ORDER = [ContactTag, Contact, TaggedContact, Conversation, Message, ContactMatchKey]


@dataclass
class ColumnPlan:
    columns: list[str]
    pick: object  # row tuple → the values of `columns`
    datetime_positions: list[int]


def column_plan(model) -> ColumnPlan:
    """The model's columns that get a value, and how to take them from a generated row.

    Generated columns the model lacks are dropped; model columns the generator lacks are left to the
    database when nullable or defaulted there, filled with a constant Python default, or refused.
    """
    generated = GENERATED_COLUMNS[model]
    columns, indexes, constant_columns, constants = [], [], [], []
    for model_field in model._meta.concrete_fields:
        column = model_field.column
        if column in generated:
            columns.append(column)
            indexes.append(generated.index(column))
        elif model_field.db_default is not NOT_PROVIDED or model_field.null:
            continue
        elif model_field.has_default() and not callable(model_field.default):
            constant_columns.append(column)
            constants.append(model_field.get_db_prep_save(model_field.default, default_connection))
        else:
            raise RuntimeError(f"bench/generate.py does not know how to fill {model._meta.db_table}.{column}")
    columns += constant_columns  # their values are appended after the picked ones
    getter = operator.itemgetter(*indexes)
    constant_tail = tuple(constants)
    if len(indexes) == 1:
        pick = (lambda row: (getter(row), *constant_tail)) if constant_tail else (lambda row: (getter(row),))
    elif constant_tail:
        pick = lambda row: getter(row) + constant_tail
    else:
        pick = getter
    date_columns = {f.column for f in model._meta.concrete_fields if f.get_internal_type() == "DateTimeField"}
    return ColumnPlan(columns, pick, [i for i, c in enumerate(columns) if c in date_columns])


# ---- sinks -------------------------------------------------------------------------------------------


# Columns of the PostgreSQL tables that are not model fields: each contact's tag ids, which triggers keep from
# the links (contacts migration 0016), and which the load, skipping triggers, writes itself.
POSTGRES_ONLY_COLUMNS = {Contact: ("tag_ids",)}


class PostgresCopySink:
    """`COPY … FROM STDIN` through psycopg 3, one statement per table and chunk."""

    def __init__(self, connection):
        self.connection = connection
        self.plans = {model: column_plan(model) for model in WRITE_ORDER}
        for model, extra in POSTGRES_ONLY_COLUMNS.items():
            plan, positions = self.plans[model], [GENERATED_COLUMNS[model].index(column) for column in extra]
            pick = plan.pick
            plan.columns = [*plan.columns, *extra]
            plan.pick = lambda row, pick=pick, positions=positions: (
                *pick(row),
                *(row[position] for position in positions),
            )

    def write(self, model, rows: list[tuple]) -> None:
        if not rows:
            return
        plan = self.plans[model]
        statement = f"COPY {model._meta.db_table} ({', '.join(plan.columns)}) FROM STDIN"
        self.connection.ensure_connection()
        with self.connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
            pick = plan.pick
            for row in rows:
                copy.write_row(pick(row))


class SQLiteSink:
    """Batched INSERTs; datetimes stored the way Django stores them on SQLite (naive UTC text)."""

    def __init__(self, connection):
        self.connection = connection
        self.plans = {model: column_plan(model) for model in WRITE_ORDER}

    def write(self, model, rows: list[tuple]) -> None:
        if not rows:
            return
        plan = self.plans[model]
        adapt = self.connection.ops.adapt_datetimefield_value
        statement = (
            f"INSERT INTO {model._meta.db_table} ({', '.join(plan.columns)}) "
            f"VALUES ({', '.join(['%s'] * len(plan.columns))})"
        )
        prepared = []
        for row in rows:
            values = list(plan.pick(row))
            for position in plan.datetime_positions:
                values[position] = adapt(values[position])
            prepared.append(values)
        with self.connection.cursor() as cursor:
            cursor.executemany(statement, prepared)


def sink_for(connection):
    return PostgresCopySink(connection) if connection.vendor == "postgresql" else SQLiteSink(connection)


# ---- the generator -----------------------------------------------------------------------------------


def _cumulative(weights) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _ascii(text: str) -> str:
    text = text.lower().translate(vocab.TRANSLITERATION)
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode())


def _phone_prefixes(region: str, rng: random.Random, size: int = 48) -> tuple[int, list[str]]:
    """National-number prefixes (all but the last four digits) for which any four final digits make a
    valid mobile number of `region`, found by trial from the region's example number."""
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    country_code, national = example.country_code, str(example.national_number)
    prefixes: set[str] = {national[:-4]}
    for _ in range(8000):
        if len(prefixes) >= size:
            break
        candidate = national[0] + "".join(rng.choice("0123456789") for _ in range(len(national) - 5))
        if all(
            phonenumbers.is_valid_number(phonenumbers.parse(f"+{country_code}{candidate}{tail}"))
            for tail in ("0000", "4821", "9999")
        ):
            prefixes.add(candidate)
    return country_code, sorted(prefixes)


class Generator:
    def __init__(self, plan: Plan, accounts: list[AccountPlan]):
        self.plan = plan
        self.accounts = accounts
        self.rng = random.Random(plan.seed)
        self.now_us = int((plan.now - EPOCH).total_seconds() * 1_000_000)
        self.start_us = self.now_us - int(plan.years * 365.25 * 86400 * 1_000_000)
        self.first_names = vocab.FIRST_NAMES
        self.last_names = [name for name, _ in vocab.LAST_NAMES]
        self.last_cumulative = _cumulative(weight for _, weight in vocab.LAST_NAMES)
        self.domains = [domain for domain, _ in vocab.MAIL_DOMAINS]
        self.domain_cumulative = _cumulative(weight for _, weight in vocab.MAIL_DOMAINS)
        self.companies = vocab.COMPANIES
        # A few big customers, a long tail: company popularity falls off like 1/rank.
        self.company_cumulative = _cumulative(1 / (rank + 5) for rank in range(len(self.companies)))
        self.company_domains = [_ascii(company.rsplit(" ", 1)[0]) + ".com" for company in self.companies]
        self.plans = [plan_name for plan_name, _ in vocab.PLANS]
        self.plan_cumulative = _cumulative(weight for _, weight in vocab.PLANS)
        self.channels = [channel for channel, _ in vocab.CHANNELS]
        self.channel_cumulative = _cumulative(weight for _, weight in vocab.CHANNELS)
        phone_rng = random.Random(plan.seed + 1)
        self.phone_prefixes = {region: _phone_prefixes(region, phone_rng) for region in vocab.PHONE_REGIONS}
        self.ascii_cache: dict[str, str] = {}

    # -- helpers

    def _datetime(self, microseconds: int) -> datetime:
        return EPOCH + timedelta(microseconds=microseconds)

    def _id(self, prefix: str, microseconds: int) -> str:
        return f"{prefix}_{ulid_at(microseconds // 1000, self.rng.getrandbits(80))}"

    def _ascii_cached(self, text: str) -> str:
        value = self.ascii_cache.get(text)
        if value is None:
            value = self.ascii_cache[text] = _ascii(text)
        return value

    # -- pieces of a contact

    def _name_and_local_part(self) -> tuple[str, str]:
        rng = self.rng
        if rng.random() < vocab.NON_LATIN_SHARE:
            return rng.choice(vocab.NON_LATIN_FULL_NAMES)
        first, first_ascii = rng.choice(self.first_names)
        last = rng.choices(self.last_names, cum_weights=self.last_cumulative)[0]
        f = first_ascii or self._ascii_cached(first)
        last_ascii = self._ascii_cached(last)
        pattern = rng.random()
        if pattern < 0.35:
            local = f"{f}.{last_ascii}"
        elif pattern < 0.5:
            local = f"{f}{last_ascii}"
        elif pattern < 0.6:
            local = f"{f[0]}{last_ascii}"
        elif pattern < 0.7:
            local = f"{f}_{last_ascii}"
        elif pattern < 0.85:
            local = f"{f}.{last_ascii}{rng.randint(1, 99)}"
        else:
            local = f"{f}{rng.randint(1960, 2008)}"
        return f"{first} {last}", local

    def _email(self, account: AccountPlan, local: str, company_index: int | None) -> str | None:
        rng = self.rng
        if rng.random() >= vocab.EMAIL_SHARE:
            return None
        if company_index is not None and rng.random() < vocab.COMPANY_MAIL_SHARE:
            domain = self.company_domains[company_index]
        else:
            domain = rng.choices(self.domains, cum_weights=self.domain_cumulative)[0]
        email = f"{local}@{domain}"
        suffix = 2
        while email in account.emails:
            email = f"{local}.{suffix}@{domain}"
            suffix += 1
        account.emails.add(email)
        return email

    def _phone(self, account: AccountPlan) -> str | None:
        rng = self.rng
        if rng.random() >= vocab.PHONE_SHARE:
            return None
        region = account.region if rng.random() < vocab.HOME_REGION_SHARE else rng.choice(vocab.PHONE_REGIONS)
        country_code, prefixes = self.phone_prefixes[region]
        return f"+{country_code}{rng.choice(prefixes)}{rng.randrange(10_000):04d}"

    def _custom_fields(self) -> tuple[str, int | None]:
        rng = self.rng
        fields: dict = {}
        company_index = None
        if rng.random() < 0.1:
            return "{}", None
        if rng.random() < 0.85:
            company_index = rng.choices(range(len(self.companies)), cum_weights=self.company_cumulative)[0]
            fields["company"] = self.companies[company_index]
        if rng.random() < 0.9:
            plan_name = rng.choices(self.plans, cum_weights=self.plan_cumulative)[0]
            fields["plan"] = plan_name
            if plan_name != "free":
                fields["seats"] = max(1, int(rng.lognormvariate(2, 1.2)))
        if rng.random() < 0.6:
            fields["newsletter_opt_in"] = rng.random() < 0.55
        if rng.random() < 0.25:
            fields["lifetime_value"] = round(rng.lognormvariate(5, 1.3), 2)
        if rng.random() < 0.5:
            fields["signup_source"] = rng.choice(vocab.SIGNUP_SOURCES)
        return json.dumps(fields, ensure_ascii=False), company_index

    def _conversations(self, account: AccountPlan, contact_id: str, created_us: int, chunk: dict) -> tuple[int, int]:
        """Conversations and messages of one contact; returns (count, last activity in µs or 0)."""
        rng = self.rng
        count = min(8, 1 + int(rng.expovariate(1.2)))
        last_activity = 0
        for _ in range(count):
            opened = created_us + int((self.now_us - created_us) * rng.random())
            conversation_id = self._id("cv", opened)
            moment = opened
            messages = 0 if rng.random() < 0.05 else 1 + min(11, int(rng.expovariate(0.45)))
            for position in range(messages):
                if position:
                    moment = min(self.now_us, moment + int(rng.expovariate(1 / 7200) * 1_000_000))
                inbound = position == 0 or rng.random() < 0.45
                chunk[Message].append(
                    (
                        self._id("msg", moment),
                        account.pk,
                        conversation_id,
                        "inbound" if inbound else "outbound",
                        "contact" if inbound else ("agent" if rng.random() < 0.8 else "bot"),
                        rng.choice(vocab.INBOUND_BODIES if inbound else vocab.OUTBOUND_BODIES),
                        self._datetime(moment),
                    )
                )
            last_message = self._datetime(moment) if messages else None
            activity = moment if messages else opened
            recent = self.now_us - activity < 30 * 86400 * 1_000_000
            status = rng.choice(["open", "pending", "resolved"] if recent else ["resolved", "closed", "closed"])
            chunk[Conversation].append(
                (
                    conversation_id,
                    account.pk,
                    contact_id,
                    rng.choices(self.channels, cum_weights=self.channel_cumulative)[0],
                    status,
                    rng.choice(vocab.SUBJECTS),
                    self._datetime(opened),
                    self._datetime(activity),
                    last_message,
                    messages,
                    self._datetime(activity),
                )
            )
            last_activity = max(last_activity, activity)
        return count, last_activity

    # -- the streams

    def tag_rows(self) -> list[tuple]:
        rows = []
        next_id = 1
        for account in self.accounts:
            own = self.rng.sample(vocab.TENANT_TAG_POOL, k=vocab.TENANT_TAGS_PER_ACCOUNT)
            vocabulary = [
                *vocab.COMMON_TAGS,
                *vocab.MID_TAGS,
                *vocab.RARE_TAGS,
                *((name, self.rng.choice([0.005, 0.01, 0.02, 0.05])) for name in own),
            ]
            for name, share in vocabulary:
                rows.append((next_id, name, slugify(name), account.pk))
                account.tags.append((next_id, name, share))
                next_id += 1
        return rows

    def _creation_times(self, account: AccountPlan) -> Iterator[tuple[int, int]]:
        rng = random.Random(f"{self.plan.seed}-{account.slug}")
        span = self.now_us - 3_600_000_000 - self.start_us
        times = sorted(self.start_us + int(span * rng.random()) for _ in range(account.size))
        index = self.accounts.index(account)
        return ((moment, index) for moment in times)

    def chunks(self) -> Iterator[dict]:
        """Contacts in global creation order, with their tags and conversations, CHUNK_CONTACTS at a time."""
        rng = self.rng
        tagged_id = key_id = 1
        chunk = self._empty_chunk()
        merged = heapq.merge(*(self._creation_times(account) for account in self.accounts))
        for created_us, account_index in merged:
            account = self.accounts[account_index]
            contact_id = self._id("ct", created_us)
            name, local = self._name_and_local_part()
            custom_fields, company_index = self._custom_fields()
            email = self._email(account, local, company_index)
            phone = self._phone(account)
            tag_ids = []
            for tag_id, _, share in account.tags:
                if rng.random() < share:
                    chunk[TaggedContact].append((tagged_id, contact_id, tag_id, account.pk))
                    tag_ids.append(tag_id)
                    tagged_id += 1
            conversation_count, last_activity = 0, 0
            share = self.plan.big_conversation_share if account_index == 0 else self.plan.conversation_share
            if rng.random() < share:
                conversation_count, last_activity = self._conversations(account, contact_id, created_us, chunk)
            # Most contacts are edited soon after they are created, a few much later.
            updated_us = created_us + int((self.now_us - created_us) * rng.random() ** 4)
            chunk[Contact].append(
                (
                    contact_id,
                    account.pk,
                    name,
                    email,
                    phone,
                    custom_fields,
                    self._datetime(created_us),
                    self._datetime(max(updated_us, created_us)),
                    self._datetime(last_activity) if conversation_count else None,
                    conversation_count,
                    search_text_of(name, email, phone),
                    json.dumps(sorted(tag_ids)),
                )
            )
            for key in sorted(keys_for(name=name, emails=[email] if email else [], phones=[phone] if phone else [])):
                chunk[ContactMatchKey].append((key_id, account.pk, contact_id, key))
                key_id += 1
            if len(chunk[Contact]) >= CHUNK_CONTACTS:
                yield chunk
                chunk = self._empty_chunk()
        if chunk[Contact]:
            yield chunk

    @staticmethod
    def _empty_chunk() -> dict:
        return {Contact: [], TaggedContact: [], Conversation: [], Message: [], ContactMatchKey: []}


def create_accounts(plan: Plan) -> list[AccountPlan]:
    """The sub-accounts of the plan (rows in the database), biggest first, with their phone regions."""
    sizes = plan.account_sizes()
    rng = random.Random(plan.seed + 2)
    accounts = []
    for index, size in enumerate(sizes):
        if index == 0:
            slug, name, region = "bench-big", "Big Retail Co. (benchmark)", "US"
        elif index == 1:
            slug, name, region = "bench-small", "Small Bakery (benchmark)", "GB"
        else:
            slug, name, region = (
                f"bench-{index:03d}",
                f"Business {index:03d} (benchmark)",
                rng.choice(vocab.PHONE_REGIONS),
            )
        sub_account = SubAccount.objects.create(slug=slug, name=name, default_phone_region=region)
        accounts.append(AccountPlan(pk=sub_account.pk, slug=slug, size=size, region=region))
    return accounts


def load(plan: Plan, *, connection=default_connection, progress=None) -> LoadResult:
    """Create the plan's sub-accounts and write all their rows through the connection's sink.

    The caller decides about transactions, dropped indexes and constraint checks (see bench.pgload).
    """
    started = time.perf_counter()
    accounts = create_accounts(plan)
    generator = Generator(plan, accounts)
    sink = sink_for(connection)
    rows = {model._meta.label: 0 for model in WRITE_ORDER}
    tag_rows = generator.tag_rows()
    sink.write(ContactTag, tag_rows)
    rows[ContactTag._meta.label] = len(tag_rows)
    for chunk in generator.chunks():
        for model in WRITE_ORDER[1:]:
            sink.write(model, chunk[model])
            rows[model._meta.label] += len(chunk[model])
        if progress:
            progress(rows[Contact._meta.label], plan.contacts)
    for account in accounts:
        account.emails = set()  # half a million strings are no longer needed
    # The exact per-sub-account counter the unfiltered list answers with, counted from the rows written.
    contact_counts_recompute()
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [ContactTag, TaggedContact, ContactMatchKey]):
            cursor.execute(statement)
    return LoadResult(accounts=accounts, rows=rows, seconds=time.perf_counter() - started)
