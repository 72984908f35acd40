"""Duplicate candidates: contacts sharing a blocking key (contacts.identities, kept on every contact write),
scored by why they look alike. Never a scan of the sub-account: a contact's candidates are an index read of its
keys. The sub-account's list is stored (DuplicatePair) and kept up to date incrementally: each read first
rescores the contacts changed since the previous one; only the first read (or a flood of changes) groups the
keys held by more than one contact, once."""

import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import SubAccount
from contacts.identities import name_similarity
from contacts.models import Contact, ContactMatchKey
from contacts_site.batching import chunks
from identity.models import DuplicatePair, DuplicateScan

# Each reason's weight; a pair's score is 1 - Π(1 - weight): two independent reasons make it likelier.
REASONS = {
    "same_email": 0.9,  # the same mailbox (canonical email: case, and dots and +tags where the domain ignores them)
    "same_phone": 0.8,
    "similar_name": 0.5,  # names alike (typos allowed), on top of a shared email or phone
    "same_name_same_email_domain": 0.6,
    "same_name_same_phone_prefix": 0.5,
    "same_name": 0.25,  # alone: many people share a name
}
KEY_REASONS = {
    "e": "same_email",
    "p": "same_phone",
    "nd": "same_name_same_email_domain",
    "np": "same_name_same_phone_prefix",
    "n": "same_name",
}
# The list's default: the quality test (identity/tests/test_duplicate_quality.py) holds it to recall ≥ 0.95 and
# precision ≥ 0.90.
DEFAULT_THRESHOLD = 0.5
SIMILAR_NAME_RATIO = 0.8
# A key more contacts than this share says little (a common name): left out, so one key cannot make a
# request read thousands of rows.
MAX_KEY_GROUP = 50


@dataclass
class Candidate:
    contact: Contact
    score: float
    reasons: list[str]


@dataclass
class ScoredPair:
    first: Contact
    second: Contact
    score: float
    reasons: list[str]


def _reasons(shared_keys: set[str], first_name: str, second_name: str) -> list[str]:
    reasons = sorted({KEY_REASONS[key.split(":", 1)[0]] for key in shared_keys}, key=lambda r: -REASONS[r])
    if {"same_email", "same_phone"} & set(reasons) and name_similarity(first_name, second_name) >= SIMILAR_NAME_RATIO:
        reasons.append("similar_name")
    if len(reasons) > 1 and "same_name" in reasons:
        reasons.remove("same_name")  # implied by the stronger name reason beside it
    return reasons


def score_of(reasons: list[str]) -> float:
    return round(1 - math.prod(1 - REASONS[reason] for reason in reasons), 3)


def duplicates_of(contact: Contact, *, min_score: float = 0.0, limit: int = 20) -> list[Candidate]:
    """The contacts of the sub-account probably the same person as `contact`, best first."""
    keys = ContactMatchKey.objects.for_account(contact.sub_account_id)
    shared: dict[str, set[str]] = defaultdict(set)
    for key in keys.filter(contact_id=contact.pk).values_list("key", flat=True):
        # One short index read per key, cut at MAX_KEY_GROUP: a key that common is left out whole.
        holders = list(
            keys.filter(key=key).exclude(contact_id=contact.pk).values_list("contact_id", flat=True)[:MAX_KEY_GROUP]
        )
        if len(holders) < MAX_KEY_GROUP:
            for holder in holders:
                shared[holder].add(key)
    if not shared:
        return []
    others = Contact.objects.for_account(contact.sub_account_id).filter(pk__in=list(shared)).with_tags()
    candidates = []
    for other in others:
        reasons = _reasons(shared[other.pk], contact.name, other.name)
        score = score_of(reasons)
        if score >= min_score:
            candidates.append(Candidate(other, score, reasons))
    candidates.sort(key=lambda candidate: (-candidate.score, candidate.contact.name, candidate.contact.pk))
    return candidates[:limit]


# A full rescore groups and scores this many shared-key rows at a time, and writes their pairs before reading on:
# a sub-account's pairs grow with the square of its size where names repeat (same name and email domain, same
# name and phone prefix), and holding them all made the first read of `/duplicates` raise a gunicorn worker's
# peak RSS from 82 to 421 MB at 1M contacts (make bench, scenario `duplicates_list`).
PAIR_ROWS_PER_CHUNK = 1000


def _shared_key_rows(sub_account_id: int) -> Iterator[list[tuple[str, str, str]]]:
    """(contact, other contact, key) for every two contacts sharing a key of 2 to MAX_KEY_GROUP holders, ordered so
    that a pair's rows come together, in lists of about PAIR_ROWS_PER_CHUNK rows that never split a pair.

    The self-join is raw SQL (the ORM joins only along relations), and it is read through a chunked cursor (a
    server-side one on PostgreSQL): the rows stream instead of arriving all at once. The name alone never
    reaches the default threshold, so its keys are left out, as `duplicate_pairs` always did."""
    table = connection.ops.quote_name(ContactMatchKey._meta.db_table)
    sql = f"""
        SELECT "a"."contact_id", "b"."contact_id", "a"."key"
        FROM {table} "a" INNER JOIN {table} "b" ON ("b"."key" = "a"."key" AND "b"."contact_id" > "a"."contact_id")
        WHERE "a"."sub_account_id" = %s AND "b"."sub_account_id" = %s AND "a"."key" IN (
            SELECT "key" FROM {table}
            WHERE "sub_account_id" = %s AND NOT ("key" LIKE 'n:%%')
            GROUP BY "key" HAVING COUNT(*) > 1 AND COUNT(*) <= %s
        )
        ORDER BY "a"."contact_id", "b"."contact_id"
    """
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, [sub_account_id, sub_account_id, sub_account_id, MAX_KEY_GROUP])
        chunk: list[tuple[str, str, str]] = []
        while rows := cursor.fetchmany(PAIR_ROWS_PER_CHUNK):
            for row in rows:
                if len(chunk) >= PAIR_ROWS_PER_CHUNK and row[:2] != chunk[-1][:2]:
                    yield chunk
                    chunk = []
                chunk.append(row)
        if chunk:
            yield chunk


def _scored_pairs(sub_account_id: int, *, min_score: float) -> Iterator[list[ScoredPair]]:
    """The pairs scoring `min_score` or more, a chunk at a time (see PAIR_ROWS_PER_CHUNK), in no useful order."""
    for rows in _shared_key_rows(sub_account_id):
        pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
        for first, second, key in rows:
            # first < second in Python's order, as the stored pairs keep them (the database may collate otherwise).
            pairs[(first, second) if first < second else (second, first)].add(key)
        ids = sorted({contact_id for pair in pairs for contact_id in pair})
        contacts = {}
        for chunk in chunks(ids):
            rows = Contact.objects.for_account(sub_account_id).filter(pk__in=chunk)
            contacts.update(
                {contact.pk: contact for contact in rows.only("id", "name", "email", "phone", "sub_account")}
            )
        found = []
        for (first, second), shared in pairs.items():
            if first not in contacts or second not in contacts:
                continue
            reasons = _reasons(shared, contacts[first].name, contacts[second].name)
            score = score_of(reasons)
            if score >= min_score:
                found.append(ScoredPair(contacts[first], contacts[second], score, reasons))
        yield found


def duplicate_pairs(sub_account: SubAccount | int, *, min_score: float = DEFAULT_THRESHOLD) -> list[ScoredPair]:
    """Every pair of the sub-account's contacts sharing a key and scoring `min_score` or more, best first.
    Reads only the keys more than one contact holds (the name alone never reaches the default threshold, so its
    keys are left out), grouped in the (sub_account, key) index. Holds them all: the stored list
    (`duplicate_list_refresh`) is the way to page through a large sub-account's."""
    sub_account_id = getattr(sub_account, "pk", sub_account)
    found = [pair for chunk in _scored_pairs(sub_account_id, min_score=min_score) for pair in chunk]
    found.sort(key=lambda pair: (-pair.score, pair.first.name, pair.first.pk, pair.second.pk))
    return found


# More contacts changed than this since the last read of the list: score the whole sub-account again (one
# grouped read of its shared keys) rather than each changed contact (a few index reads each).
FULL_RESCAN_ABOVE = 2000
# A contact write is stamped (`updated_at`) before it commits: one that commits after a scan began may carry an
# earlier stamp. Each scan looks this far before the last one, so such a write is scored at the next read (a
# write transaction is a few milliseconds; gunicorn ends a request after 30 s). Longer would rescore every
# recent write at every read under a steady write load.
SCAN_OVERLAP = timedelta(seconds=30)


def pairs_rescore(sub_account_id: int, contact_ids: list[str]) -> None:
    """Score again the stored pairs of these contacts (their keys changed: a write, a merge, an undo)."""
    stored = DuplicatePair.objects.for_account(sub_account_id)
    found: dict[tuple[str, str], Candidate] = {}
    for chunk in chunks(contact_ids, 500):
        stored.filter(Q(first_id__in=chunk) | Q(second_id__in=chunk)).delete()
        for contact in Contact.objects.for_account(sub_account_id).filter(pk__in=chunk):
            for candidate in duplicates_of(contact, min_score=DEFAULT_THRESHOLD, limit=MAX_KEY_GROUP):
                found[tuple(sorted((contact.pk, candidate.contact.pk)))] = candidate
    DuplicatePair.objects.bulk_create(
        [
            DuplicatePair(
                sub_account_id=sub_account_id,
                first_id=first,
                second_id=second,
                score=candidate.score,
                reasons=candidate.reasons,
            )
            for (first, second), candidate in found.items()
        ],
        ignore_conflicts=True,
    )


def _pairs_replace(sub_account: SubAccount) -> None:
    """Score the whole sub-account again, storing each chunk's pairs before the next is read (bounded memory)."""
    DuplicatePair.objects.for_account(sub_account).delete()
    for found in _scored_pairs(sub_account.pk, min_score=DEFAULT_THRESHOLD):
        DuplicatePair.objects.bulk_create(
            [
                DuplicatePair(
                    sub_account_id=sub_account.pk,
                    first_id=pair.first.pk,
                    second_id=pair.second.pk,
                    score=pair.score,
                    reasons=pair.reasons,
                )
                for pair in found
            ],
            batch_size=1000,
        )


@transaction.atomic
def duplicate_list_refresh(sub_account: SubAccount) -> None:
    """Bring the sub-account's stored pairs up to date before they are read: the contacts changed since the last
    read are scored again (the first read, or many changes, score them all). Readers of one sub-account take
    turns (the scan row's lock)."""
    DuplicateScan.objects.get_or_create(sub_account=sub_account)
    scan = DuplicateScan.objects.for_account(sub_account).select_for_update().get()
    started = timezone.now()
    scored: dict[str, str] = {}
    if scan.scanned_from is None:
        _pairs_replace(sub_account)
    else:
        recent = Contact.objects.for_account(sub_account).filter(updated_at__gte=scan.scanned_from)
        stamps = {
            pk: updated_at.isoformat()
            for pk, updated_at in recent.values_list("pk", "updated_at")[: FULL_RESCAN_ABOVE + 1]
        }
        changed = [pk for pk, stamp in stamps.items() if scan.scored.get(pk) != stamp]
        if len(stamps) > FULL_RESCAN_ABOVE:
            _pairs_replace(sub_account)
        elif changed:
            pairs_rescore(sub_account.pk, changed)
        scored = stamps
    scan.scanned_from = started - SCAN_OVERLAP
    scan.scored = {pk: stamp for pk, stamp in scored.items() if stamp >= scan.scanned_from.isoformat()}
    scan.save(update_fields=["scanned_from", "scored"])


def stored_pairs(sub_account: SubAccount):
    """The stored pairs, best first (read after duplicate_list_refresh)."""
    return DuplicatePair.objects.for_account(sub_account).order_by("-score", "first_id", "second_id")
