"""Duplicate candidates: contacts sharing a blocking key (contacts.identities, kept on every contact write),
scored by why they look alike. Never a scan of the sub-account: a contact's candidates are an index read of its
keys. The sub-account's list is stored (DuplicatePair) and kept up to date incrementally: each read first
rescores the contacts changed since the previous one; only the first read (or a flood of changes) groups the
keys held by more than one contact, once."""

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q
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


def duplicate_pairs(sub_account: SubAccount | int, *, min_score: float = DEFAULT_THRESHOLD) -> list[ScoredPair]:
    """Every pair of the sub-account's contacts sharing a key and scoring `min_score` or more, best first.
    Reads only the keys more than one contact holds (the name alone never reaches the default threshold, so its
    keys are left out), grouped in the (sub_account, key) index."""
    keys = ContactMatchKey.objects.for_account(sub_account)
    shared_keys = (
        keys.exclude(key__startswith="n:")
        .values("key")
        .annotate(holders=Count("contact_id"))
        .filter(holders__gt=1, holders__lte=MAX_KEY_GROUP)
        .values("key")
    )
    holders: dict[str, list[str]] = defaultdict(list)
    for key, contact_id in keys.filter(key__in=shared_keys).values_list("key", "contact_id"):
        holders[key].append(contact_id)
    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for key, contact_ids in holders.items():
        ordered = sorted(contact_ids)
        for index, first in enumerate(ordered):
            for second in ordered[index + 1 :]:
                pairs[(first, second)].add(key)
    involved = {contact_id for pair in pairs for contact_id in pair}
    contacts = {}
    ids = sorted(involved)
    for chunk in chunks(ids):
        rows = Contact.objects.for_account(sub_account).filter(pk__in=chunk)
        contacts.update({contact.pk: contact for contact in rows.only("id", "name", "email", "phone", "sub_account")})
    found = []
    for (first, second), shared in pairs.items():
        if first not in contacts or second not in contacts:
            continue
        reasons = _reasons(shared, contacts[first].name, contacts[second].name)
        score = score_of(reasons)
        if score >= min_score:
            found.append(ScoredPair(contacts[first], contacts[second], score, reasons))
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
    DuplicatePair.objects.for_account(sub_account).delete()
    DuplicatePair.objects.bulk_create(
        [
            DuplicatePair(
                sub_account_id=sub_account.pk,
                first_id=pair.first.pk,
                second_id=pair.second.pk,
                score=pair.score,
                reasons=pair.reasons,
            )
            for pair in duplicate_pairs(sub_account)
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
