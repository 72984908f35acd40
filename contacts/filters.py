"""The contact list's query: one FilterSet for the API and the staff pages."""

import re

import django_filters
from django import forms
from django.db import connections
from django.db.models import F
from django.utils.datastructures import MultiValueDict

from contacts.models import Contact, ContactTag, SavedView, TaggedContact
from contacts.search import walks_own_entries
from contacts.validators import MAX_CUSTOM_FIELD_KEY_LENGTH, parse_iso_date
from contacts_site.filters import BuiltOnceFilterSet, PresentChoiceFilter, TextFilter
from contacts_site.validation import text_problem

# A custom-field filter's parameter → its operator: `custom_field.<key>=<value>` (or `custom_field[<key>]`,
# OpenAPI's deepObject spelling) equals, `custom_field_contains.<key>=<text>`, `custom_field_set.<key>=true|false`,
# `custom_field_min.<key>=<number or YYYY-MM-DD>` and `custom_field_max.<key>=…` (bounds included).
CUSTOM_FIELD_OPERATORS = {
    "custom_field": "equals",
    "custom_field_contains": "contains",
    "custom_field_set": "set",
    "custom_field_min": "min",
    "custom_field_max": "max",
}
TAG_MATCHES = {"all": "every tag given", "any": "at least one tag given", "none": "none of the tags given"}

SORT_FIELDS = {
    # sort name → (model field, default direction)
    "created": ("created_at", "desc"),
    "updated": ("updated_at", "desc"),
    "name": ("name", "asc"),
    # "Recently active customers"; contacts never in a conversation (null) come last either way.
    "last_conversation": ("last_conversation", "desc"),
}
NULLABLE_SORT_FIELDS = {"last_conversation"}
# Sorts no SQLite index serves (ContactFilter.sorts_every_match).
SQLITE_UNINDEXED_SORTS = {"last_conversation"}
# How many of the most recent contacts a SQLite list by last conversation looks among first (leading_ids).
LEADING_ROWS = 2000


MAX_TAG_FILTER_LENGTH = 100


class AnyTagField(forms.MultipleChoiceField):
    """Any tag name is a valid filter value: one the sub-account does not use simply matches nothing.

    Tags are not choices, so a bad value is told what is wrong with it rather than "not one of the choices".
    """

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        for tag in value:
            if not isinstance(tag, str) or not tag:
                raise forms.ValidationError("A tag cannot be blank.", code="blank")
            if len(tag) > MAX_TAG_FILTER_LENGTH:
                raise forms.ValidationError(f"A tag has at most {MAX_TAG_FILTER_LENGTH} characters.", code="max_length")
            if problem := text_problem(tag):
                raise forms.ValidationError(problem, code="text")


class TagFilter(django_filters.MultipleChoiceFilter):
    field_class = AnyTagField


MAX_VIEW_ID_LENGTH = 32


def _as_list(value) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


# A number bound as the schema states it (contacts.api.RANGE_BOUND_PATTERN): digits, an optional sign and decimals.
NUMBER_BOUND = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,15})?")


def bound_of(value: str):
    """A range filter's bound: a number, or an ISO date kept as its text (dates are stored so)."""
    if parse_iso_date(value):
        return value
    if not NUMBER_BOUND.fullmatch(value):
        return None
    return float(value) if "." in value else int(value)


class ContactFilter(BuiltOnceFilterSet):
    search = TextFilter(method="filter_search", max_length=255, help_text="Substring of name or email, or a phone.")
    tag = TagFilter(
        method="filter_noop",
        help_text="Repeatable: contacts carrying every tag given (see tag_match).",
    )
    tag_match = PresentChoiceFilter(choices=list(TAG_MATCHES.items()), method="filter_noop", empty_label=None)
    sort = PresentChoiceFilter(choices=[(name, name) for name in SORT_FIELDS], method="filter_noop", empty_label=None)
    direction = PresentChoiceFilter(choices=[("asc", "asc"), ("desc", "desc")], method="filter_noop", empty_label=None)

    def __init__(self, data=None, *args, sub_account, viewer_id: int | None = None, **kwargs):
        """`viewer_id`: the user whose private saved views `?view=` may name (None: an API key, shared views)."""
        self.sub_account = sub_account
        self.tag_ids: list[int] | None = None  # resolved by filter_tags
        self.view: SavedView | None = None
        self.view_problem: str | None = None
        if data is not None and "view" in data:
            data = self._with_view(data, viewer_id)
        super().__init__(data, *args, **kwargs)

    def _with_view(self, data, viewer_id: int | None) -> MultiValueDict:
        """`data` over the saved view it names: the view's parameters, each replaced by one given beside it."""
        view_id = data.get("view")
        self.view = (
            SavedView.objects.for_account(self.sub_account).visible_to(viewer_id).filter(pk=view_id).first()
            if isinstance(view_id, str) and len(view_id) <= MAX_VIEW_ID_LENGTH and not text_problem(view_id)
            else None
        )
        if self.view is None:
            self.view_problem = "No such view."
            return data
        merged = MultiValueDict()
        for name, value in self.view.parameters:
            merged.appendlist(name, value)
        for name in data:
            if name != "view":
                merged.setlist(name, data.getlist(name) if hasattr(data, "getlist") else _as_list(data[name]))
        return merged

    def filter_noop(self, queryset, name, value):
        return queryset  # applied together in filter_queryset, after the filters

    def filter_search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.search(value, narrowed=self._narrowed_by_an_index)

    @property
    def _narrowed_by_an_index(self) -> bool:
        """Whether a filter beside the search finds its rows from an index: a tag to carry (all or any), a
        custom field's value or part of it. (A tag to lack, a field set or not, a range: none does.)"""
        data = self.form.cleaned_data
        tags_found_by_index = data.get("tag") and (data.get("tag_match") or "all") != "none"
        return bool(tags_found_by_index) or any(
            operator in {"equals", "contains"} for operator, _, _ in self.custom_field_filters
        )

    def filter_tags(self, queryset, names: list[str], match: str):
        """Every tag (`all`, the default), at least one (`any`), or none of them (`none`)."""
        tags = ContactTag.objects.for_account(self.sub_account)
        if match == "all":
            self.tag_ids = tags.ids_named(names)
            return queryset.carrying(self.tag_ids)
        known = tags.ids_of_known(names)
        if match == "any":
            return queryset.carrying_any(known)
        return queryset.carrying_none(known)

    @property
    def exact_total(self) -> int | None:
        """The size of `qs` known without a query, or None.

        Benchmark scenarios `list` and `list_offset`: unfiltered, the list is the whole sub-account, whose
        exact counter spares a count(*) of its 500,000 contacts on every page.
        """
        return None if self.is_filtered else self.sub_account.contact_count

    @property
    def count_queryset(self):
        """A queryset exactly as large as `qs` and cheaper to count, or None to count `qs` itself.

        Benchmark scenarios `tag_one`, `tag_two`, `tag_rare`: filtered by tags alone, the matches are
        counted on the tag links' index (one link per contact) instead of visiting each contact: the
        bounded total of a common tag then costs ~0.2 ms, not ~20.
        """
        self.qs  # noqa: B018 — the filters run (and filter_tags resolves the tag ids) on first access
        data = self.form.cleaned_data
        if (
            self.tag_ids
            and (data.get("tag_match") or "all") == "all"
            and not (data.get("search") or "").strip()
            and not self.custom_field_filters
        ):
            return TaggedContact.objects.for_account(self.sub_account).one_per_contact_carrying(self.tag_ids)
        return None

    @property
    def reads_page_from_first_ids(self) -> bool:
        """Whether a filtered page and its bounded total are read together from the list's first ids
        (contacts_site.pagination.read_page's `total_from_first_ids`), on every door.

        Benchmark `alone` (the 5k sub-account beside a 500k one, against itself alone): a search by words in a
        sub-account this small is found along its own index entries (contacts.search.walks_own_entries), where
        501 ids in list order cost one short walk; a page and a count each fetched the matches' rows, scattered
        among the neighbours' on the heap (`small:list_search:common`: 818 rows on 805 pages, twice).
        And a list whose order sorts every match (sorts_every_match: SQLite by last conversation).
        """
        search = (self.form.cleaned_data.get("search") or "").strip()
        return bool(search) and walks_own_entries(self.queryset, search) or self.sorts_every_match

    @property
    def sorts_every_match(self) -> bool:
        """Whether the list's order comes from sorting every match rather than from an index walked in order:
        SQLite sorted by last conversation (a full index for it was chosen by SQLite's planner for the ranked
        search and removed; 0022's partial one holds only the contacts that had a conversation, see
        leading_ids). The page then reads every match whatever happens, and a bounded count would read them a
        second time; the first TOTAL_COUNT_CAP + 1 ids in order hold both (read_page's `total_from_first_ids`),
        and the tag names are read for the page's rows alone, not for every row sorted. Benchmark SQLite
        `combo:12` (100,000 contacts: 78 → 42 ms in-process)."""
        sort = self.form.cleaned_data.get("sort") or "created"
        return sort in SQLITE_UNINDEXED_SORTS and connections[self.queryset.db].vendor == "sqlite"

    @property
    def leading_ids(self):
        """SQLite, the list filtered and sorted by last conversation, most recent first: the ids of the
        sub-account's LEADING_ROWS most recent contacts, from the partial index of migration 0022 (read_page's
        `leading_ids`). A filter that one contact in ten passes has its page there: a few thousand rows read by
        primary key, where sorting every match read the whole sub-account (benchmark SQLite `combo:16`, tags vip
        and beta excluded and plan enterprise: 96 → 22 ms in-process at 100,000 contacts). None otherwise.
        The oldest conversations first would work alike (the contacts never in one come last either way), but
        no scenario shows it paying: the one ascending combination with a common term, `combo:12`, has too few
        matches there and would only spend the try (3–10 ms)."""
        data = self.form.cleaned_data
        if not (self.sorts_every_match and self.is_filtered and (data.get("direction") or "desc") == "desc"):
            return None
        recent = Contact.objects.for_account(self.sub_account).filter(last_conversation__isnull=False)
        return recent.order_by("-last_conversation", "-id").values("pk")[:LEADING_ROWS]

    def _custom_field_parameters(self) -> list[tuple[str, str, str, str]]:
        """(parameter, operator, key, value) of each custom-field filter (CUSTOM_FIELD_OPERATORS), written
        `<prefix>.<key>=<value>` or `<prefix>[<key>]=<value>`: the same filter as OpenAPI's deepObject style
        writes it, so that a client generated from the schema can send it. Keys are dynamic, so they live
        outside the form."""
        found = []
        for name, value in self.data.items():
            for prefix, operator in CUSTOM_FIELD_OPERATORS.items():
                if name.startswith(prefix + "."):
                    found.append((name, operator, name.removeprefix(prefix + "."), value))
                elif name.startswith(prefix + "[") and name.endswith("]"):
                    found.append((name, operator, name[len(prefix) + 1 : -1], value))
        return found

    @property
    def custom_field_filters(self) -> list[tuple[str, str, str]]:
        """(operator, key, value) of each custom-field filter, in the order given."""
        return [(operator, key, value) for _, operator, key, value in self._custom_field_parameters()]

    @property
    def is_filtered(self) -> bool:
        """Whether the result may be narrower than the whole sub-account (sorting does not narrow)."""
        data = self.form.cleaned_data
        return bool((data.get("search") or "").strip() or data.get("tag") or self.custom_field_filters)

    @staticmethod
    def operand_problem(operator: str, value: str) -> str | None:
        if operator == "set" and value not in {"true", "false"}:
            return "Use true or false."
        if operator in {"min", "max"} and bound_of(value) is None:
            return "Give a number or a date written YYYY-MM-DD."
        return None

    def is_valid(self):
        valid = super().is_valid()
        if self.view_problem:
            self.form.errors.setdefault("view", self.form.error_class()).append(self.view_problem)
            valid = False
        for parameter, operator, key, value in self._custom_field_parameters():
            problem = None
            if not key:
                problem = "Name the custom field: custom_field.<key>=<value>."
            elif len(key) > MAX_CUSTOM_FIELD_KEY_LENGTH:
                problem = f"A custom field key has at most {MAX_CUSTOM_FIELD_KEY_LENGTH} characters."
            else:
                problem = text_problem(key) or text_problem(value) or self.operand_problem(operator, value)
            if problem:
                # Under the parameter's own name, like every other parameter's error (the form knows no such field).
                self.form.errors.setdefault(parameter[:80], self.form.error_class()).append(problem)
                valid = False
        return valid

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        tags = self.form.cleaned_data.get("tag")
        if tags:
            queryset = self.filter_tags(queryset, tags, self.form.cleaned_data.get("tag_match") or "all")
        for operator, key, value in self.custom_field_filters:
            if operator == "equals":
                queryset = queryset.with_custom_field(key, value)
            elif operator == "contains":
                queryset = queryset.with_custom_field_containing(key, value)
            elif operator == "set":
                queryset = queryset.with_custom_field_set(key, value == "true")
            else:
                bound = bound_of(value)
                low, high = (bound, None) if operator == "min" else (None, bound)
                queryset = queryset.with_custom_field_between(key, low, high)
        sort = self.form.cleaned_data.get("sort") or "created"
        field, default_direction = SORT_FIELDS[sort]
        direction = self.form.cleaned_data.get("direction") or default_direction
        prefix = "-" if direction == "desc" else ""
        order = f"{prefix}{field}"
        if field in NULLABLE_SORT_FIELDS:
            order = F(field).desc(nulls_last=True) if direction == "desc" else F(field).asc(nulls_last=True)
        # Ties broken by id so that pages never repeat or skip a row.
        return queryset.order_by(order, f"{prefix}id")
