"""Upsert: create the contact, or update the one it already is, matched by email and/or phone (docs/identity.md).

One person, one contact, under concurrency: every upsert first takes a lock per value it matches by (a
transaction-level advisory lock on PostgreSQL; SQLite's IMMEDIATE transactions already run writers one at a
time), so two upserts of one new person run one after the other and the second finds what the first created.
The email's unique constraint stays the last word: a creator that still loses to a plain create re-reads and
updates instead.
"""

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from accounts.models import SubAccount
from contacts import services
from contacts.identities import contact_known_by
from contacts.models import Contact
from contacts.representation import contact_to_dict
from contacts.validators import normalize_phone
from contacts_site.errors import Conflict, DomainError, EmailTaken
from contacts_site.updates import UNSET, given
from contacts_site.validation import normalize_text
from webhooks.events import changes_between

MATCH_RULES = ("email", "phone")
DEFAULT_MATCH = ("email", "phone")
MAX_BATCH_ITEMS = 100
# What an upsert reports as changed: the fields a caller writes.
WRITABLE_FIELDS = ("name", "email", "phone", "tags", "custom_fields")
NOTHING = {"name": None, "email": None, "phone": None, "tags": [], "custom_fields": {}}

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass
class UpsertOutcome:
    result: str
    contact: Contact
    changes: dict = field(default_factory=dict)


def _matched_values(sub_account: SubAccount, match, email, phone) -> dict[str, str]:
    """The normalized email and phone the upsert matches by, as the contact would store them."""
    if not match or any(rule not in MATCH_RULES for rule in match) or len(set(match)) != len(match):
        raise ValidationError({"match": ["Give “email”, “phone” or both, each once, in the order to match by."]})
    values = {}
    if "email" in match and isinstance(email, str) and email.strip():
        values["email"] = normalize_text(email).strip().lower()
    if "phone" in match and isinstance(phone, str) and phone.strip():
        try:
            values["phone"] = normalize_phone(phone.strip(), sub_account.default_phone_region)
        except ValidationError as error:
            raise ValidationError({"phone": error.messages}) from None
    if not values:
        raise ValidationError({"match": [f"Give a value for {' or '.join(match)}: it is what the upsert matches by."]})
    return values


def _lock_key(sub_account_id: int, rule: str, value: str) -> int:
    digest = hashlib.sha256(f"contact-upsert:{sub_account_id}:{rule}:{value}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def serialize_upserts(sub_account_id: int, values: list[tuple[str, str]]) -> None:
    """Wait for any other transaction upserting one of these values, until this transaction ends. Sorted, so two
    transactions locking several values never wait for each other in a circle."""
    if connection.vendor != "postgresql":
        return  # SQLite: the IMMEDIATE transaction already holds the database's one write lock
    keys = sorted({_lock_key(sub_account_id, rule, value) for rule, value in values})
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _changes(before: dict, after: dict) -> dict:
    return {key: change for key, change in changes_between(before, after).items() if key in WRITABLE_FIELDS}


@transaction.atomic
def contact_upsert(
    *,
    sub_account: SubAccount,
    match: list[str] | tuple[str, ...] = DEFAULT_MATCH,
    name: str = UNSET,
    email: str | None = UNSET,
    phone: str | None = UNSET,
    tags: list[str] = UNSET,
    custom_fields: dict = UNSET,
) -> UpsertOutcome:
    """Create the contact, or update the one matched (by `match`, in its order), or leave it unchanged.

    Conflict (naming both) when the email and the phone match two different contacts: nothing is written.
    A contact matched by a secondary email or phone keeps its own: the matched value is not written over it.
    """
    values = _matched_values(sub_account, match, email, phone)
    serialize_upserts(sub_account.pk, list(values.items()))
    found = {rule: contact_known_by(sub_account.pk, **{rule: values[rule]}) for rule in match if rule in values}
    holders = {rule: contact for rule, contact in found.items() if contact is not None}
    if len({contact.pk for contact in holders.values()}) > 1:
        raise Conflict(
            "The email and the phone belong to two different contacts; nothing was written.",
            conflicts=[{"field": rule, "contact_id": contact.pk} for rule, contact in holders.items()],
        )
    fields = given(name=name, email=email, phone=phone, tags=tags, custom_fields=custom_fields)
    contact = next(iter(holders.values()), None)
    if contact is None:
        try:
            with transaction.atomic():
                created = services.contact_create(sub_account=sub_account, **{"name": "", **fields})
            return UpsertOutcome(CREATED, created, _changes(NOTHING, contact_to_dict(created)))
        except EmailTaken as taken:
            # A create (not an upsert) took the email since the lookup: this person exists after all.
            if "email" not in values:
                raise
            contact = Contact.objects.for_account(sub_account).get(pk=taken.contact_id)
    for rule in holders:
        if getattr(contact, rule) != values[rule]:
            fields.pop(rule, None)  # matched by a secondary identity: the contact keeps its own
    before = contact_to_dict(contact)
    updated = services.contact_update(contact=contact, **fields)
    changes = _changes(before, contact_to_dict(updated))
    return UpsertOutcome(UPDATED if changes else UNCHANGED, updated, changes)


@transaction.atomic
def contacts_upsert(*, sub_account: SubAccount, items: list[dict[str, Any]]) -> list[UpsertOutcome | Exception]:
    """Upsert each item in order, each atomic on its own: an item refused (its ValidationError or domain error is
    its answer) leaves the others done. Items for one person meet the contact the earlier item wrote, so they
    coalesce (created, then updated or unchanged) rather than conflict. Every value is locked up front, in
    one order, so concurrent batches cannot deadlock on each other's locks."""
    if len(items) > MAX_BATCH_ITEMS:
        raise ValidationError({"items": [f"At most {MAX_BATCH_ITEMS} contacts in one batch."]})
    lockable = []
    for item in items:
        try:
            values = _matched_values(
                sub_account, item.get("match", DEFAULT_MATCH), item.get("email"), item.get("phone")
            )
        except ValidationError:
            continue  # answered when the item runs
        lockable += list(values.items())
    serialize_upserts(sub_account.pk, lockable)
    outcomes: list[UpsertOutcome | Exception] = []
    for item in items:
        try:
            with transaction.atomic():
                outcomes.append(contact_upsert(sub_account=sub_account, **item))
        except (ValidationError, DomainError) as error:
            outcomes.append(error)
    return outcomes
