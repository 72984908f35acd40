"""Contact search: one module, a backend per database, behind the two functions every door calls.

`matching(contacts, query)` narrows a queryset of one sub-account's contacts (the API's list and the
pages' list, through the FilterSet and `ContactQuerySet.search`); `ranked(contacts, query, limit=…)`
answers the API's search-as-you-type (`ContactQuerySet.search_ranked`). Both read the sub-account
from the queryset (accounts.tenancy), never from an argument.

Staff type several words in any order, in any field, with or without accents: `walker phonebook`,
`ada example.com`, `ecole` for "École". Every contact therefore keeps a folded copy of what can be
searched (`Contact.search_text`: name, email and phone digits, accents stripped, lower-cased; see
`search_text_of`), written with the contact on every save. The query is folded the same way and split
into words; each word must be contained in that copy (AND of `LIKE '%word%'`).

What differs per database is only how a word of three characters or more is found (docs/performance.md):
PostgreSQL through a trigram GIN index on the folded copy (keyed by sub-account for small ones,
migration 0013), SQLite through its FTS5 trigram index over it (migration 0012). A query of one word
shorter than three characters is matched as a prefix of the name or email instead.
"""

import re
import unicodedata

from django.db import connections, models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Lower, StrIndex

from contacts.validators import phone_search_forms
from contacts_site.pagination import rows_by_pk
from contacts_site.validation import normalize_text

# Trigram indexes need three characters; shorter terms are matched as prefixes.
MIN_SUBSTRING_SEARCH_LENGTH = 3
# The trigram indexes hold the sub-account as their first key (btree_gin, on PostgreSQL). Searching a
# small sub-account, PostgreSQL intersects that key with the term's trigrams inside the index: a common
# term then costs what the sub-account's own matches cost, not what the whole table's do. A large
# sub-account's key would only add reading its long list of rows (its matches are most of the term's
# anyway), so above this size the key is left out and the index is searched by trigrams alone.
TENANT_KEYED_SEARCH_MAX_CONTACTS = 100_000
# Smaller still, a sub-account is searched along its own entries of the list-order index that carries the
# folded copy (PostgreSQL, migration 0020: `contact_account_created_search`): its rows sit scattered among its
# neighbours' on the heap, its index entries side by side, so a search reads a few dozen index pages of its own
# whatever its neighbours hold (benchmark `alone`: the 5k sub-account beside a 500k one, against itself on a
# database of its own). Its list reads a page with its first ids (ContactFilter.reads_page_from_first_ids).
# Walking the 5k sub-account's 5,000 entries takes 0.6–1.2 ms with any term, found or not (EXPLAIN ANALYZE on the
# benchmark database), so 10,000 stay within ~2.5 ms; above that the keyed trigram index wins.
TENANT_WALKED_SEARCH_MAX_CONTACTS = 10_000
# SQLite: above this many matching rows (all sub-accounts), a term is searched with LIKE rather than
# through the full-text index (see SQLiteBackend.index_matches).
SQLITE_INDEXED_SEARCH_MAX_MATCHES = 2000
# What a phone number is typed with: digits and the usual separators ("+1 (415) 555-2671").
PHONE_ONLY = re.compile(r"[\d\s()+.\-]+")
# A whole email address and nothing else: a local part, "@", a domain with a dot.
WHOLE_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


def fold(text: str | None) -> str:
    """`text` as search compares it: compatibility-decomposed (NFKD), combining marks (accents) dropped,
    case-folded. "École" and "ecole" fold alike, so either finds the other."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def search_text_of(name: str | None, email: str | None, phone: str | None) -> str:
    """A contact's folded search copy: its name, email and the digits of its phone, one space apart."""
    digits = "".join(char for char in phone or "" if char.isdigit())
    return " ".join(part for part in (fold(name), fold(email), digits) if part)


def words_of(query: str) -> list[str]:
    """The folded words of a query, each once, longest first (the rarest, which an index serves best)."""
    return sorted(dict.fromkeys(fold(query).split()), key=len, reverse=True)


def _word_condition(word: str) -> Q:
    """The folded copy containing `word` (a plain LIKE: the copy is already folded)."""
    condition = Q(search_text__contains=word)
    local_part, at, _ = word.partition("@")
    if at and len(local_part) >= MIN_SUBSTRING_SEARCH_LENGTH:
        # An address: its domain's trigrams ("outlook.com") are in a fifth of all emails, and the
        # index reads all their rows. Asked for the part up to "@" as well (implied by the whole
        # term), PostgreSQL skips through those rows by the rare ones: 13 ms → 4 ms.
        # (Given first: the index takes its conditions in order.)
        condition = Q(search_text__contains=local_part + at) & condition
    return condition


def _words_condition(words: list[str]) -> Q:
    condition = Q()
    for word in words:
        condition &= _word_condition(word)
    return condition


class PostgreSQLBackend:
    """A trigram GIN index on the folded copy, keyed by the sub-account's id as text (migration 0013)."""

    @staticmethod
    def substring(contacts, words: list[str], *, narrowed: bool = False):
        queryset = contacts
        if contacts.tenant.contact_count <= TENANT_WALKED_SEARCH_MAX_CONTACTS:
            # Spelled so that the trigram index cannot serve it: the planner, offered it, took its table-wide
            # posting lists for a mid-frequency term one ANALYZE in two (`small:list_search:mid`: 1 → 10 ms).
            # An expression has no statistics either, so its estimate, and the plan, do not move with ANALYZE.
            queryset = queryset.alias(
                own_search_text=Coalesce("search_text", models.Value(""), output_field=models.TextField())
            )
            condition = Q()
            for word in words:
                condition &= Q(own_search_text__contains=word)
            return queryset, condition
        if contacts.tenant.contact_count <= TENANT_KEYED_SEARCH_MAX_CONTACTS:
            # The indexes' key is the id as text, so only this condition reaches it (benchmark scenarios
            # `small:list_search:*`, before the walk above took the smallest: 15 → 3 ms; `big:list_search:mid`
            # is why larger tenants leave it out).
            queryset = queryset.alias(tenant_key=Cast("sub_account_id", models.TextField()))
            queryset = queryset.filter(tenant_key=str(contacts.tenant_id))
        # A bare domain ("gmail.com") beside other words is checked on the rows they find, not through the
        # trigram index: a GIN index reads the posting lists of every trigram it is given, and a common
        # domain's are a fifth of the table (benchmark `big:search:name_and_domain`: 40 → 5 ms).
        indexed = [word for word in words if not _is_bare_domain(word)] or words[:1]
        if narrowed:
            # Another indexed filter (a tag, a custom field) narrows the list: a three-letter word is a single
            # trigram, whose posting list can hold a third of the table ("son": 163,000 rows, 25 ms to read
            # into a bitmap), so it is checked on the rows the other filter finds instead (benchmark
            # `combo:22`, "son" and two tags: a request 57 → 26 ms).
            indexed = [word for word in indexed if len(word) > MIN_SUBSTRING_SEARCH_LENGTH]
        condition = _words_condition(indexed)
        for word in words:
            if word not in indexed:
                condition &= Q(_search_position_of(word))
        return queryset, condition


def _is_bare_domain(word: str) -> bool:
    return "." in word and "@" not in word


def _search_position_of(word: str):
    """`search_text` contains `word`, spelled so that no index serves it (strpos > 0, not LIKE)."""
    return models.lookups.GreaterThan(StrIndex("search_text", models.Value(word)), 0)


class SQLiteBackend:
    """SQLite's FTS5 trigram index over the folded copy (migration 0012), or LIKE for a common term."""

    @staticmethod
    def index_matches(words: list[str], using: str) -> RawSQL | None:
        """Ids of the contacts whose folded copy contains every word of `words` (3+ characters), from
        the full-text index: the answer of the LIKEs, from an index.

        None when the term is common (more than SQLITE_INDEXED_SEARCH_MAX_MATCHES rows hold it, which
        the index counts in under a millisecond): reading thousands of ids out of the index then costs
        more than walking the list in its order with LIKE, which finds a page of a common term in a
        few rows. (Benchmark: SQLite `list_search:*` at 100,000 contacts, ~45 ms → 3–16 ms.)"""
        phrase = " AND ".join('search_text : "' + word.replace('"', '""') + '"' for word in words)
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
    def substring(cls, contacts, words: list[str], *, narrowed: bool = False):
        indexed = [word for word in words if len(word) >= MIN_SUBSTRING_SEARCH_LENGTH]
        index_matches = cls.index_matches(indexed, contacts.db) if indexed else None
        if index_matches is None:
            return contacts, _words_condition(words)
        # Words too short for the trigram index are checked on the (few) rows the index found.
        short = [word for word in words if len(word) < MIN_SUBSTRING_SEARCH_LENGTH]
        return contacts, Q(pk__in=index_matches) & _words_condition(short)


class GenericBackend:
    """Any other database: LIKE, without an index."""

    @staticmethod
    def substring(contacts, words: list[str], *, narrowed: bool = False):
        return contacts, _words_condition(words)


BACKENDS = {"postgresql": PostgreSQLBackend, "sqlite": SQLiteBackend}


def backend_for(contacts):
    return BACKENDS.get(connections[contacts.db].vendor, GenericBackend)


def matching(contacts, query: str, *, narrowed: bool = False):
    """`contacts` narrowed to those whose name, email or phone digits contain every word of `query`, in
    any order, ignoring accents and case. A whole email address, or a whole phone number typed in any format
    (read in the sub-account's region), matches exactly: that contact, or one holding it as a secondary identity.

    A query of a single word of one or two characters matches the *start* of the name or email instead:
    trigram indexes cannot serve it, and a two-letter substring matches most of a large list anyway.
    """
    query = normalize_text(query).strip()
    words = words_of(query)
    e164, digits = phone_search_forms(query, contacts.tenant.default_phone_region)
    whole_email = WHOLE_EMAIL.fullmatch(query) is not None
    if _is_exact_lookup(query, e164):
        # Exact lookups are lookups: a whole address or number is that contact (or none), found from the
        # B-tree of the email constraint or of the phone index (benchmark `big:search:email`, `big:search:phone`:
        # 2.4 ms and 6 ms of trigram index → 0.1 ms). Its substrings would only add "xada@example.com" or
        # another country's number holding the same digits, which nobody typing a whole address means.
        condition = Q(email=query.lower()) if whole_email else Q(phone=e164)
        queryset = contacts
    elif _is_short_prefix(words):
        queryset, condition = contacts, Q(name__istartswith=query) | Q(email__istartswith=query)
    else:
        queryset, condition = backend_for(contacts).substring(contacts, words, narrowed=narrowed)
        if e164:
            condition |= Q(phone=e164)
        if len(digits) >= MIN_SUBSTRING_SEARCH_LENGTH and len(digits) >= len(query.replace(" ", "")) - 4:
            # Mostly digits: a partial number such as "555-2671" matches the stored E.164 digits.
            condition |= Q(phone__contains=digits)
    if e164 or "@" in query:
        # The emails and phones a merge kept as secondary identities, matched whole (contacts.identities).
        from contacts.identities import known_by_condition  # that module imports the models, which import this one

        condition |= known_by_condition(contacts.tenant_id, email=query.lower() if "@" in query else None, phone=e164)
    return queryset.filter(condition)


def _is_exact_lookup(query: str, e164: str | None) -> bool:
    """A whole email address, or a whole phone number (`e164`, as the sub-account's region reads `query`)."""
    return WHOLE_EMAIL.fullmatch(query) is not None or (e164 is not None and PHONE_ONLY.fullmatch(query) is not None)


def _is_short_prefix(words: list[str]) -> bool:
    """A single word too short for a trigram index: matched as the start of the name or email."""
    return len(words) == 1 and len(words[0]) < MIN_SUBSTRING_SEARCH_LENGTH


def walks_own_entries(contacts, query: str) -> bool:
    """Whether matching(contacts, query) finds its contacts along the sub-account's own index entries: a search by
    words in a sub-account of at most TENANT_WALKED_SEARCH_MAX_CONTACTS. Not an exact lookup or a short prefix,
    which are one B-tree probe (benchmark family `exact:small:*`: one statement, 0.8 ms of SQL, not two)."""
    if (
        backend_for(contacts) is not PostgreSQLBackend
        or contacts.tenant.contact_count > TENANT_WALKED_SEARCH_MAX_CONTACTS
    ):
        return False
    query = normalize_text(query).strip()
    words = words_of(query)
    if not words or _is_short_prefix(words):
        return False
    return not _is_exact_lookup(query, phone_search_forms(query, contacts.tenant.default_phone_region)[0])


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
    tiers = [(contacts.filter(exact), "name", False), (contacts.filter(starting), Lower("name"), False)]
    if len(query) >= MIN_SUBSTRING_SEARCH_LENGTH:  # shorter terms are matched as prefixes anyway
        tiers.append((matching(contacts, query), "name", walks_own_entries(contacts, query)))
    found: list = []
    seen: set[str] = set()
    for tier, order, ids_first in tiers:
        if len(found) >= limit:
            break
        page = tier.exclude(pk__in=seen).order_by(order, "id")[: limit - len(found)]
        for contact in _read_by_ids_first(page, contacts) if ids_first else page:
            found.append(contact)
            seen.add(contact.pk)
    return found


def _read_by_ids_first(page, contacts) -> list:
    """The contacts of `page`, its ids first (an index-only walk of the sub-account's own entries, where the name
    it is ordered by sits too), then those rows, which lie scattered among the neighbours' (benchmark `alone`,
    `small:search:*`; walks_own_entries)."""
    return rows_by_pk(contacts, list(page.values_list("pk", flat=True)))
