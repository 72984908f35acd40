import functools
import hashlib
import json
import math

from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Cast, Lower
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from accounts.models import SubAccount, TenantModel
from contacts.validators import (
    lower_keeping_length,
    normalize_custom_fields,
    normalize_phone,
    phone_search_forms,
    validate_custom_fields,
)
from contacts_site.errors import EmailTaken
from contacts_site.ids import prefixed_id
from contacts_site.validation import normalize_text, validate_single_line_text

DEFAULT_PHONE_REGION = "US"
# Trigram indexes need three characters; shorter terms are matched as prefixes (see ContactQuerySet.search).
MIN_SUBSTRING_SEARCH_LENGTH = 3
# The trigram indexes hold the sub-account as their first key (btree_gin, on PostgreSQL). Searching a
# small sub-account, PostgreSQL intersects that key with the term's trigrams inside the index: a common
# term then costs what the sub-account's own matches cost, not what the whole table's do. A large
# sub-account's key would only add reading its long list of rows (its matches are most of the term's
# anyway), so above this size search() leaves the key out and the index is searched by trigrams alone.
TENANT_KEYED_SEARCH_MAX_CONTACTS = 100_000
# SQLite: above this many matching rows (all sub-accounts), a term is searched with LIKE rather than
# through the full-text index (see _sqlite_search_index_matches).
SQLITE_INDEXED_SEARCH_MAX_MATCHES = 2000


def _sqlite_search_index_matches(query: str, using: str) -> RawSQL | None:
    """Ids of the contacts whose name or email contains `query` (3+ characters, case-insensitive), from
    SQLite's trigram full-text index (migration 0007): the answer of LIKE '%query%', from an index.

    None when the term is common (more than SQLITE_INDEXED_SEARCH_MAX_MATCHES rows hold it, which the
    index counts in under a millisecond): reading thousands of ids out of the index then costs more
    than walking the list in its order with LIKE, which finds a page of a common term in a few rows."""
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


def new_contact_id() -> str:
    return prefixed_id("ct")


class ContactTagQuerySet(models.QuerySet):
    def ids_named(self, names: list[str], *, sub_account: SubAccount) -> list[int] | None:
        """The ids of the sub-account's tags called `names` (compared lowercased), or None if one is unknown."""
        wanted = {lower_keeping_length(name.strip()) for name in names}
        ids = list(self.filter(sub_account=sub_account, name__in=wanted).values_list("id", flat=True))
        return sorted(ids) if len(ids) == len(wanted) else None


class ContactTag(TenantModel, TagBase):
    """A tag name within one sub-account: another sub-account's `vip` is a different row it never sees."""

    name = models.CharField(max_length=50)
    slug = models.SlugField(max_length=100, allow_unicode=True)
    sub_account = models.ForeignKey(
        SubAccount, on_delete=models.CASCADE, related_name="contact_tags", db_index=False
    )  # the unique (sub_account, name) index serves lookups

    objects = ContactTagQuerySet.as_manager()

    class Meta:
        verbose_name = "tag"
        constraints = [models.UniqueConstraint(fields=["sub_account", "name"], name="contacttag_unique_name")]

    def slugify(self, tag, i=None):
        # Unicode normalization can make a slug far longer than its tag ("ﷺ" becomes 18 characters):
        # cut it so it always fits its column, leaving room for taggit's "_N" suffix.
        slug = super().slugify(tag)[: self._meta.get_field("slug").max_length - 12]
        return f"{slug}_{i}" if i is not None else slug


class TaggedContactQuerySet(models.QuerySet):
    def one_per_contact_carrying(self, tag_ids: list[int], *, sub_account: SubAccount):
        """One link per contact that carries every tag of `tag_ids`: the first tag's links whose contact
        has the others. As many rows as `Contact.objects.carrying(tag_ids)`, and counted from the
        (sub_account, tag, contact) index alone, without visiting a contact."""
        first, *others = tag_ids
        links = self.filter(sub_account=sub_account, tag_id=first)
        for tag_id in others:
            other_links = self.model.objects.filter(
                sub_account=sub_account, tag_id=tag_id, content_object_id=OuterRef("content_object_id")
            )
            links = links.filter(Exists(other_links))
        return links


class TaggedContact(TenantModel, TaggedItemBase):
    """The contact↔tag link, with a real foreign key to Contact (taggit's generic relation filters far slower)."""

    # No single-column indexes: the two below lead with the sub-account, which every statement names.
    content_object = models.ForeignKey("Contact", on_delete=models.CASCADE, related_name="tagged_items", db_index=False)
    tag = models.ForeignKey(ContactTag, on_delete=models.CASCADE, related_name="tagged_contacts", db_index=False)
    # Denormalized from the contact: every tenant table carries its sub-account, so every statement
    # can filter by it (the tenant wall, and the distribution column of a sharded PostgreSQL).
    sub_account = models.ForeignKey(SubAccount, on_delete=models.CASCADE, related_name="+", db_index=False)

    objects = TaggedContactQuerySet.as_manager()

    class Meta:
        constraints = [
            # A contact's tags (prefetch, and the per-contact probe of a tag filter), index-only.
            models.UniqueConstraint(fields=["sub_account", "content_object", "tag"], name="taggedcontact_unique")
        ]
        # A tag's contacts (a rare tag's filter, and counting a tag's contacts), index-only.
        indexes = [models.Index(fields=["sub_account", "tag", "content_object"], name="taggedcontact_tag_contact")]


class TagNamesField(models.Field):
    """The output of TagNames: a sorted list of names, whichever way the engine hands the array over."""

    def from_db_value(self, value, expression, connection):
        if value is None:
            return []
        return sorted(json.loads(value) if isinstance(value, str) else value)


class TagNames(Subquery):
    """A contact's tag names as one column of its own row: ARRAY(…) on PostgreSQL, a JSON array on SQLite.
    One query for a page of contacts and their tags, rather than a second one for the tags."""

    template = "ARRAY(%(subquery)s)"

    def __init__(self, sub_account_id: int):
        # Both tag tables named by the sub-account: a sharded PostgreSQL routes the join to one shard.
        links = TaggedContact.objects.filter(
            sub_account_id=sub_account_id, tag__sub_account_id=sub_account_id, content_object=OuterRef("pk")
        )
        super().__init__(links.values(tag_name=F("tag__name")), output_field=TagNamesField())

    def as_sqlite(self, compiler, connection, **extra_context):
        template = "(SELECT json_group_array(tag_name) FROM (%(subquery)s))"
        return self.as_sql(compiler, connection, template=template, **extra_context)


@functools.lru_cache(maxsize=1024)
def tag_names_of(sub_account_id: int) -> TagNames:
    """TagNames for one sub-account, built once per process: building its queryset costs a contact read
    about 0.3 ms of Python. Safe to share: annotate() resolves a copy, never the expression itself."""
    return TagNames(sub_account_id)


class ContactQuerySet(models.QuerySet):
    def for_account(self, sub_account: SubAccount):
        return self.filter(sub_account=sub_account)

    def with_tags(self, sub_account: SubAccount):
        """Read each contact's tag names in its own row (see TagNames), within the sub-account like every
        tenant query. Not prefetch_related: that builds a link and a tag instance per name and a queryset
        per contact, a third of a list request's time, and costs a second query."""
        return self.annotate(loaded_tag_names=tag_names_of(sub_account.pk))

    def tagged(self, names: list[str], *, sub_account: SubAccount):
        """Contacts carrying every tag in `names` (names compared lowercased)."""
        return self.carrying(ContactTag.objects.ids_named(names, sub_account=sub_account), sub_account=sub_account)

    def carrying(self, tag_ids: list[int] | None, *, sub_account: SubAccount):
        """Contacts carrying every tag of `tag_ids` (None: a tag that does not exist, so none).

        With the ids known, the planner sees each tag's statistics: it walks the list's order probing a
        common tag's links, and starts from a rare tag's few links. Each tag is an EXISTS, not a join:
        one row per contact, whatever else it carries.
        """
        if tag_ids is None:
            return self.none()
        queryset = self
        for tag_id in tag_ids:
            links = TaggedContact.objects.filter(sub_account=sub_account, tag_id=tag_id, content_object=OuterRef("pk"))
            queryset = queryset.filter(Exists(links))
        return queryset

    def search(self, query: str, *, sub_account: SubAccount):
        """Name or email containing `query` (case-insensitive), or a phone number typed in any format
        (read in the sub-account's region).

        Terms of one or two characters match the *start* of the name or email instead: trigram
        indexes cannot serve them, and a two-letter substring matches most of a large list anyway.
        Longer terms are found through trigram indexes: PostgreSQL's GIN indexes, SQLite's full-text
        index (docs/performance.md).
        """
        query = query.strip()
        queryset = self
        vendor = connections[self.db].vendor
        if len(query) < MIN_SUBSTRING_SEARCH_LENGTH:
            condition = Q(name__istartswith=query) | Q(email__istartswith=query)
        elif vendor == "sqlite" and (index_matches := _sqlite_search_index_matches(query, self.db)) is not None:
            condition = Q(pk__in=index_matches)
        else:
            email_condition = Q(email__icontains=query)
            local_part, at, _ = query.partition("@")
            if at and len(local_part) >= MIN_SUBSTRING_SEARCH_LENGTH:
                # An address: its domain's trigrams ("outlook.com") are in a fifth of all emails, and the
                # index reads all their rows. Asked for the part up to "@" as well (implied by the whole
                # term), PostgreSQL skips through those rows by the rare ones: 13 ms → 4 ms.
                # (Given first: the index takes its conditions in order.)
                email_condition = Q(email__icontains=local_part + at) & email_condition
            condition = Q(name__icontains=query) | email_condition
            if vendor == "postgresql" and sub_account.contact_count <= TENANT_KEYED_SEARCH_MAX_CONTACTS:
                # The indexes' key is the id as text (migration 0005), so only this condition reaches it.
                queryset = queryset.alias(tenant_key=Cast("sub_account_id", models.TextField()))
                queryset = queryset.filter(tenant_key=str(sub_account.pk))
        e164, digits = phone_search_forms(query, sub_account.default_phone_region)
        if e164:
            condition |= Q(phone=e164)
        if len(digits) >= MIN_SUBSTRING_SEARCH_LENGTH and len(digits) >= len(query.replace(" ", "")) - 4:
            # Mostly digits: a partial number such as "555-2671" matches the stored E.164 digits.
            condition |= Q(phone__contains=digits)
        return queryset.filter(condition)

    def search_ranked(self, query: str, *, limit: int, sub_account: SubAccount) -> list["Contact"]:
        """Up to `limit` matches of `search()`, best first: exact email or phone, then names or emails
        starting with `query`, then other matches; by name within each group (ignoring case in the second).

        Three bounded queries rather than one ranked sort: each can stop after `limit` rows from its
        own index, so a common term does not rank thousands of matches to keep ten. The "starting with"
        group is ordered by lowercased name so that PostgreSQL collects its matches from the prefix
        indexes and sorts them: walking the name index instead would read every name before "Jo…" to
        find the names starting with "jo" (~440 ms at 500,000 contacts).
        """
        query = query.strip()
        e164, _ = phone_search_forms(query, sub_account.default_phone_region)
        exact = Q(email=query.lower()) | (Q(phone=e164) if e164 else Q(pk__in=[]))
        starting = Q(name__istartswith=query) | Q(email__istartswith=query)
        tiers = [(self.filter(exact), "name"), (self.filter(starting), Lower("name"))]
        if len(query) >= MIN_SUBSTRING_SEARCH_LENGTH:  # shorter terms are matched as prefixes anyway
            tiers.append((self.search(query, sub_account=sub_account), "name"))
        found: list[Contact] = []
        seen: set[str] = set()
        for tier, order in tiers:
            if len(found) >= limit:
                break
            for contact in tier.exclude(pk__in=seen).order_by(order, "id")[: limit - len(found)]:
                found.append(contact)
                seen.add(contact.pk)
        return found

    def with_custom_field(self, key: str, value: str):
        """Contacts whose custom field `key` equals `value` (a query-string value: "12" also matches
        the number 12, "true" the boolean). On PostgreSQL this is JSONB containment (`@>`), which the
        `jsonb_path_ops` GIN index serves; `custom_fields->key = …` would scan."""
        candidates = [value]
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        # Not NaN or ±Infinity ("NaN", "-Infinity", "1e999"): no stored JSON holds one, and PostgreSQL's jsonb
        # refuses them in the query; such a value can only match as text.
        if isinstance(parsed, (int, bool)) or (isinstance(parsed, float) and math.isfinite(parsed)):
            candidates.append(parsed)
        if connections[self.db].vendor == "postgresql":
            condition = Q()
            for candidate in candidates:
                condition |= Q(custom_fields__contains={key: candidate})
            return self.filter(condition)
        # SQLite has no JSON containment; a key lookup gives the same answer.
        queryset = self.alias(_custom_field=KeyTransform(key, "custom_fields"))
        return queryset.filter(_custom_field__in=candidates)


class Contact(TenantModel):
    id = models.CharField(primary_key=True, max_length=32, default=new_contact_id, editable=False)
    # No single-column index: every composite index below leads with sub_account.
    sub_account = models.ForeignKey(SubAccount, on_delete=models.CASCADE, related_name="contacts", db_index=False)
    name = models.CharField(max_length=255, validators=[validate_single_line_text])
    email = models.EmailField(max_length=254, null=True, blank=True)
    phone = models.CharField(max_length=32, null=True, blank=True, help_text="E.164, e.g. +14155552671")
    custom_fields = models.JSONField(default=dict, blank=True, validators=[validate_custom_fields])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Derived from conversations and kept exact by conversations.services in the same transaction.
    last_conversation = models.DateTimeField(null=True, blank=True, editable=False)
    conversation_count = models.PositiveIntegerField(default=0, editable=False)

    tags = TaggableManager(through=TaggedContact, blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        constraints = [
            # Emails are stored lowercased (see clean_fields), so this is a case-insensitive uniqueness.
            # Its message is the service's (EmailTaken), for the admin, whose form checks constraints itself.
            models.UniqueConstraint(
                fields=["sub_account", "email"],
                name="contact_unique_email_per_account",
                violation_error_message=EmailTaken.message,
            ),
        ]
        indexes = [
            models.Index(fields=["sub_account", "-created_at", "-id"], name="contact_account_created"),
            models.Index(fields=["sub_account", "-updated_at", "-id"], name="contact_account_updated"),
            models.Index(fields=["sub_account", "name", "id"], name="contact_account_name"),
            models.Index(fields=["sub_account", "phone"], name="contact_account_phone"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean_fields(self, exclude=None):
        """Normalize before validating, so every door stores the same form: text in NFC, trimmed name,
        lowercased email, E.164 phone (read in the sub-account's region), null rather than blank."""
        exclude = set(exclude or ())
        errors = {}
        self.name = normalize_text(self.name)
        if isinstance(self.name, str):
            self.name = self.name.strip()
        if isinstance(self.email, str):
            self.email = normalize_text(self.email).strip().lower() or None
        self.custom_fields = normalize_custom_fields(self.custom_fields)
        if "phone" not in exclude and isinstance(self.phone, str):
            raw_phone = self.phone.strip()
            if not raw_phone:
                self.phone = None
            else:
                region = self.sub_account.default_phone_region if self.sub_account_id else DEFAULT_PHONE_REGION
                try:
                    self.phone = normalize_phone(raw_phone, region)
                except ValidationError as error:
                    errors["phone"] = error.messages
        try:
            super().clean_fields(exclude=exclude | set(errors))
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)

    def email_conflict(self) -> "Contact | None":
        """Another contact of this sub-account holding this email (emails are unique per sub-account)."""
        if not self.email:
            return None
        return (
            Contact.objects.for_account(self.sub_account_id)
            .filter(email=self.email)
            .exclude(pk=self.pk)
            .only("id", "name")
            .first()
        )

    @property
    def tag_names(self) -> list[str]:
        names = self.__dict__.get("loaded_tag_names")
        if names is not None:  # read with the contact: ContactQuerySet.with_tags()
            return names
        # Not loaded with the contact (one just written): read its links within its sub-account.
        links = TaggedContact.objects.filter(sub_account_id=self.sub_account_id, content_object=self)
        return sorted(links.values_list("tag__name", flat=True))

    @property
    def etag(self) -> str:
        """A strong HTTP entity tag of everything the API shows of this contact: any change gives a new one."""
        state = [
            self.pk,
            self.name,
            self.email,
            self.phone,
            self.tag_names,
            self.custom_fields,
            self.updated_at.isoformat() if self.updated_at else None,
            self.last_conversation.isoformat() if self.last_conversation else None,
            self.conversation_count,
        ]
        digest = hashlib.sha256(json.dumps(state, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        return f'"{digest[:32]}"'

    def matches_etags(self, etags: list[str]) -> bool:
        """`If-Match` semantics (RFC 9110 §13.1.1): `*` or any listed strong tag equal to ours."""
        return "*" in etags or self.etag in etags
