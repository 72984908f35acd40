"""Contact search: one module, a backend per database, behind the two functions every door calls.

`matching(contacts, query)` narrows a queryset of one sub-account's contacts (the API's list and the
pages' list, through the FilterSet and `ContactQuerySet.search`); `ranked(contacts, query, limit=…)`
answers the API's search-as-you-type (`ContactQuerySet.search_ranked`). Both read the sub-account
from the queryset (accounts.tenancy), never from an argument.

What differs per database is only how a term of three characters or more is found (docs/performance.md):
PostgreSQL through its trigram GIN indexes (keyed by sub-account for small ones), SQLite through its
FTS5 trigram index (migration 0007). Shorter terms are matched as prefixes on both.
"""

from django.db import connections, models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Lower

from contacts.validators import phone_search_forms
from contacts_site.validation import normalize_text

# Trigram indexes need three characters; shorter terms are matched as prefixes.
MIN_SUBSTRING_SEARCH_LENGTH = 3
# The trigram indexes hold the sub-account as their first key (btree_gin, on PostgreSQL). Searching a
# small sub-account, PostgreSQL intersects that key with the term's trigrams inside the index: a common
# term then costs what the sub-account's own matches cost, not what the whole table's do. A large
# sub-account's key would only add reading its long list of rows (its matches are most of the term's
# anyway), so above this size the key is left out and the index is searched by trigrams alone.
TENANT_KEYED_SEARCH_MAX_CONTACTS = 100_000
# SQLite: above this many matching rows (all sub-accounts), a term is searched with LIKE rather than
# through the full-text index (see SQLiteBackend.index_matches).
SQLITE_INDEXED_SEARCH_MAX_MATCHES = 2000


def _substring_condition(query: str) -> Q:
    """Name or email containing `query`, case-insensitive (LIKE / ILIKE, which the trigram indexes serve)."""
    email_condition = Q(email__icontains=query)
    local_part, at, _ = query.partition("@")
    if at and len(local_part) >= MIN_SUBSTRING_SEARCH_LENGTH:
        # An address: its domain's trigrams ("outlook.com") are in a fifth of all emails, and the
        # index reads all their rows. Asked for the part up to "@" as well (implied by the whole
        # term), PostgreSQL skips through those rows by the rare ones: 13 ms → 4 ms.
        # (Given first: the index takes its conditions in order.)
        email_condition = Q(email__icontains=local_part + at) & email_condition
    return Q(name__icontains=query) | email_condition


class PostgreSQLBackend:
    """Trigram GIN indexes on name and email, keyed by the sub-account's id as text (migration 0005)."""

    @staticmethod
    def substring(contacts, query: str):
        queryset = contacts
        if contacts.tenant.contact_count <= TENANT_KEYED_SEARCH_MAX_CONTACTS:
            # The indexes' key is the id as text, so only this condition reaches it (benchmark scenarios
            # `small:list_search:*`: 15 → 3 ms; `big:list_search:mid` is why larger tenants leave it out).
            queryset = queryset.alias(tenant_key=Cast("sub_account_id", models.TextField()))
            queryset = queryset.filter(tenant_key=str(contacts.tenant_id))
        return queryset, _substring_condition(query)


class SQLiteBackend:
    """SQLite's FTS5 trigram index over name and email (migration 0007), or LIKE for a common term."""

    @staticmethod
    def index_matches(query: str, using: str) -> RawSQL | None:
        """Ids of the contacts whose name or email contains `query` (3+ characters, case-insensitive),
        from the full-text index: the answer of LIKE '%query%', from an index.

        None when the term is common (more than SQLITE_INDEXED_SEARCH_MAX_MATCHES rows hold it, which
        the index counts in under a millisecond): reading thousands of ids out of the index then costs
        more than walking the list in its order with LIKE, which finds a page of a common term in a
        few rows. (Benchmark: SQLite `list_search:*` at 100,000 contacts, ~45 ms → 3–16 ms.)"""
        phrase = '{name email} : "' + query.replace('"', '""') + '"'
        with connections[using].cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM (SELECT 1 FROM contacts_contact_search WHERE contacts_contact_search MATCH %s "
                "LIMIT %s)",
                [phrase, SQLITE_INDEXED_SEARCH_MAX_MATCHES + 1],
            )
            if cursor.fetchone()[0] > SQLITE_INDEXED_SEARCH_MAX_MATCHES:
                return None
        return RawSQL("SELECT contact_id FROM contacts_contact_search WHERE contacts_contact_search MATCH %s", [phrase])

    @classmethod
    def substring(cls, contacts, query: str):
        index_matches = cls.index_matches(query, contacts.db)
        if index_matches is None:
            return contacts, _substring_condition(query)
        return contacts, Q(pk__in=index_matches)


class GenericBackend:
    """Any other database: LIKE, without an index."""

    @staticmethod
    def substring(contacts, query: str):
        return contacts, _substring_condition(query)


BACKENDS = {"postgresql": PostgreSQLBackend, "sqlite": SQLiteBackend}


def backend_for(contacts):
    return BACKENDS.get(connections[contacts.db].vendor, GenericBackend)


def matching(contacts, query: str):
    """`contacts` narrowed to the name or email containing `query` (case-insensitive), or a phone
    number typed in any format (read in the sub-account's region).

    Terms of one or two characters match the *start* of the name or email instead: trigram indexes
    cannot serve them, and a two-letter substring matches most of a large list anyway. The term is read
    in NFC, the form every name and email is stored in.
    """
    query = normalize_text(query).strip()
    if len(query) < MIN_SUBSTRING_SEARCH_LENGTH:
        queryset, condition = contacts, Q(name__istartswith=query) | Q(email__istartswith=query)
    else:
        queryset, condition = backend_for(contacts).substring(contacts, query)
    e164, digits = phone_search_forms(query, contacts.tenant.default_phone_region)
    if e164:
        condition |= Q(phone=e164)
    if e164 or "@" in query:
        # The emails and phones a merge kept as secondary identities, matched whole (contacts.identities).
        from contacts.identities import known_by_condition  # that module imports the models, which import this one

        condition |= known_by_condition(contacts.tenant_id, email=query.lower() if "@" in query else None, phone=e164)
    if len(digits) >= MIN_SUBSTRING_SEARCH_LENGTH and len(digits) >= len(query.replace(" ", "")) - 4:
        # Mostly digits: a partial number such as "555-2671" matches the stored E.164 digits.
        condition |= Q(phone__contains=digits)
    return queryset.filter(condition)


def ranked(contacts, query: str, *, limit: int) -> list:
    """Up to `limit` matches of `matching()`, best first: exact email or phone, then names or emails
    starting with `query`, then other matches; by name within each group (ignoring case in the second).

    Three bounded queries rather than one ranked sort: each can stop after `limit` rows from its own
    index, so a common term does not rank thousands of matches to keep ten. The "starting with" group
    is ordered by lowercased name so that PostgreSQL collects its matches from the prefix indexes and
    sorts them: walking the name index instead would read every name before "Jo…" to find the names
    starting with "jo" (~440 ms at 500,000 contacts).
    """
    query = normalize_text(query).strip()
    e164, _ = phone_search_forms(query, contacts.tenant.default_phone_region)
    exact = Q(email=query.lower()) | (Q(phone=e164) if e164 else Q(pk__in=[]))
    starting = Q(name__istartswith=query) | Q(email__istartswith=query)
    tiers = [(contacts.filter(exact), "name"), (contacts.filter(starting), Lower("name"))]
    if len(query) >= MIN_SUBSTRING_SEARCH_LENGTH:  # shorter terms are matched as prefixes anyway
        tiers.append((matching(contacts, query), "name"))
    found: list = []
    seen: set[str] = set()
    for tier, order in tiers:
        if len(found) >= limit:
            break
        for contact in tier.exclude(pk__in=seen).order_by(order, "id")[: limit - len(found)]:
            found.append(contact)
            seen.add(contact.pk)
    return found
