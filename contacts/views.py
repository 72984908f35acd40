"""The staff pages over contacts: thin views over ContactFilter, the QuerySet methods and contacts.services."""

from dataclasses import dataclass, replace
from math import ceil
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from accounts.mixins import SubAccountMixin, form_already_carried_out, remember_form_carried_out
from contacts import services
from contacts.filters import (
    CUSTOM_FIELD_OPERATORS,
    MAX_TAG_FILTER_LENGTH,
    MAX_VIEW_ID_LENGTH,
    SORT_FIELDS,
    ContactFilter,
)
from contacts.forms import BulkActionForm, ContactForm, NoteForm, RevertForm
from contacts.identities import survivor_of
from contacts.models import Contact, ContactChange, ContactTag, CustomFieldDefinition, ListPreference, SavedView
from contacts.timeline import timeline_page
from contacts.validators import MAX_CUSTOM_FIELD_KEY_LENGTH
from contacts_site.actions import current_action
from contacts_site.errors import Conflict, StaleVersion
from contacts_site.forms import add_domain_error
from contacts_site.pagination import Page, cursor_values, read_page
from contacts_site.validation import text_problem

PER_PAGE_CHOICES = (25, 50, 100)
DEFAULT_PER_PAGE = 25
PER_PAGE_SESSION_KEY = "contacts_per_page"
MAX_QUERY_LENGTH = 255
TAG_SUGGESTIONS = 500
CONVERSATIONS_ON_CONTACT_PAGE = 50
# The list's columns besides the name (always first): key → (label, sort name or None). Custom fields
# defined by the sub-account are columns too, keyed `cf:<key>` (contacts.definitions).
BUILTIN_COLUMNS = {
    "email": ("Email", None),
    "phone": ("Phone", None),
    "tags": ("Tags", None),
    "last_activity": ("Last activity", "last_conversation"),
    "created": ("Created", "created"),
    "updated": ("Updated", "updated"),
}
CUSTOM_COLUMN_PREFIX = "cf:"
MAX_COLUMNS = 30
TAG_MATCH_LABELS = {"all": "has all of", "any": "has any of", "none": "has none of"}
# A custom-field filter parameter's prefix → how its chip reads ("Plan is pro", "Seats ≥ 10").
FIELD_FILTER_WORDS = {
    "custom_field": "is",
    "custom_field_contains": "contains",
    "custom_field_min": "≥",
    "custom_field_max": "≤",
}


def _field_filter(name: str, value: str) -> tuple[str, str] | None:
    """(prefix, key) of a custom-field filter parameter written `<prefix>.<key>`, if it is a valid one."""
    prefix, dot, key = name.partition(".")
    if not dot or prefix not in CUSTOM_FIELD_OPERATORS or not key or len(key) > MAX_CUSTOM_FIELD_KEY_LENGTH:
        return None
    if text_problem(key) or text_problem(value) or ContactFilter.operand_problem(CUSTOM_FIELD_OPERATORS[prefix], value):
        return None
    return prefix, key


@dataclass(frozen=True)
class ListState:
    """Everything that decides what the list shows; it lives in the URL (`?q=…&tag=…&sort=…&page=…`)."""

    q: str = ""
    tags: tuple[str, ...] = ()
    tag_match: str = "all"
    # Custom-field filters as the API's parameters: (`custom_field_min.seats`, `10`), …
    fields: tuple[tuple[str, str], ...] = ()
    columns: tuple[str, ...] | None = None  # None: the user's remembered columns
    view: str = ""  # the saved view opened, if any
    sort: str = "created"
    direction: str = "desc"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @classmethod
    def from_data(cls, data, *, default_per_page: int = DEFAULT_PER_PAGE) -> "ListState":
        """Read from GET (or a bulk form's POST); a bad value falls back to its default, never an error page."""
        q = (data.get("q") or "")[:MAX_QUERY_LENGTH]
        if text_problem(q):  # control characters, which no name or email holds
            q = ""
        tags = []
        for tag in data.getlist("tag"):
            tag = tag.strip().lower()
            if tag and len(tag) <= MAX_TAG_FILTER_LENGTH and text_problem(tag) is None and tag not in tags:
                tags.append(tag)
        tag_match = data.get("tag_match") if data.get("tag_match") in TAG_MATCH_LABELS else "all"
        fields = []
        for name in data:
            for value in data.getlist(name):
                if _field_filter(name, value) and (name, value) not in fields:
                    fields.append((name, value))
        columns = None
        if data.get("columns") is not None:
            columns = tuple(dict.fromkeys(c for c in data.get("columns").split(",") if _is_column_key(c)))[:MAX_COLUMNS]
        view = data.get("view") or ""
        if len(view) > MAX_VIEW_ID_LENGTH or text_problem(view):
            view = ""
        sort = data.get("sort") if data.get("sort") in SORT_FIELDS else "created"
        direction = data.get("direction") if data.get("direction") in {"asc", "desc"} else SORT_FIELDS[sort][1]
        page = _positive_int(data.get("page"), 1)
        per_page = _positive_int(data.get("per_page"), default_per_page)
        if per_page not in PER_PAGE_CHOICES:
            per_page = default_per_page
        return cls(
            q=q,
            tags=tuple(tags),
            tag_match=tag_match,
            fields=tuple(fields),
            columns=columns,
            view=view,
            sort=sort,
            direction=direction,
            page=page,
            per_page=per_page,
        )

    @property
    def is_filtered(self) -> bool:
        return bool(self.q.strip() or self.tags or self.fields)

    def filter_data(self) -> dict:
        """The same parameters the API's ContactFilter reads."""
        data = {"search": self.q, "tag": list(self.tags), "sort": self.sort, "direction": self.direction}
        if self.tag_match != "all":
            data["tag_match"] = self.tag_match
        for name, value in self.fields:
            data[name] = value
        return data

    def view_query(self, columns: list[str]) -> str:
        """What a saved view of this state keeps: the API's parameters, and the columns shown."""
        # The page's `q` is the API's `search`; everything else is spelled alike.
        params = [("search" if name == "q" else name, value) for name, value in self.filter_params()]
        params.append(("columns", ",".join(columns)))
        return urlencode(params)

    def filter_params(self) -> list[tuple[str, str]]:
        """The filter, search and sort parameters (no page, size, columns or view)."""
        return [(name, value) for name, value in self.params() if name not in {"page", "per_page", "columns", "view"}]

    def carried_params(self) -> list[tuple[str, str]]:
        """Carried by hidden inputs into a new search (which sets q and tags itself, and goes to page 1)."""
        # tag_match is carried by its own select, shown whenever there are tags to match.
        return [
            (name, value) for name, value in self.params() if name not in {"q", "tag", "tag_match", "page", "per_page"}
        ]

    def params(self) -> list[tuple[str, str]]:
        """As URL parameters, defaults left out so that URLs stay short and shareable."""
        params = []
        if self.view:
            params.append(("view", self.view))
        if self.q:
            params.append(("q", self.q))
        params += [("tag", tag) for tag in self.tags]
        if self.tag_match != "all":
            params.append(("tag_match", self.tag_match))
        params += list(self.fields)
        if self.columns is not None:
            params.append(("columns", ",".join(self.columns)))
        if self.sort != "created":
            params.append(("sort", self.sort))
        if self.direction != SORT_FIELDS[self.sort][1]:
            params.append(("direction", self.direction))
        if self.page != 1:
            params.append(("page", str(self.page)))
        if self.per_page != DEFAULT_PER_PAGE:
            params.append(("per_page", str(self.per_page)))
        return params

    def sort_params(self) -> list[tuple[str, str]]:
        """Carried into a new search, which keeps the sort but goes back to page 1."""
        return [(name, value) for name, value in self.params() if name in {"sort", "direction"}]

    def url(self, **changes) -> str:
        state = replace(self, **changes)
        query = urlencode(state.params())
        return reverse("contacts:list") + (f"?{query}" if query else "")


def _is_column_key(key: str) -> bool:
    if key in BUILTIN_COLUMNS:
        return True
    custom = key.removeprefix(CUSTOM_COLUMN_PREFIX)
    return (
        key.startswith(CUSTOM_COLUMN_PREFIX)
        and 0 < len(custom) <= MAX_CUSTOM_FIELD_KEY_LENGTH
        and not text_problem(custom)
    )


def _positive_int(value, default: int) -> int:
    if isinstance(value, str) and value.isdigit() and 0 < len(value) < 10:
        return max(1, int(value))
    return default


def contact_filter(contacts, state: ListState) -> ContactFilter:
    """The list's FilterSet over `contacts`, one sub-account's (a page's get_queryset())."""
    filterset = ContactFilter(state.filter_data(), queryset=contacts.with_tags(), sub_account=contacts.tenant)
    if not filterset.is_valid():  # unreachable with a ListState, which only holds valid values
        raise ValidationError(filterset.errors)
    return filterset


class CountedPaginator(Paginator):
    """A Paginator counting the list the cheapest way its FilterSet knows, as the API's list does: a page
    of a 500,000-contact list does not count its 500,000 rows first. Used by the side list's saved-view
    counts (contacts.workspace_views); the list itself reads its pages with read_page (ListPage)."""

    def __init__(self, filterset: ContactFilter, per_page: int):
        super().__init__(filterset.qs, per_page)
        self.filterset = filterset

    @cached_property
    def count(self) -> int:
        if self.filterset.exact_total is not None:
            return self.filterset.exact_total
        count_queryset = self.filterset.count_queryset
        return (self.object_list if count_queryset is None else count_queryset).count()


def tag_suggestions(tags) -> list[str]:
    return list(tags.order_by("name").values_list("name", flat=True)[:TAG_SUGGESTIONS])


@dataclass(frozen=True)
class ListPage:
    """The page of the list shown, and what is known of the rest: its total may be a lower bound."""

    number: int
    per_page: int
    read: Page

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.read.rows) - 1

    @property
    def last_known(self) -> int:
        """The last page the total proves to exist: the last page when the total is exact."""
        return max(1, ceil(self.read.total / self.per_page))


def _cursor_scope(state: ListState, offset: int) -> str:
    """What a Next link's cursor is issued for: this filter and sort, at this offset. A cursor read back under
    another scope (the filter changed, the page number was edited) is ignored, not obeyed."""
    return f"{urlencode(state.filter_params())}@{offset}"


def list_page(filterset: ContactFilter, state: ListState, after: str | None) -> ListPage:
    """The state's page of the filtered list, read the API's way (contacts_site.pagination.read_page).

    Page N is the offset (N - 1) × per_page, found by a deferred join when deep. `after`, the cursor a Next
    link carries, reads the same page by keyset instead, so clicking Next from page 400 costs what page 1
    costs; a cursor of another filter, sort or page, or a forged one, is ignored and the offset used. A page
    past the end shows the last one, as a typed number past it always has.
    """
    queryset = filterset.qs
    count_queryset = filterset.count_queryset

    def read(number: int, after_values=None) -> Page:
        offset = (number - 1) * state.per_page
        return read_page(
            queryset,
            offset=offset,
            limit=state.per_page,
            total=filterset.exact_total,
            count_queryset=count_queryset,
            after=after_values,
            cursor_scope=_cursor_scope(state, offset + state.per_page),
            # Benchmark scenario `page:filters`: the first 501 ids in list order (the page and its bounded
            # total) cost less than the page and a count of 501 matches (a bitmap of every match) for tags
            # "any" and custom fields (20 against 52 ms of SQL at 500k). Not beside a search: the search's
            # own index finds 26 matches far cheaper than 501 (`page:search`, `smith`: 33–78 against 12–14 ms).
            total_from_first_ids=not state.q.strip() or filterset.reads_page_from_first_ids,
        )

    number = state.page
    values = None
    if after and number > 1:
        values = cursor_values(after, queryset, scope=_cursor_scope(state, (number - 1) * state.per_page))
    page = read(number, values)
    if not page.rows and values is not None:  # nothing follows the cursor's row any more: read by the offset
        page = read(number)
    if not page.rows and number > 1:
        number = min(number - 1, max(1, ceil(page.total / state.per_page)))
        page = read(number)
    return ListPage(number=number, per_page=state.per_page, read=page)


ROW_LINK_PLACEHOLDER = "ct_placeholder"


def with_row_links(contacts: list[Contact]) -> list[Contact]:
    """`contacts`, each with the `detail_url` and `edit_url` its row links to, built from one reverse() of each
    route: reverse() costs ~0.1 ms, and a row needs three links (benchmark scenario `page:list`: 75 calls,
    7.5 ms of a 25-row page on the loaded benchmark host)."""
    detail, edit = (reverse(route, args=[ROW_LINK_PLACEHOLDER]) for route in ("contacts:detail", "contacts:edit"))
    for contact in contacts:
        pk = quote(contact.pk, safe="")
        contact.detail_url = detail.replace(ROW_LINK_PLACEHOLDER, pk)
        contact.edit_url = edit.replace(ROW_LINK_PLACEHOLDER, pk)
    return contacts


def page_numbers(current: int, last: int, *, more: bool = False) -> list[int | None]:
    """Page links to show: first, last, and two either side of the current one; None marks a gap.

    `more`: pages follow `last` that the total, a lower bound, cannot number yet: a gap ends the list.
    """
    shown = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    if more:
        numbers.append(None)
    return numbers


# The filter builder's conditions on a custom field: operator → (its label, value → (parameter prefix, value)).
BUILDER_OPERATORS = {
    "is": "is",
    "contains": "contains",
    "set": "is set",
    "unset": "is not set",
    "min": "is at least",
    "max": "is at most",
}
BUILDER_PARAMETERS = {
    "is": lambda value: ("custom_field", value),
    "contains": lambda value: ("custom_field_contains", value),
    "set": lambda value: ("custom_field_set", "true"),
    "unset": lambda value: ("custom_field_set", "false"),
    "min": lambda value: ("custom_field_min", value),
    "max": lambda value: ("custom_field_max", value),
}


def view_list_data(view: SavedView, given) -> QueryDict:
    """The list's GET parameters of a saved view (the API's spelling, `search` read as the page's `q`), each
    replaced by one given in the URL beside it: the same rule as `GET /api/v1/contacts?view=`."""
    data = QueryDict(mutable=True)
    for name, value in view.parameters:
        data.appendlist("q" if name == "search" else name, value)
    for name in given:
        data.setlist(name, given.getlist(name))
    data["view"] = view.pk
    return data


def list_columns(state: ListState, preference, definitions) -> list[str]:
    """The columns shown: the URL's (a saved view's), else the user's remembered ones, else the built-in
    ones and the custom fields defined as columns. A custom column whose field is no longer defined goes."""
    defined = {CUSTOM_COLUMN_PREFIX + definition.key for definition in definitions}
    if state.columns is not None:
        wanted = list(state.columns)
    elif preference is not None and preference.columns:
        wanted = list(preference.columns)
    else:
        wanted = [*BUILTIN_COLUMNS, *(CUSTOM_COLUMN_PREFIX + d.key for d in definitions if d.show_as_column)]
    return [key for key in wanted if key in BUILTIN_COLUMNS or key in defined]


def column_choices(definitions, shown: list[str]) -> list[dict]:
    choices = [{"key": key, "label": label} for key, (label, _) in BUILTIN_COLUMNS.items()]
    choices += [{"key": CUSTOM_COLUMN_PREFIX + d.key, "label": d.label} for d in definitions]
    return [choice | {"checked": choice["key"] in shown} for choice in choices]


def column_label(key: str, definitions: dict) -> str:
    if key in BUILTIN_COLUMNS:
        return BUILTIN_COLUMNS[key][0]
    definition = definitions.get(key.removeprefix(CUSTOM_COLUMN_PREFIX))
    return definition.label if definition else key.removeprefix(CUSTOM_COLUMN_PREFIX)


def column_sort(key: str) -> str | None:
    return BUILTIN_COLUMNS[key][1] if key in BUILTIN_COLUMNS else None


def field_chip_label(name: str, value: str, definitions: dict) -> str:
    """A custom-field filter as a sentence: "Plan is pro", "Seats ≥ 10", "VAT is not set"."""
    prefix, _, key = name.partition(".")
    definition = definitions.get(key)
    label = definition.label if definition else key
    if prefix == "custom_field_set":
        return f"{label} {'is set' if value == 'true' else 'is not set'}"
    return f"{label} {FIELD_FILTER_WORDS[prefix]} {value}"


class ContactPageMixin(SubAccountMixin):
    model = Contact


class ContactListView(ContactPageMixin, TemplateView):
    """The home page. An htmx request aimed at `#results` gets just the results, else the whole page."""

    template_name = "contacts/list.html"
    partial_template_name = "contacts/_results.html"

    def get(self, request, *args, **kwargs):
        remembered = request.session.get(PER_PAGE_SESSION_KEY, DEFAULT_PER_PAGE)
        if "fb_field" in request.GET:
            return redirect(self._with_built_filter(request, ListState.from_data(request.GET)).url())
        self.opened_view = None
        data = request.GET
        if data.get("view"):
            self.opened_view = self.get_queryset(SavedView).visible_to(request.user.pk).filter(pk=data["view"]).first()
            if self.opened_view is not None:
                data = view_list_data(self.opened_view, request.GET)
        self.state = ListState.from_data(data, default_per_page=remembered)
        if self.opened_view is None and self.state.view:
            self.state = replace(self.state, view="")
        if "per_page" in request.GET and self.state.per_page != remembered:
            request.session[PER_PAGE_SESSION_KEY] = self.state.per_page
        response = super().get(request, *args, **kwargs)
        # The same URL answers a page or a fragment: caches must keep them apart.
        patch_vary_headers(response, ["HX-Request", "HX-Target"])
        return response

    def get_template_names(self):
        headers = self.request.headers
        if (
            headers.get("HX-Request")
            and headers.get("HX-Target") == "results"
            and not headers.get("HX-History-Restore-Request")
        ):
            return [self.partial_template_name]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        state = self.state
        filterset = contact_filter(self.get_queryset(), state)
        page = list_page(filterset, state, self.request.GET.get("after"))
        if page.number != state.page:
            state = replace(state, page=page.number)
        all_tags = tag_suggestions(self.get_queryset(ContactTag))
        definitions = list(self.get_queryset(CustomFieldDefinition).in_order())
        by_key = {definition.key: definition for definition in definitions}
        preference = self.get_queryset(ListPreference).filter(user=self.request.user).first()
        shown = list_columns(state, preference, definitions)
        context.update(
            definitions=definitions,
            definitions_by_key=by_key,
            name_column=self._column(state, "Name", "name"),
            compact=bool(preference and preference.compact),
            shown_columns=shown,
            column_choices=column_choices(definitions, shown),
            field_chips=[
                {
                    "label": field_chip_label(name, value, by_key),
                    "url": state.url(fields=tuple(f for f in state.fields if f != (name, value)), page=1),
                }
                for name, value in state.fields
            ],
            tag_match_label=TAG_MATCH_LABELS[state.tag_match],
            tag_matches=TAG_MATCH_LABELS,
            builder_operators=BUILDER_OPERATORS,
            saved_views=list(self.get_queryset(SavedView).visible_to(self.request.user.pk).in_order()),
            opened_view=self.opened_view,
            view_query=state.view_query(shown),
            export_query=urlencode(state.filter_params()),
            state=state,
            page=page,
            contacts=with_row_links(page.read.rows),
            total=page.read.total,
            total_exact=page.read.total_exact,
            columns=[self._column(state, column_label(key, by_key), column_sort(key)) | {"key": key} for key in shown],
            page_links=[
                {"number": number, "url": state.url(page=number) if number else None}
                for number in page_numbers(page.number, page.last_known, more=not page.read.total_exact)
            ],
            previous_url=state.url(page=page.number - 1) if page.number > 1 else None,
            next_url=self._next_url(state, page) if page.read.has_more else None,
            tag_chips=[
                {"name": tag, "url": state.url(tags=tuple(t for t in state.tags if t != tag), page=1)}
                for tag in state.tags
            ],
            clear_url=state.url(q="", tags=(), tag_match="all", fields=(), view="", page=1),
            all_tags=all_tags,
            available_tags=[tag for tag in all_tags if tag not in state.tags],
            per_page_choices=PER_PAGE_CHOICES,
            list_url=state.url(),
        )
        return context

    def _with_built_filter(self, request, state: ListState) -> ListState:
        """The state with the filter builder's condition added (`fb_field`, `fb_op`, `fb_key`, `fb_value`): the
        builder is a plain GET form, so it works by keyboard and without script, and lands on a clean URL."""
        field, operator = request.GET.get("fb_field", ""), request.GET.get("fb_op", "")
        value = (request.GET.get("fb_value") or "").strip()
        state = replace(state, page=1)
        if field == "tag":
            tags = [tag.strip().lower() for tag in value.split(",") if tag.strip()]
            if operator not in TAG_MATCH_LABELS or not tags:
                messages.error(request, "Choose how the tags match and name at least one tag.")
                return state
            return replace(state, tags=tuple(dict.fromkeys([*state.tags, *tags])), tag_match=operator)
        key = field.removeprefix(CUSTOM_COLUMN_PREFIX) or (request.GET.get("fb_key") or "").strip()
        prefix, value = BUILDER_PARAMETERS[operator](value) if operator in BUILDER_PARAMETERS else ("", "")
        if not key or not prefix or _field_filter(f"{prefix}.{key}", value) is None:
            messages.error(request, "That filter is not complete: choose a field, a condition and a valid value.")
            return state
        return replace(state, fields=tuple(dict.fromkeys([*state.fields, (f"{prefix}.{key}", value)])))

    @staticmethod
    def _next_url(state: ListState, page: ListPage) -> str:
        url = state.url(page=page.number + 1)
        if page.read.next_cursor is None:  # a sort without keyset (last activity, nulls last): by offset
            return url
        return f"{url}&{urlencode({'after': page.read.next_cursor})}"

    @staticmethod
    def _column(state: ListState, label: str, sort: str | None) -> dict:
        if sort is None:
            return {"label": label}
        active = state.sort == sort
        default_direction = SORT_FIELDS[sort][1]
        if active:
            next_direction = "asc" if state.direction == "desc" else "desc"
        else:
            next_direction = default_direction
        return {
            "label": label,
            "sort": sort,
            "aria_sort": ("ascending" if state.direction == "asc" else "descending") if active else None,
            "url": state.url(sort=sort, direction=next_direction, page=1),
            "next_direction": "ascending" if next_direction == "asc" else "descending",
        }


class ContactDetailView(ContactPageMixin, TemplateView):
    template_name = "contacts/detail.html"

    def scope_queryset(self, queryset):
        return queryset.with_tags()

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # A contact merged into another: its old address (a bookmark, a link in a ticket) leads to the survivor.
            tombstone = survivor_of(self.sub_account.pk, kwargs["pk"])
            if tombstone is None:
                raise
        messages.info(request, "That contact was merged into this one.")
        return redirect("contacts:detail", tombstone.survivor_id)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contact = self.get_object()
        # Through the reverse relation (which names the contact's sub-account): contacts does not
        # import the conversations app.
        conversations = list(
            contact.conversations.by_recent_activity().select_related("assignee")[:CONVERSATIONS_ON_CONTACT_PAGE]
        )
        definitions = list(self.get_queryset(CustomFieldDefinition).in_order())
        context.update(contact=contact, conversations=conversations, definitions=definitions)
        return context


class ContactFormView(ContactPageMixin, TemplateView):
    """Create (no pk) or edit a contact; saving goes through contacts.services like the API."""

    template_name = "contacts/form.html"

    def scope_queryset(self, queryset):
        return queryset.with_tags()

    def get_contact(self) -> Contact | None:
        if "pk" not in self.kwargs:
            return None
        return self.get_object()

    def get_form(self, data=None) -> ContactForm:
        contact = self.get_contact()
        return ContactForm(data, instance=contact or Contact(), sub_account=self.sub_account)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context.setdefault("form", self.get_form())
        context["is_new"] = form.instance._state.adding
        context["all_tags"] = tag_suggestions(self.get_queryset(ContactTag))
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                contact = self._save(form)
            except (Conflict, ValidationError) as error:
                add_domain_error(form, error)
            else:
                return redirect("contacts:detail", pk=contact.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def _save(self, form: ContactForm) -> Contact:
        if form.instance._state.adding:
            contact = services.contact_create(sub_account=self.sub_account, **form.changes())
            messages.success(self.request, f"Created {contact.name}.")
        else:
            contact = services.contact_update(contact=form.instance, **form.changes())
            messages.success(self.request, "Saved your changes.")
        return contact


class ContactDeleteView(ContactPageMixin, TemplateView):
    template_name = "contacts/delete.html"

    def get_contact(self) -> Contact:
        return self.get_object()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["contact"] = self.get_contact()
        return context

    def post(self, request, pk):
        contact = self.get_contact()
        services.contact_delete(contact=contact)
        messages.success(request, f"Deleted {contact.name}.")
        return redirect("contacts:list")


class ContactBulkView(ContactPageMixin, TemplateView):
    """Bulk actions on selected rows, or on every contact matching the list's filter (re-run here, not ids)."""

    template_name = "contacts/bulk_confirm.html"
    http_method_names = ["post"]

    def post(self, request):
        state = ListState.from_data(request.POST)
        form = BulkActionForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(state.url())
        data = form.cleaned_data
        if data["scope"] == "all":
            contacts = contact_filter(self.get_queryset(), state).qs
        else:
            contacts = self.get_queryset().filter(pk__in=data["ids"])
        if data["action"] == "delete":
            return self._delete(request, state, form, contacts)
        return self._tag(request, state, data, contacts)

    def _tag(self, request, state, data, contacts):
        tag = data["bulk_tag"]
        matched = contacts.count()
        try:
            if data["action"] == "add_tag":
                changed = services.contact_bulk_add_tag(sub_account=self.sub_account, contacts=contacts, tag=tag)
                outcome = f"Added tag “{tag}” to {_contacts(changed)}"
            else:
                changed = services.contact_bulk_remove_tag(sub_account=self.sub_account, contacts=contacts, tag=tag)
                outcome = f"Removed tag “{tag}” from {_contacts(changed)}"
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(state.url())
        unchanged = matched - changed
        if unchanged:
            outcome += f" ({unchanged} already {'had' if data['action'] == 'add_tag' else 'did not have'} it)"
        messages.success(request, outcome + ".")
        return redirect(state.url())

    def _delete(self, request, state, form, contacts):
        data = form.cleaned_data
        count = contacts.count()
        # Run only what the person saw and confirmed: if more now match, ask again with the new count.
        if not data["confirmed"] or data["expected"] is None or count > data["expected"]:
            sample = list(contacts.order_by("name", "id").values_list("name", flat=True)[:5])
            return self.render_to_response(
                self.get_context_data(count=count, sample=sample, state=state, data=data, form=form),
                status=200 if not data["confirmed"] else 409,
            )
        deleted = services.contacts_delete(sub_account=self.sub_account, queryset=contacts)
        messages.success(request, f"Deleted {_contacts(deleted)}.")
        return redirect(state.url())


def _contacts(count: int) -> str:
    return f"{count} contact" if count == 1 else f"{count} contacts"


class ContactTimelinePageMixin(ContactPageMixin):
    """The timeline panel's doors: each acts on the URL's contact (a 404 if it is not the sub-account's)."""

    def scope_queryset(self, queryset):
        return queryset.with_tags()  # its ETag, which the revert buttons carry, covers its tags

    def entries(self, contact: Contact):
        return self.get_queryset(ContactChange).of_contact(contact.pk).newest_first()

    def back_to_timeline(self, contact: Contact):
        return redirect(reverse("contacts:detail", args=[contact.pk]) + "#timeline")


class ContactTimelineView(ContactTimelinePageMixin, TemplateView):
    """`?before=<entry id>`: the next entries of the timeline panel, for its "Load more" (htmx swaps them in)."""

    template_name = "contacts/_timeline_entries.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contact = self.get_object()
        entries = self.entries(contact)
        before = entries.filter(pk=self.request.GET.get("before", "")).first()
        items, next_before = timeline_page(entries, action=current_action(), before=before)
        context.update(contact=contact, timeline_items=items, timeline_next=next_before)
        return context


class NoteCreateView(ContactTimelinePageMixin, ContactDetailView):
    """Adds a note from the contact page; a refused note shows the page again with its text and the error."""

    http_method_names = ["post"]

    def post(self, request, pk):
        contact = self.get_object()
        form = NoteForm(request.POST)
        if form_already_carried_out(request):  # a reload or Back + resend: the note is there already
            return self.back_to_timeline(contact)
        if form.is_valid():
            try:
                services.note_create(contact=contact, body=form.cleaned_data["body"])
            except ValidationError as error:
                add_domain_error(form, error)
            else:
                remember_form_carried_out(request)
                messages.success(request, "Note added.")
                return self.back_to_timeline(contact)
        return self.render_to_response(self.get_context_data(note_form=form), status=400)


class NoteChangeView(ContactTimelinePageMixin, TemplateView):
    """Edit (a `body` given) or delete (`delete` given) one's own note."""

    http_method_names = ["post"]

    def post(self, request, pk, note_id):
        contact = self.get_object()
        note = get_object_or_404(self.entries(contact).notes(), pk=note_id)
        if "delete" in request.POST:
            services.note_delete(note=note)
            messages.success(request, "Note deleted.")
            return self.back_to_timeline(contact)
        form = NoteForm(request.POST)
        if not form.is_valid():
            messages.error(request, "The note was not saved: write something, or delete it.")
            return self.back_to_timeline(contact)
        try:
            services.note_update(note=note, body=form.cleaned_data["body"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, f"The note was not saved: {message}")
        else:
            messages.success(request, "Note saved.")
        return self.back_to_timeline(contact)


class ContactRevertView(ContactTimelinePageMixin, TemplateView):
    """Restore a field's earlier value from the timeline, in one click (recorded as source `revert`)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        contact = self.get_object()
        form = RevertForm(request.POST)
        if not form.is_valid():
            raise Http404("No such change.")
        data = form.cleaned_data
        try:
            services.contact_change_revert(
                contact=contact,
                change_id=data["change_id"],
                field=data["field"],
                if_match=[data["version"]] if data["version"] else None,
            )
        except StaleVersion:
            messages.error(request, "The contact changed since you loaded the page: look again, then restore.")
        except (Conflict, ValidationError) as error:
            text = error.message if isinstance(error, Conflict) else " ".join(error.messages)
            messages.error(request, f"Could not restore it: {text}")
        else:
            messages.success(request, "Restored the earlier value.")
        return self.back_to_timeline(contact)
