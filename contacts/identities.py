"""What a contact knows of its own identity: the emails and phones it is known by (its own and the secondary
ones a merge kept), how they are compared, and the blocking keys that make duplicate candidates an index read.

Rules (docs/identity.md says them to a user):
- an email is compared lowercased; for the domains known to ignore them, also without dots in the local part
  (Gmail) and without a `+tag` (the domains of `PLUS_TAG_DOMAINS`); other domains keep both, since
  `j.doe@example.com` and `jdoe@example.com` may well be two people there;
- a phone is compared in E.164, the form it is stored in (a national number was read in the sub-account's region);
- a name is compared accent-folded, lowercased, its words sorted ("Renée  DUPONT" = "dupont renee").
"""

import difflib
import re
import unicodedata

from django.db.models import Q

from contacts.models import Contact, ContactIdentity, ContactMatchKey, MergedContact
from contacts_site.batching import chunks

# Gmail ignores dots in the local part and everything after a "+"; googlemail.com is the same mailbox.
DOT_INSENSITIVE_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
PLUS_TAG_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "icloud.com",
        "me.com",
        "fastmail.com",
        "protonmail.com",
        "proton.me",
    }
)
DOMAIN_ALIASES = {"googlemail.com": "gmail.com"}
# Mailbox providers anyone can sign up with: two people of one name there are no more alike than two people
# of one name anywhere, so their domain makes no name key (a company's domain does).
FREE_MAIL_DOMAINS = frozenset(
    {
        *PLUS_TAG_DOMAINS,
        "yahoo.com",
        "aol.com",
        "gmx.com",
        "gmx.de",
        "mail.com",
        "mail.ru",
        "yandex.ru",
        "web.de",
        "qq.com",
        "163.com",
    }
)
# The digits of an E.164 number left out of its "prefix" (country and area code, roughly).
PHONE_PREFIX_DROPPED_DIGITS = 4
# A chain of merges (a → b, then b → c) is followed this far from a merged-away id.
MAX_SURVIVOR_HOPS = 20

_NOT_WORD = re.compile(r"[^\w]+")


def canonical_email(email: str) -> str:
    """`email` as the mailbox it reaches: lowercased, then the rules of the domains known to apply them."""
    local, at, domain = email.strip().lower().rpartition("@")
    if not at:
        return email.strip().lower()
    if domain in PLUS_TAG_DOMAINS:
        local = local.split("+", 1)[0]
    if domain in DOT_INSENSITIVE_DOMAINS:
        local = local.replace(".", "")
    return f"{local}@{DOMAIN_ALIASES.get(domain, domain)}"


def email_domain(email: str) -> str:
    domain = email.strip().lower().rpartition("@")[2]
    return DOMAIN_ALIASES.get(domain, domain)


def folded_name(name: str) -> str:
    """Accent-folded, lowercased words, without punctuation, in their order."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return " ".join(_NOT_WORD.sub(" ", plain).split())


def name_key(name: str) -> str:
    """The folded name's words, sorted: "Dupont, Renée" and "renee dupont" share it."""
    return " ".join(sorted(folded_name(name).split()))


def name_similarity(first: str, second: str) -> float:
    """0–1: how alike two names are once folded and their words sorted (typos cost a little each)."""
    a, b = name_key(first), name_key(second)
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b).ratio()


def phone_prefix(phone: str) -> str:
    return phone[:-PHONE_PREFIX_DROPPED_DIGITS]


def keys_for(*, name: str, emails: list[str], phones: list[str]) -> set[str]:
    """The blocking keys of one person: `e:` canonical email, `p:` phone, `nd:`/`np:` name with an email
    domain (not a free mail provider's) or a phone prefix, and `n:` the name alone (a weak reason, see identity.duplicates)."""
    keys = {f"e:{canonical_email(email)}" for email in emails}
    keys |= {f"p:{phone}" for phone in phones}
    key = name_key(name)
    if key:
        keys.add(f"n:{key}")
        domains = {email_domain(email) for email in emails} - FREE_MAIL_DOMAINS
        keys |= {f"nd:{key}|{domain}" for domain in domains}
        keys |= {f"np:{key}|{phone_prefix(phone)}" for phone in phones}
    # The longest email is 254 characters, a name 255: the column holds the key's first 320.
    return {key[:320] for key in keys}


def known_emails_and_phones(contact: Contact) -> tuple[list[str], list[str]]:
    """The contact's own email and phone, then its secondary ones."""
    emails = [contact.email] if contact.email else []
    phones = [contact.phone] if contact.phone else []
    secondary = ContactIdentity.objects.for_account(contact.sub_account_id).filter(contact_id=contact.pk)
    for kind, value in secondary.values_list("kind", "value"):
        (emails if kind == ContactIdentity.Kind.EMAIL else phones).append(value)
    return emails, phones


def match_keys_refresh(contact: Contact) -> None:
    """Rewrite the contact's blocking keys from its current name, emails and phones (in the caller's
    transaction: a contact write and its keys commit together). Unchanged keys are left alone."""
    emails, phones = known_emails_and_phones(contact)
    wanted = keys_for(name=contact.name, emails=emails, phones=phones)
    rows = ContactMatchKey.objects.for_account(contact.sub_account_id).filter(contact_id=contact.pk)
    current = set(rows.values_list("key", flat=True))
    if current - wanted:
        rows.filter(key__in=current - wanted).delete()
    ContactMatchKey.objects.bulk_create(
        [
            ContactMatchKey(sub_account_id=contact.sub_account_id, contact_id=contact.pk, key=key)
            for key in wanted - current
        ]
    )


def contact_known_by(sub_account_id: int, *, email: str | None = None, phone: str | None = None) -> Contact | None:
    """The contact known by this (normalized) email or phone: its own first, else a secondary one. Phones are
    not unique: of several contacts with the number, the oldest."""
    contacts = Contact.objects.for_account(sub_account_id)
    if email:
        field, kind, value = "email", ContactIdentity.Kind.EMAIL, email
    elif phone:
        field, kind, value = "phone", ContactIdentity.Kind.PHONE, phone
    else:
        return None
    own = contacts.filter(**{field: value}).order_by("created_at", "id").first()
    if own is not None:
        return own
    secondary = ContactIdentity.objects.for_account(sub_account_id).filter(kind=kind, value=value)
    return contacts.filter(pk__in=secondary.values("contact_id")).order_by("created_at", "id").first()


def known_by_condition(sub_account_id: int, *, email: str | None, phone: str | None) -> Q:
    """A filter on contacts: those holding this email or phone as a secondary identity (for search)."""
    values = [(ContactIdentity.Kind.EMAIL, email), (ContactIdentity.Kind.PHONE, phone)]
    condition = Q()
    for kind, value in values:
        if value:
            condition |= Q(kind=kind, value=value)
    if not condition:
        return Q(pk__in=[])
    secondary = ContactIdentity.objects.for_account(sub_account_id).filter(condition)
    # The ids, read first (an index lookup, almost always none): as a subquery ORed with the search's other
    # conditions it kept PostgreSQL from combining their indexes, and a phone search read the whole
    # sub-account (benchmark `big:search:phone`: 650 ms at 500,000 contacts).
    return Q(pk__in=list(secondary.values_list("contact_id", flat=True)))


def survivor_of(sub_account_id: int, contact_id: str) -> MergedContact | None:
    """The tombstone of a merged-away id, its `survivor_id` followed through later merges to the contact
    that holds it now; None if the id was never merged away (or its merge was undone)."""
    tombstones = MergedContact.objects.for_account(sub_account_id)
    tombstone = tombstones.filter(pk=contact_id).first()
    if tombstone is None:
        return None
    for _ in range(MAX_SURVIVOR_HOPS):
        later = tombstones.filter(pk=tombstone.survivor_id).first()
        if later is None:
            break
        tombstone.survivor_id = later.survivor_id
    return tombstone


def merged_into_ids(sub_account_id: int, contact_ids: list[str]) -> list[str]:
    """The ids merged into these contacts, and into those by earlier merges, while the merges stand. Their
    history is part of the survivor's timeline (it stays under their own ids, so an undo needs to move
    nothing back), and erasing the survivor erases it too."""
    tombstones = MergedContact.objects.for_account(sub_account_id)
    found: list[str] = []
    frontier = list(contact_ids)
    for _ in range(MAX_SURVIVOR_HOPS):
        frontier = [
            pk
            for chunk in chunks(frontier)
            for pk in tombstones.filter(survivor_id__in=chunk).values_list("pk", flat=True)
        ]
        if not frontier:
            break
        found += frontier
    return found


def match_keys_rebuild(*, contact_model=Contact, identity_model=ContactIdentity, key_model=ContactMatchKey) -> int:
    """Recompute every contact's blocking keys (maintenance: after a raw bulk load, or on installing identity).
    Reads every sub-account, hence `unscoped()` where the models have it (the migration's historical ones do
    not, and need not). Returns how many keys it wrote."""

    def every(model):
        manager = model.objects
        return manager.unscoped() if hasattr(manager, "unscoped") else manager.all()

    secondary: dict[str, list[tuple[str, str]]] = {}
    for contact_id, kind, value in every(identity_model).values_list("contact_id", "kind", "value"):
        secondary.setdefault(contact_id, []).append((kind, value))
    every(key_model).delete()
    written = 0
    batch = []
    rows = every(contact_model).values_list("pk", "sub_account_id", "name", "email", "phone").order_by("pk")
    for contact_id, sub_account_id, name, email, phone in rows.iterator(chunk_size=5000):
        others = secondary.get(contact_id, [])
        emails = [email] if email else []
        phones = [phone] if phone else []
        emails += [value for kind, value in others if kind == "email"]
        phones += [value for kind, value in others if kind == "phone"]
        for key in keys_for(name=name, emails=emails, phones=phones):
            batch.append(key_model(sub_account_id=sub_account_id, contact_id=contact_id, key=key))
        if len(batch) >= 5000:
            key_model.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    key_model.objects.bulk_create(batch)
    return written + len(batch)
