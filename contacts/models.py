import functools
import hashlib
import json
import math
import re

from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, StrIndex, Upper
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from accounts.models import SubAccount, TenantModel, TenantQuerySet
from contacts import search
from contacts.definitions import CustomFieldDefinition
from contacts.validators import (
    lower_keeping_length,
    normalize_custom_fields,
    normalize_phone,
    validate_custom_fields,
)
from contacts_site.errors import EmailTaken
from contacts_site.ids import prefixed_id
from contacts_site.validation import normalize_text, validate_single_line_text

DEFAULT_PHONE_REGION = "US"
# The ends of the custom-field range filters (ContactQuerySet.with_custom_field_between).
NUMBER_RANGE_END = 1e300
DATE_RANGE = ("0000-01-01", "9999-12-31")
# SQLite: a tag filter starts from the links of a tag this rare (ContactQuerySet.carrying), as a search starts
# from its full-text index below contacts.search.SQLITE_INDEXED_SEARCH_MAX_MATCHES matches.
RARE_TAG_MAX_LINKS = 2000


def new_contact_id() -> str:
    return prefixed_id("ct")


class ContactTagQuerySet(TenantQuerySet):
    def ids_named(self, names: list[str]) -> list[int] | None:
        """The ids of the sub-account's tags called `names` (compared lowercased), or None if one is unknown."""
        wanted = {lower_keeping_length(name.strip()) for name in names}
        ids = list(self.filter(name__in=wanted).values_list("id", flat=True))
        return sorted(ids) if len(ids) == len(wanted) else None

    def ids_of_known(self, names: list[str]) -> list[int]:
        """The ids of those of `names` the sub-account has (unknown names are simply no tag)."""
        wanted = {lower_keeping_length(name.strip()) for name in names}
        return sorted(self.filter(name__in=wanted).values_list("id", flat=True))


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


class TaggedContactQuerySet(TenantQuerySet):
    def one_per_contact_carrying(self, tag_ids: list[int]):
        """One link per contact that carries every tag of `tag_ids`: the first tag's links whose contact
        has the others. As many rows as `Contact.objects.carrying(tag_ids)`, and counted from the
        (sub_account, tag, contact) index alone, without visiting a contact."""
        first, *others = tag_ids
        links = self.filter(tag_id=first)
        for tag_id in others:
            other_links = self.model.objects.filter(
                sub_account=self.tenant_id, tag_id=tag_id, content_object_id=OuterRef("content_object_id")
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
    about 0.3 ms of Python (benchmark scenario `get`: 0.5 → 0.2 ms per contact). Safe to share:
    annotate() resolves a copy, never the expression itself."""
    return TagNames(sub_account_id)


class CarriesTags(models.Expression):
    """PostgreSQL: the contact's `tag_ids` hold every id of `tag_ids` (`tag_ids @> '[…]'`).

    `tag_ids` is a column the triggers of migration 0016 keep from the tag links, not a model field: no
    save() can write a stale copy back. Its GIN index combines with the search and custom-field indexes
    on the same table, so a tag beside a search or a custom field is one bitmap AND instead of a probe of
    the links per candidate row (benchmark family `combo:*`: a search and a tag, 87 → 20 ms of SQL at
    500,000 contacts, EXPLAIN ANALYZE in docs/performance.md)."""

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, tag_ids: list[int]):
        super().__init__()
        self.tag_ids = sorted(tag_ids)

    def as_sql(self, compiler, connection):
        # The contacts table of the query being compiled (an outer query's, or a subquery's alias).
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{table}.tag_ids @> %s::jsonb", [json.dumps(self.tag_ids)]


class CustomFieldsTextContains(models.Expression):
    """PostgreSQL: the contact's custom fields, as JSON text, contain `text` (ignoring case): implied by
    any one field containing it, and served by migration 0018's trigram index whatever the key. Asked
    beside the exact condition on the key, it lets PostgreSQL find the few candidate rows from an index
    and combine them with a search's or a tag's (benchmark `combo:17`: a common search term, three tags
    excluded and a company containing "redwood", a request 887 → 45 ms, in-process)."""

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    @staticmethod
    def serves(text: str) -> bool:
        """Whether JSON spells `text` as itself: a quote, a backslash or a control character is escaped in
        the JSON text, where the plain substring would then not be found."""
        return len(text) >= 3 and not any(char in '"\\' or ord(char) < 0x20 for char in text)

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        pattern = "%" + connection.ops.prep_for_like_query(self.text) + "%"
        return f"UPPER({table}.custom_fields::text) LIKE UPPER(%s)", [pattern]


# SQLite: text that every JSON writer spells as itself, and that no other JSON value's text form holds, so that
# the stored JSON text of the custom fields contains it whenever a custom-field condition on it holds (see
# ContactQuerySet._sqlite_custom_fields_text_containing). A "contains" text of letters (a number's text, a nested
# object's re-spaced text could differ from the stored one); an "equals" string of letters and digits that is not
# JSON's null, true or false (whose type names SQLite's key lookup returns as text).
SQLITE_PLAIN_CONTAINS_TEXT = re.compile(r"[A-Za-z -]*[A-Za-z][A-Za-z -]*")
SQLITE_PLAIN_EQUALS_TEXT = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.@-]*")


class ContactQuerySet(TenantQuerySet):
    def with_tags(self):
        """Read each contact's tag names in its own row (see TagNames), within the queryset's sub-account
        like every tenant query. Not prefetch_related: that builds a link and a tag instance per name and
        a queryset per contact, a third of a list request's time, and costs a second query (benchmark
        scenarios `list`, `get`; serialization 7.2 → 2.6 µs a contact)."""
        return self.annotate(loaded_tag_names=tag_names_of(self.tenant_id))

    def tagged(self, names: list[str]):
        """Contacts carrying every tag in `names` (names compared lowercased)."""
        return self.carrying(ContactTag.objects.for_account(self.tenant_id).ids_named(names))

    def carrying(self, tag_ids: list[int] | None):
        """Contacts carrying every tag of `tag_ids` (None: a tag that does not exist, so none).

        PostgreSQL: one containment test on the contact's own `tag_ids` (see CarriesTags). Elsewhere each
        tag is an EXISTS on the links, not a join: one row per contact, whatever else it carries; with the
        ids known, the planner sees each tag's statistics.
        """
        if tag_ids is None:
            return self.none()
        if not tag_ids:
            return self
        if self._tag_ids_in_row:
            return self.filter(CarriesTags(tag_ids))
        queryset = self
        probed = tag_ids
        if rarest := self._rare_tag_among(tag_ids):
            # SQLite walks the list's order probing each tag per row: a rare tag among them is one probe
            # per row of the whole list when few rows match. Started from that tag's links instead, the
            # rows are found by primary key (benchmark SQLite `combo:06`, three tags with `investor`
            # among them: a request 305 → 12 ms at 100,000 contacts). A common tag's page is found sooner
            # by the walk.
            links = TaggedContact.objects.filter(sub_account=self.tenant_id, tag_id=rarest)
            queryset = queryset.filter(pk__in=links.values("content_object_id"))
            probed = [tag_id for tag_id in tag_ids if tag_id != rarest]
        for tag_id in probed:
            links = TaggedContact.objects.filter(
                sub_account=self.tenant_id, tag_id=tag_id, content_object=OuterRef("pk")
            )
            queryset = queryset.filter(Exists(links))
        return queryset

    def _rare_tag_among(self, tag_ids: list[int]) -> int | None:
        """The least used of `tag_ids` if it has at most RARE_TAG_MAX_LINKS links, else None."""
        links = TaggedContact.objects.filter(sub_account=self.tenant_id)
        counts = {
            tag_id: links.filter(tag_id=tag_id).values("pk")[: RARE_TAG_MAX_LINKS + 1].count() for tag_id in tag_ids
        }
        rarest = min(counts, key=counts.get)
        return rarest if counts[rarest] <= RARE_TAG_MAX_LINKS else None

    def _carrying_one_of(self, tag_ids: list[int]):
        if self._tag_ids_in_row:
            condition = Q()
            for tag_id in tag_ids:
                condition |= Q(CarriesTags([tag_id]))
            return condition
        return Q(
            Exists(
                TaggedContact.objects.filter(
                    sub_account=self.tenant_id, tag_id__in=tag_ids, content_object=OuterRef("pk")
                )
            )
        )

    def carrying_any(self, tag_ids: list[int]):
        """Contacts carrying at least one tag of `tag_ids` (none if empty)."""
        return self.filter(self._carrying_one_of(tag_ids)) if tag_ids else self.none()

    def carrying_none(self, tag_ids: list[int]):
        """Contacts carrying no tag of `tag_ids` (all if empty)."""
        return self.exclude(self._carrying_one_of(tag_ids)) if tag_ids else self

    def _sqlite_custom_fields_text_containing(self, fragment: str):
        """SQLite: contacts whose custom fields, as their stored JSON text, contain `fragment` (LIKE: ASCII letters
        ignoring case), when the caller knows a condition to follow implies it (SQLITE_PLAIN_CONTAINS_TEXT,
        SQLITE_PLAIN_EQUALS_TEXT). Elsewhere, the queryset unchanged.

        SQLite parses the fields' JSON for each condition on each row it reads (`json_extract`: ~50 ms over
        100,000 rows, a third of which is reading the rows); this LIKE on the text rejects most rows at the cost
        of the read alone, and the exact condition, asked after it, is then evaluated only on the rows it lets
        through (benchmark SQLite `combo:17`, a company containing "redwood": its count 43 → 23 ms of SQL;
        `combo:16`, plan `enterprise`)."""
        if connections[self.db].vendor != "sqlite":
            return self
        queryset = self.alias(_custom_fields_text=Cast("custom_fields", models.TextField()))
        return queryset.filter(_custom_fields_text__contains=fragment)

    @property
    def _tag_ids_in_row(self) -> bool:
        return connections[self.db].vendor == "postgresql"

    def with_custom_field_containing(self, key: str, text: str):
        """Contacts whose custom field `key`, as text, contains `text` (ignoring case)."""
        queryset = self.alias(_custom_field_text=KeyTextTransform(key, "custom_fields"))
        if connections[self.db].vendor == "postgresql" and CustomFieldsTextContains.serves(text):
            # The key's own check is spelled strpos(), which the planner estimates at a third of the rows the
            # index condition finds, not as a second LIKE that it would multiply with the first, as if the
            # two were independent: a common value ("river", 47,710 contacts) was then estimated at 68 rows
            # and read through the index and sorted whole (benchmark `page:custom_field_contains`: 305 ms).
            position = StrIndex(Upper("_custom_field_text"), Upper(models.Value(text)))
            return queryset.filter(CustomFieldsTextContains(text), models.lookups.GreaterThan(position, 0))
        if SQLITE_PLAIN_CONTAINS_TEXT.fullmatch(text):
            queryset = queryset._sqlite_custom_fields_text_containing(text)
        return queryset.filter(_custom_field_text__icontains=text)

    def with_custom_field_set(self, key: str, is_set: bool):
        """Contacts that hold (or, `is_set=False`, do not hold) custom field `key`."""
        condition = Q(custom_fields__has_key=key)
        return self.filter(condition) if is_set else self.exclude(condition)

    def with_custom_field_between(self, key: str, low=None, high=None):
        """Contacts whose custom field `key` lies within [low, high]: numbers if the bounds are numbers,
        dates (YYYY-MM-DD text) if they are text. The missing bound is the end of that type's range, so a
        value of another type (text among numbers, a number among dates) never matches either way: JSON
        and SQLite both order the types apart."""
        is_date = isinstance(low if low is not None else high, str)
        low = low if low is not None else (DATE_RANGE[0] if is_date else -NUMBER_RANGE_END)
        high = high if high is not None else (DATE_RANGE[1] if is_date else NUMBER_RANGE_END)
        queryset = self.alias(_custom_field=KeyTransform(key, "custom_fields"))
        return queryset.filter(_custom_field__gte=low, _custom_field__lte=high)

    def search(self, query: str, *, narrowed: bool = False):
        """Name, email or phone matching `query`, within the queryset's sub-account (contacts.search).
        `narrowed`: another filter that an index serves (a tag, a custom field's value) is applied too."""
        return search.matching(self, query, narrowed=narrowed)

    def search_ranked(self, query: str, *, limit: int) -> list["Contact"]:
        """Up to `limit` matches of `search()`, best first (contacts.search.ranked)."""
        return search.ranked(self, query, limit=limit)

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
        queryset = self
        if (
            candidates == [value]
            and SQLITE_PLAIN_EQUALS_TEXT.fullmatch(value)
            and value not in {"null", "true", "false"}
        ):
            queryset = queryset._sqlite_custom_fields_text_containing(f'"{value}"')  # the JSON string's spelling
        queryset = queryset.alias(_custom_field=KeyTransform(key, "custom_fields"))
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
    # Derived: what search compares (contacts.search.search_text_of), written by save() with the fields it
    # is made of. Set-based writes of name, email or phone must set it too (grep search_text_of).
    search_text = models.TextField(default="", db_default="", blank=True, editable=False)

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
            # custom_fields is checked below, with the sub-account's definitions (the field's own validator
            # is the same rule without them).
            super().clean_fields(exclude=exclude | set(errors) | {"custom_fields"})
        except ValidationError as error:
            errors.update(error.message_dict)
        if "custom_fields" not in exclude:
            try:
                validate_custom_fields(
                    self.custom_fields, self.custom_field_definitions(), checked_keys=self.custom_fields_written
                )
            except ValidationError as error:
                errors["custom_fields"] = error.messages
        if errors:
            raise ValidationError(errors)

    # The keys a write sets (contacts.services): only these are checked against their definition's type, so a
    # value stored before its definition changed stays until that key is written again. None: every key.
    custom_fields_written: set[str] | None = None

    def custom_field_definitions(self) -> dict:
        """The sub-account's custom-field definitions by key, read only when they can matter to this write."""
        if not self.custom_fields or not isinstance(self.custom_fields, dict) or not self.sub_account_id:
            return {}
        preloaded = self.__dict__.get("custom_field_definitions_preloaded")
        if preloaded is not None:
            return preloaded  # a bulk write (the import) reads them once for all its rows
        holds_lists = any(isinstance(item, list) for item in self.custom_fields.values())
        if self.custom_fields_written == set() and not holds_lists:
            return {}  # no key written and no multi-select value to recognise: the definitions change nothing
        return CustomFieldDefinition.objects.for_account(self.sub_account_id).by_key()

    def save(self, *args, update_fields=None, **kwargs):
        self.search_text = search.search_text_of(self.name, self.email, self.phone)
        if update_fields is not None and {"name", "email", "phone"} & set(update_fields):
            update_fields = [*update_fields, "search_text"]
        super().save(*args, update_fields=update_fields, **kwargs)

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
        # Read with the contact (ContactQuerySet.with_tags()), or set by a service to the tags it just wrote,
        # which the answer and the event then show without reading them back (scenarios `create`, `patch`).
        if names is not None:
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


class ContactIdentity(TenantModel):
    """An email or phone a contact is also known by: what a merge keeps of its sources' own (docs/identity.md).
    Found by search and by upsert matching like the contact's own; not unique (the primary email is)."""

    class Kind(models.TextChoices):
        EMAIL = "email"
        PHONE = "phone"

    sub_account = models.ForeignKey(SubAccount, on_delete=models.CASCADE, related_name="+", db_index=False)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities", db_index=False)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # Stored normalized, like the contact's own fields: lowercased email, E.164 phone.
    value = models.CharField(max_length=254)
    # The merge that added it ("mrg_…"): its undo removes exactly these.
    merge_id = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        verbose_name_plural = "contact identities"
        constraints = [
            models.UniqueConstraint(
                fields=["sub_account", "contact", "kind", "value"], name="contactidentity_unique_per_contact"
            )
        ]
        indexes = [models.Index(fields=["sub_account", "kind", "value"], name="contactidentity_lookup")]


class ContactMatchKey(TenantModel):
    """A blocking key of a contact (contacts.identities.match_keys): contacts sharing one are duplicate
    candidates. Written in the transaction of the contact write that changes them, so finding candidates is
    an index read, never a scan of the sub-account."""

    sub_account = models.ForeignKey(SubAccount, on_delete=models.CASCADE, related_name="+", db_index=False)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="match_keys", db_index=False)
    key = models.CharField(max_length=320)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sub_account", "contact", "key"], name="contactmatchkey_unique"),
        ]
        indexes = [models.Index(fields=["sub_account", "key", "contact"], name="contactmatchkey_key")]


class MergedContact(TenantModel):
    """The tombstone of a contact merged away: its old id answers with the survivor (308) until the merge is
    undone. `survivor_id` is not a foreign key: a survivor merged in turn is followed to its own survivor."""

    id = models.CharField(primary_key=True, max_length=32, editable=False)
    sub_account = models.ForeignKey(SubAccount, on_delete=models.CASCADE, related_name="+", db_index=False)
    survivor_id = models.CharField(max_length=32)
    merge_id = models.CharField(max_length=32)
    merged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["sub_account", "merge_id"], name="mergedcontact_merge"),
            # The ids merged into a contact: its timeline shows their history, its deletion erases it.
            models.Index(fields=["sub_account", "survivor_id"], name="mergedcontact_survivor"),
        ]


# The timeline's table lives in its own module (contacts/history.py); imported here so Django registers it.
from contacts.history import ContactChange  # noqa: F401
from contacts.saved_views import ListPreference, SavedView  # noqa: F401
