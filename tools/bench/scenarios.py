"""What the benchmark asks the API, built from samples of the generated data."""

import time
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import phonenumbers
from django.db import connection
from django.http import QueryDict

from accounts.models import SubAccount
from contacts.filters import SORT_FIELDS, ContactFilter
from contacts.models import Contact, ContactTag
from contacts.workspace_services import saved_view_create
from tools.bench import families
from tools.bench.measure import Request, Scenario
from tools.bench.vocabulary import MULTI_WORD_SEARCH_TERMS, SEARCH_TERMS

API = "/api/v1/contacts"
NAIVE = "/naive/api/v1/contacts/"
POOL = 400  # distinct contacts cycled through by get / patch / conversations

ONE_TAG = "vip"
TWO_TAGS = ("vip", "newsletter")
RARE_TAG = "investor"
CUSTOM_FIELD = ("plan", "enterprise")
VIEW_QUERY = f"tag={ONE_TAG}&sort=name"
PAGES = "/"  # the staff list (a logged-in session: the `staff` account of the runner)
INBOX = "/conversations/"
# The staff list's other filters and sorts (issue: list, search, filters, sorts ≤ 50 ms), in the API's
# spelling (the page reads `q` for `search`: families.page_spelling): key → parameters.
STAFF_PAGE_FILTERS = {
    "page:search_tag": [("search", "smith"), ("tag", "customer")],
    "page:tag_any": [("tag", "vip"), ("tag", "beta"), ("tag_match", "any")],
    "page:tag_none": [("tag", "vip"), ("tag_match", "none")],
    "page:custom_field": [("custom_field.plan", "enterprise")],
    "page:custom_field_contains": [("custom_field_contains.company", "river")],
    "page:custom_field_set": [("custom_field_set.lifetime_value", "true")],
    "page:custom_field_range": [("custom_field_min.seats", "10"), ("custom_field_max.seats", "40")],
    "page:sort:created_asc": [("sort", "created"), ("direction", "asc")],
    "page:sort:updated": [("sort", "updated")],
    "page:sort:name": [("sort", "name")],
    "page:sort:name_desc": [("sort", "name"), ("direction", "desc")],
    "page:sort:last_conversation": [("sort", "last_conversation")],
}


@dataclass
class Samples:
    big: int
    small: int
    big_size: int
    depth: int
    contact_ids: list[str]
    conversation_contact_ids: list[str]
    naive_ids: list[int]
    email: str
    phone_national: str
    matches: dict[str, int]  # scenario key → rows matched
    view_id: str = ""  # a shared saved view of the big sub-account (the page and API `view` scenarios)
    # The families (tools.bench.families): each combination's parameters and matches, each depth list's size,
    # and the exact lookups' terms by account (`email`, `phone_e164`, …) with their matches.
    combinations: list[list[tuple[str, str]]] = field(default_factory=list)
    combination_matches: list[int] = field(default_factory=list)
    depth_sizes: dict[str, int] = field(default_factory=dict)
    exact_terms: dict[str, dict[str, str]] = field(default_factory=dict)
    exact_matches: dict[str, int] = field(default_factory=dict)


def _random_ids(table: str, sub_account: int, extra: str = "") -> list:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE sub_account_id = %s {extra} ORDER BY random() LIMIT %s", [sub_account, POOL]
        )
        return [row[0] for row in cursor.fetchall()]


def list_size(sub_account: SubAccount, params) -> int:
    """How many contacts of `sub_account` the API's list with these parameters holds (its FilterSet)."""
    data = QueryDict(mutable=True)
    for name, value in params:
        data.appendlist(name, value)
    filterset = ContactFilter(data, queryset=Contact.objects.for_account(sub_account), sub_account=sub_account)
    if not filterset.is_valid():
        raise ValueError(f"Invalid benchmark parameters {list(params)}: {filterset.errors}")
    return filterset.qs.count()


def exact_lookup_terms(sub_account: SubAccount) -> dict[str, str]:
    """A random contact's full email, and another's phone (of the sub-account's own region, so its national
    format reads back) in each form of families.phone_forms."""
    contacts = Contact.objects.for_account(sub_account)
    email = contacts.filter(email__isnull=False).order_by("?").values_list("email", flat=True).first()
    country_code = phonenumbers.country_code_for_region(sub_account.default_phone_region)
    phone = contacts.filter(phone__startswith=f"+{country_code}").order_by("?").values_list("phone", flat=True).first()
    return {"email": email, **families.phone_forms(phone)}


def gather_families(samples: Samples, accounts: dict[str, SubAccount], *, combinations: int, seed: int) -> None:
    """The families' parameters, terms and match counts, into `samples`."""
    big = accounts["big"]
    samples.combinations = families.combinations(combinations, seed)
    samples.combination_matches = [list_size(big, params) for params in samples.combinations]
    samples.depth_sizes = {depth_list.key: list_size(big, depth_list.params) for depth_list in families.DEPTH_LISTS}
    for account_name, account in accounts.items():
        terms = exact_lookup_terms(account)
        samples.exact_terms[account_name] = terms
        for form, term in terms.items():
            samples.exact_matches[f"{account_name}:{form}"] = list_size(account, [("search", term)])


def gather(
    big: int,
    small: int,
    *,
    naive: bool,
    combinations: int = families.DEFAULT_COMBINATIONS,
    combination_seed: int = families.DEFAULT_COMBINATION_SEED,
) -> Samples:
    """Random contacts, an email, a phone and match counts from the loaded database."""
    big_account, small_account = SubAccount.objects.get(pk=big), SubAccount.objects.get(pk=small)
    contacts = Contact.objects.for_account(big_account)
    big_size = contacts.count()
    email = contacts.filter(email__isnull=False).order_by("?").values_list("email", flat=True).first()
    phone = contacts.filter(phone__startswith="+1").order_by("?").values_list("phone", flat=True).first()
    national = phonenumbers.format_number(phonenumbers.parse(phone), phonenumbers.PhoneNumberFormat.NATIONAL)
    matches = {}
    for account_name, account in (("big", big_account), ("small", small_account)):
        scoped = Contact.objects.for_account(account)
        for kind, term in SEARCH_TERMS.items():
            matches[f"{account_name}:search:{kind}"] = scoped.search(term).count()
    for kind, term in MULTI_WORD_SEARCH_TERMS.items():
        matches[f"big:search:{kind}"] = contacts.search(term).count()
    matches["big:search:phone"] = contacts.search(national).count()
    matches["big:search:email"] = contacts.search(email).count()
    matches["big:tag:one"] = contacts.tagged([ONE_TAG]).count()
    matches["big:tag:two"] = contacts.tagged(list(TWO_TAGS)).count()
    matches["big:tag:rare"] = contacts.tagged([RARE_TAG]).count()
    matches["big:custom_field"] = contacts.with_custom_field(*CUSTOM_FIELD).count()
    matches["big:tag_any"] = contacts.carrying_any(
        ContactTag.objects.for_account(big_account).ids_of_known(list(TWO_TAGS))
    ).count()
    view = saved_view_create(sub_account=big_account, owner_id=None, name="VIP by name", query=VIEW_QUERY)
    matches["big:view"] = contacts.tagged([ONE_TAG]).count()
    for key, params in STAFF_PAGE_FILTERS.items():
        matches[key] = list_size(big_account, params)
    samples = Samples(
        view_id=view.pk,
        big=big,
        small=small,
        big_size=big_size,
        depth=min(400_000, int(big_size * 0.8)) // 25 * 25,
        contact_ids=_random_ids("contacts_contact", big),
        conversation_contact_ids=_random_ids("contacts_contact", big, "AND conversation_count > 0"),
        naive_ids=_random_ids("bench_naivecontact", big) if naive else [],
        email=email,
        phone_national=national,
        matches=matches,
    )
    gather_families(
        samples, {"big": big_account, "small": small_account}, combinations=combinations, seed=combination_seed
    )
    return samples


def _get(path: str, **params) -> Request:
    query = urlencode(
        [(k, v) for k, values in params.items() for v in (values if isinstance(values, (list, tuple)) else [values])]
    )
    return Request("GET", f"{path}?{query}" if query else path)


def with_query(path: str, params: list[tuple[str, str]]) -> Request:
    query = families.query_string(params)
    return Request("GET", f"{path}?{query}" if query else path)


def _fixed(request: Request):
    return lambda index: request


def _cycle(ids: list, path: str):
    return lambda index: Request("GET", path.format(quote(str(ids[index % len(ids)]))))


def family_scenarios(samples: Samples, *, requests: int) -> list[Scenario]:
    """The families of tools.bench.families, each scenario capped at `requests` measured requests."""
    s = samples
    scenarios = []

    def add(key, label, request, *, matches, account="big"):
        scenarios.append(
            Scenario(key=key, label=label, make=_fixed(request), account=account, matches=matches, requests=requests)
        )

    for index, (params, matches) in enumerate(zip(s.combinations, s.combination_matches, strict=True)):
        add(families.combination_key(index), families.readable(params), with_query(API, params), matches=matches)
    for depth_list in families.DEPTH_LISTS:
        size = s.depth_sizes[depth_list.key]
        for step, offset in families.api_depth_steps(size).items():
            params = [*depth_list.params, ("offset", str(offset))] if offset else list(depth_list.params)
            where = "first page" if step == "first" else f"offset {offset:,}"
            if step != "first" and offset != families.API_DEPTH_OFFSETS[step]:
                where += " (its deepest page)"
            add(f"depth:{depth_list.key}:{step}", f"{depth_list.label}: {where}", with_query(API, params), matches=size)
        for step, page in families.staff_depth_steps(size, filtered=depth_list.is_filtered).items():
            params = families.staff_page_params(page, depth_list.page_params())
            where = f"page {page:,}" + (" (the last)" if step == "last" else "")
            add(
                f"page:depth:{depth_list.key}:{step}",
                f"Page: {depth_list.label}: {where}",
                with_query(PAGES, params),
                matches=size,
                account="staff",
            )
    for account, terms in s.exact_terms.items():
        prefix = "" if account == "big" else "5k sub-account: "
        for form, term in terms.items():
            add(
                f"exact:{account}:{form}",
                f"{prefix}`search={term}` ({form.replace('_', ' ')})",
                with_query(API, [("search", term)]),
                matches=s.exact_matches[f"{account}:{form}"],
                account=account,
            )
    return scenarios


def build(
    samples: Samples,
    cursor_at_depth: str | None,
    *,
    naive: bool,
    family_requests: int = families.DEFAULT_FAMILY_REQUESTS,
) -> list[Scenario]:
    s = samples
    run = int(time.time())
    depth_label = f"{s.depth // 1000}k"
    scenarios: list[Scenario] = []

    def add(key, label, make, *, naive_make=None, account="big", expect=200, matches=None, writes_on_read=False):
        scenarios.append(
            Scenario(
                key=key,
                label=label,
                make=make,
                account=account,
                expect=expect,
                matches=matches,
                naive=naive_make if naive else None,
                writes_on_read=writes_on_read,
            )
        )

    add("list", "List, default order (newest first)", _fixed(_get(API)), naive_make=_fixed(_get(NAIVE)))
    add(
        "list_offset",
        f"List at offset {depth_label}",
        _fixed(_get(API, offset=s.depth)),
        naive_make=_fixed(_get(NAIVE, offset=s.depth)),
    )
    if cursor_at_depth:
        add("list_cursor", f"List by cursor at depth {depth_label}", _fixed(_get(API, cursor=cursor_at_depth)))
    add(
        "sort_name",
        "List sorted by name",
        _fixed(_get(API, sort="name")),
        naive_make=_fixed(_get(NAIVE, ordering="name")),
    )
    if "last_conversation" in SORT_FIELDS:
        add("sort_last_conversation", "List sorted by last conversation", _fixed(_get(API, sort="last_conversation")))
    add(
        "tag_one",
        f"One tag (`{ONE_TAG}`)",
        _fixed(_get(API, tag=ONE_TAG)),
        naive_make=_fixed(_get(NAIVE, tag=ONE_TAG)),
        matches=s.matches["big:tag:one"],
    )
    add(
        "tag_two",
        f"Two tags (`{TWO_TAGS[0]}` and `{TWO_TAGS[1]}`)",
        _fixed(_get(API, tag=list(TWO_TAGS))),
        naive_make=_fixed(_get(NAIVE, tag=list(TWO_TAGS))),
        matches=s.matches["big:tag:two"],
    )
    add(
        "tag_rare",
        f"One rare tag (`{RARE_TAG}`)",
        _fixed(_get(API, tag=RARE_TAG)),
        naive_make=_fixed(_get(NAIVE, tag=RARE_TAG)),
        matches=s.matches["big:tag:rare"],
    )
    key, value = CUSTOM_FIELD
    add(
        "custom_field",
        f"Custom field `{key}={value}`",
        _fixed(_get(API, **{f"custom_field.{key}": value})),
        naive_make=_fixed(_get(NAIVE, **{f"custom_field.{key}": value})),
        matches=s.matches["big:custom_field"],
    )
    for account in ("big", "small"):
        prefix = "" if account == "big" else "5k sub-account: "
        kinds = SEARCH_TERMS if account == "big" else {k: SEARCH_TERMS[k] for k in ("common", "mid", "rare")}
        for kind, term in kinds.items():
            matches = s.matches[f"{account}:search:{kind}"]
            label_kind = kind.replace("_", " ")
            add(
                f"{account}:list_search:{kind}",
                f"{prefix}List `search={term}` ({label_kind})",
                _fixed(_get(API, search=term)),
                naive_make=_fixed(_get(NAIVE, search=term)),
                account=account,
                matches=matches,
            )
            add(
                f"{account}:search:{kind}",
                f"{prefix}`/contacts/search?q={term}` ({label_kind})",
                _fixed(_get(f"{API}/search", q=term)),
                account=account,
                matches=matches,
            )
    for kind, term in MULTI_WORD_SEARCH_TERMS.items():
        label_kind = kind.replace("_", " ")
        add(
            f"big:list_search:{kind}",
            f"List `search={term}` ({label_kind})",
            _fixed(_get(API, search=term)),
            matches=s.matches[f"big:search:{kind}"],
        )
        add(
            f"big:search:{kind}",
            f"`/contacts/search?q={term}` ({label_kind})",
            _fixed(_get(f"{API}/search", q=term)),
            matches=s.matches[f"big:search:{kind}"],
        )
    add(
        "big:search:phone",
        f"`/contacts/search` phone, national format `{s.phone_national}`",
        _fixed(_get(f"{API}/search", q=s.phone_national)),
        matches=s.matches["big:search:phone"],
    )
    add(
        "big:list_search:phone",
        "List `search=` phone, national format",
        _fixed(_get(API, search=s.phone_national)),
        matches=s.matches["big:search:phone"],
    )
    add(
        "big:search:email",
        "`/contacts/search` exact email",
        _fixed(_get(f"{API}/search", q=s.email)),
        matches=s.matches["big:search:email"],
    )
    add(
        "big:list_search:email",
        "List `search=` exact email",
        _fixed(_get(API, search=s.email)),
        naive_make=_fixed(_get(NAIVE, search=s.email)),
        matches=s.matches["big:search:email"],
    )
    add(
        "big:tag_any",
        f"Tags `{TWO_TAGS[0]}` or `{TWO_TAGS[1]}` (`tag_match=any`)",
        _fixed(_get(API, tag=list(TWO_TAGS), tag_match="any")),
        matches=s.matches["big:tag_any"],
    )
    add(
        "big:view",
        f"Saved view `{VIEW_QUERY}` (`view=<id>`)",
        _fixed(_get(API, view=s.view_id)),
        matches=s.matches["big:view"],
    )
    # The staff pages, over HTTP with a logged-in session (issue 16: ≤ 50 ms at p50 like the API).
    page_scenarios = [
        ("page:list", "Page: the contact list", _get(PAGES), None),
        ("page:search", "Page: search `smith`", _get(PAGES, q="smith"), s.matches["big:search:mid"]),
        (
            "page:search_two_words",
            f"Page: search `{MULTI_WORD_SEARCH_TERMS['two_names']}`",
            _get(PAGES, q=MULTI_WORD_SEARCH_TERMS["two_names"]),
            s.matches["big:search:two_names"],
        ),
        ("page:tag", f"Page: tag `{ONE_TAG}`", _get(PAGES, tag=ONE_TAG), s.matches["big:tag:one"]),
        (
            "page:filters",
            "Page: tags any of two, and a custom field",
            _get(PAGES, tag=list(TWO_TAGS), tag_match="any", **{f"custom_field.{CUSTOM_FIELD[0]}": CUSTOM_FIELD[1]}),
            None,
        ),
        ("page:view", "Page: a saved view", _get(PAGES, view=s.view_id), s.matches["big:view"]),
        ("page:inbox", "Page: the inbox", _get(INBOX), None),
        ("page:inbox_filtered", "Page: the inbox, open email", _get(INBOX, status="open", channel="email"), None),
    ]
    page_scenarios += [
        (
            key,
            f"Page: {families.readable(families.page_spelling(params))}",
            with_query(PAGES, families.page_spelling(params)),
            s.matches[key],
        )
        for key, params in STAFF_PAGE_FILTERS.items()
    ]
    for key, label, request, matches in page_scenarios:
        add(key, label, _fixed(request), account="staff", matches=matches)
    add(
        "get",
        "Get one contact",
        _cycle(s.contact_ids, API + "/{}"),
        naive_make=_cycle(s.naive_ids, NAIVE + "{}/") if s.naive_ids else None,
    )

    def create(path):
        def make(index):
            return Request(
                "POST",
                path,
                {
                    "name": f"Bench Create {index}",
                    "email": f"bench-create-{run}-{index}@example.com",
                    "phone": "+14155552671",
                    "tags": ["vip", "newsletter"],
                    "custom_fields": {"company": "Acme", "plan": "pro", "seats": 12},
                },
            )

        return make

    add("create", "Create a contact", create(API), naive_make=create(NAIVE), expect=201)

    def patch(ids, template):
        def make(index):
            return Request(
                "PATCH",
                template.format(quote(str(ids[index % len(ids)]))),
                {"tags": ["vip", "beta"] if index % 2 else ["customer"], "custom_fields": {"plan": "pro"}},
            )

        return make

    add(
        "patch",
        "Patch tags and a custom field",
        patch(s.contact_ids, API + "/{}"),
        naive_make=patch(s.naive_ids, NAIVE + "{}/") if s.naive_ids else None,
    )
    add("conversations", "A contact's conversations", _cycle(s.conversation_contact_ids, API + "/{}/conversations"))
    add("duplicates", "A contact's possible duplicates", _cycle(s.contact_ids, API + "/{}/duplicates"))
    # The stored list, brought up to date by each read (its first read, in the warm-up, scores everything).
    add(
        "duplicates_list",
        "The sub-account's possible duplicates, first page",
        _fixed(_get("/api/v1/duplicates")),
        writes_on_read=True,
    )
    return scenarios + family_scenarios(s, requests=family_requests)
