"""The list envelope, with offset and cursor (keyset) pagination and a total that never dominates.

`{"data", "total", "total_exact", "limit", "offset", "has_more", "next_cursor"}`

`read_page` reads one page and its total for every list door: the API's envelope (`paginated_response`) and
the staff contact list (contacts.views.list_page, whose page numbers sit on the same offsets and cursors).

1. The rows. A shallow page, and every cursor page, is one query. A deep page (offset ≥
   DEFERRED_JOIN_OFFSET) is found in two (`_read_rows`): the ids of the window (an index-only walk of the
   ordering index, from the nearer end when the list's size is known), then those rows, so the rows
   skipped are read as index entries, not whole rows. The staff list may find a page within the count cap
   of a filter with no cheap count by its ids too (`_read_first_ids`): the first TOTAL_COUNT_CAP + 1 ids
   in list order, which are its total as well.
2. The total: exact when the caller knows it (an unfiltered list: the sub-account's counter), when this
   page holds the rest of the list, or when the matches are few; past `TOTAL_COUNT_CAP` counting stops
   and `total_exact` is false: `total` is then a lower bound. Counting 500k rows would cost 2,000× the
   25 it describes. A page past the cap that has more after it counts nothing: it proves its own bound.
3. `_encode_cursor`: `next_cursor`, the last row's sort values, signed. `?cursor=` continues after that
   row with a keyset condition (`(sort, id) < (last_sort, last_id)`), so page 10,000 costs what page 1
   costs. Cursors are signed (django.core.signing, with SECRET_KEY) because their values reach the
   database: a cursor this API did not issue, or issued for another list or sort, is a 400. A cursor may
   carry a scope (the staff list's filter and offset), and is then read back only under that scope.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import OrderBy, Q
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from contacts_site.api import QueryCharField, StrictIntegerField

# What a filtered list counts at most. Counting costs what reading that many matching rows costs (a search
# match is rechecked on its row): ~3 ms for 500 at 500,000 contacts, which keeps a list with its total
# within 1.5× the list without (docs/benchmarks.md). 1,000 cost ~6 ms, as much as the rest of the request.
TOTAL_COUNT_CAP = 500
# From this offset on, the page's ids are found first and its rows read after (a "deferred join"): below
# it, reading the skipped rows whole costs less than a second query.
DEFERRED_JOIN_OFFSET = 100
# Largest offset a list accepts: beyond any real table, and inside a 64-bit SQL integer.
MAX_OFFSET = 1_000_000_000
MAX_CURSOR_LENGTH = 1000
# Keeps a cursor's signature apart from every other use of SECRET_KEY.
CURSOR_SALT = "contacts_site.pagination.cursor"
CURSOR_PATTERN = "^[A-Za-z0-9_:-]+$"


class PageParams(serializers.Serializer):
    limit = StrictIntegerField(min_value=1, max_value=100, default=25)
    offset = StrictIntegerField(min_value=0, max_value=MAX_OFFSET, default=0)
    cursor = QueryCharField(required=False, max_length=MAX_CURSOR_LENGTH, trim_whitespace=False)

    def validate(self, attrs):
        if "cursor" in attrs and "offset" in self.initial_data:
            raise ValidationError({"cursor": ["Use either cursor or offset, not both."]})
        return attrs


def page_parameters(*, default_limit: int = 25, cursor: bool = True) -> list[OpenApiParameter]:
    """The documented paging query parameters, with the exact bounds PageParams enforces.

    `cursor=False` for lists whose ordering is not keyset-able (the cursor would always be refused).
    """
    parameters = [
        OpenApiParameter(
            "limit", {"type": "integer", "minimum": 1, "maximum": 100}, description=f"1–100, default {default_limit}"
        ),
        OpenApiParameter(
            "offset",
            {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
            description="≥ 0, default 0" + ("; not with `cursor`" if cursor else ""),
        ),
    ]
    if cursor:
        parameters.append(
            OpenApiParameter(
                "cursor",
                # What _encode_cursor writes: django.core.signing's URL-safe base64 payload, ":", signature.
                {"type": "string", "minLength": 1, "maxLength": MAX_CURSOR_LENGTH, "pattern": CURSOR_PATTERN},
                description="`next_cursor` of the previous page (opaque; only a cursor this API issued for the "
                "same sort is valid, anything else is 400): constant cost at any depth",
            )
        )
    return parameters


def _ordering(queryset) -> list[tuple[str, bool]] | None:
    """The queryset's ordering as (field, descending) pairs, or None when it is not keyset-able."""
    ordering = []
    for item in queryset.query.order_by:
        if not isinstance(item, str) or "__" in item:
            return None
        ordering.append((item.lstrip("-"), item.startswith("-")))
    if not ordering or ordering[-1][0] not in {"id", "pk"}:
        return None
    return ordering


def _signature(ordering) -> str:
    return ",".join(f"{'-' if desc else ''}{field}" for field, desc in ordering)


def _encode_cursor(queryset, ordering, row, scope: str | None = None) -> str | None:
    """A cursor continuing after `row`, or None when one of its sort values is NULL (no keyset holds it).

    `scope`, when given, is signed into the cursor and must be given again to read it back (see read_page).
    """
    values = [getattr(row, field) for field, _ in ordering]
    if any(value is None for value in values):
        return None
    payload = {
        "m": queryset.model._meta.label_lower,
        "o": _signature(ordering),
        "v": [value.isoformat() if isinstance(value, datetime) else value for value in values],
    }
    if scope is not None:
        payload["s"] = _scope_digest(scope)
    return signing.Signer(salt=CURSOR_SALT).sign_object(payload)


def _scope_digest(scope: str) -> str:
    """A scope as the cursor carries it: short whatever the filter's length (the signature vouches for it)."""
    return hashlib.sha256(scope.encode()).hexdigest()[:24]


class InvalidCursor(Exception):
    """A cursor this list cannot continue from; its message is the API's answer."""


def _cursor_values(token: str, queryset, ordering, scope: str | None) -> list:
    """The sort values a cursor carries, or InvalidCursor for anything not issued for this list, sort and scope."""
    invalid = InvalidCursor("Invalid cursor: pass `next_cursor` from the previous page unchanged.")
    if ordering is None:
        raise InvalidCursor("Cursor pagination is not available for this sort.")
    try:
        payload = signing.Signer(salt=CURSOR_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        raise invalid from None
    if not isinstance(payload, dict) or payload.get("m") != queryset.model._meta.label_lower:
        raise invalid
    if payload.get("o") != _signature(ordering):
        raise InvalidCursor("This cursor belongs to another sort order.")
    if payload.get("s") != (None if scope is None else _scope_digest(scope)):
        raise invalid
    values = payload.get("v")
    if not isinstance(values, list) or len(values) != len(ordering):
        raise invalid
    decoded = []
    for (field, _), value in zip(ordering, values, strict=True):
        model_field = queryset.model._meta.pk if field == "pk" else queryset.model._meta.get_field(field)
        try:
            decoded.append(model_field.to_python(value))
        except (DjangoValidationError, TypeError, ValueError):
            raise invalid from None
        if decoded[-1] is None:
            raise invalid
    return decoded


def _decode_cursor(token: str, queryset, ordering) -> list:
    """The API's reading of `?cursor=`: a 400 for anything this API did not issue for this list and sort."""
    try:
        return _cursor_values(token, queryset, ordering, None)
    except InvalidCursor as error:
        raise ValidationError({"cursor": [str(error)]}) from None


def cursor_values(token: str, queryset, *, scope: str) -> list | None:
    """The sort values of a cursor that read_page issued for `queryset` and `scope`, or None for any other
    text (a stale link, another filter's cursor, a forged one): a page that can fall back to its offset
    has no reason to refuse."""
    if not token or len(token) > MAX_CURSOR_LENGTH:
        return None
    try:
        return _cursor_values(token, queryset, _ordering(queryset), scope)
    except InvalidCursor:
        return None


def _after(ordering, values) -> Q:
    """Rows strictly after `values` in `ordering`: (a, b, id) > (va, vb, vid), direction-aware."""
    condition = Q()
    for index, (field, desc) in enumerate(ordering):
        equal_before = Q(**{f: v for (f, _), v in zip(ordering[:index], values[:index], strict=True)})
        condition |= equal_before & Q(**{f"{field}__{'lt' if desc else 'gt'}": values[index]})
    # Benchmark scenario `list_cursor`: a redundant bound on the leading column lets the database start
    # inside the index, not at its top.
    first_field, first_desc = ordering[0]
    return Q(**{f"{first_field}__{'lte' if first_desc else 'gte'}": values[0]}) & condition


def _deep_page_ids(window, *, offset: int, count: int, total: int | None) -> list:
    """The primary keys of the `count` rows from `offset` on (the page, and the rows read past it).

    Benchmark scenario `list_offset`: with the list's exact size known and the offset past its middle,
    the rows are counted from the other end: in reverse order they sit at [total - offset - count,
    total - offset), a shorter walk (the last page of 500,000 contacts reads 25 index entries, not
    499,975). Concurrent writes that the size has not caught up with shift such a page as they would
    shift any offset page.
    """
    reverse = _reversed_order(window)
    if total is None or reverse is None or offset <= total // 2:
        return list(window.values_list("pk", flat=True)[offset : offset + count])
    start, end = max(0, total - offset - count), max(0, total - offset)
    return list(window.order_by(*reverse).values_list("pk", flat=True)[start:end])[::-1]


def _reversed_order(queryset) -> list | None:
    """The queryset's ordering, every term reversed, NULLs' place included, or None when a term is neither a
    field name nor an ordering expression. Benchmark scenario `page:depth:last_conversation:last`: the last page of
    a list by last conversation (`DESC NULLS LAST`) is the first in `ASC NULLS FIRST`, which 0003's index serves
    read backwards; unreversed, it walked 499,975 entries (55 ms)."""
    reverse = []
    for term in queryset.query.order_by:
        if isinstance(term, str):
            reverse.append(term[1:] if term.startswith("-") else f"-{term}")
        elif isinstance(term, OrderBy):
            reverse.append(term.copy().reverse_ordering())
        else:
            return None
    return reverse or None


def _read_rows(queryset, window, *, offset: int, count: int, total: int | None, shape: str | None = None) -> list:
    """Up to `count` rows of `window` (the list, after the cursor if any) from `offset` on; `shape`: see read_page."""
    if offset < DEFERRED_JOIN_OFFSET:
        page = window[offset : offset + count]
        return list(page) if shape is None else page.read_compiled_once(shape)
    # Benchmark scenario `list_offset`: the skipped rows are walked as index entries, then the page's rows read.
    return rows_by_pk(queryset, _deep_page_ids(window, offset=offset, count=count, total=total))


def rows_by_pk(queryset, ids: list) -> list:
    """The rows of `queryset` with these primary keys, in their order (a row deleted meanwhile is left out)."""
    by_pk = {row.pk: row for row in queryset.filter(pk__in=ids).order_by()} if ids else {}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def _total(queryset, count_queryset, *, offset: int, limit: int) -> tuple[int, bool]:
    """(total, exact): the list's size counted up to a cap, on `count_queryset` when given."""
    cap = max(TOTAL_COUNT_CAP, offset + limit + 1)
    counted = (queryset if count_queryset is None else count_queryset).order_by().values("pk")[: cap + 1].count()
    return (cap, False) if counted > cap else (counted, True)


def _next_cursor(queryset, ordering, rows: list, has_more: bool, scope: str | None) -> str | None:
    """The cursor continuing after the page's last row, when more follow and the order is keyset-able."""
    return _encode_cursor(queryset, ordering, rows[-1], scope) if has_more and ordering is not None and rows else None


@dataclass(frozen=True)
class Page:
    rows: list
    has_more: bool
    total: int
    total_exact: bool  # else `total` is a lower bound
    next_cursor: str | None  # continues after the last row; None on the last page or for a sort without keyset


def read_page(
    queryset,
    *,
    offset: int | None,
    limit: int,
    total: int | None = None,
    count_queryset=None,
    after: list | None = None,
    cursor_scope: str | None = None,
    total_from_first_ids: bool = False,
    leading_ids=None,
    shape: str | None = None,
) -> Page:
    """One page of an ordered `queryset`, and its total: what every list door reads, in a fixed number of queries.

    `offset`: the page's position in the list. Without `after`, the page is read there. With `after` (the
    values cursor_values or the API decoded from a cursor), the page is the rows following that row, and
    `offset` is where the caller knows them to sit (the staff pager: page N's cursor is issued for page N),
    or None when it does not (the API's `?cursor=`).
    `total`: the exact size of `queryset` when the caller knows it without a query (a maintained counter).
    `count_queryset`: a queryset with exactly as many rows as `queryset` that is cheaper to count.
    `cursor_scope`: signed into `next_cursor` (the staff pager names the filter and the next page's offset in
    it), so that cursor_values reads the cursor back only for that same scope.
    `total_from_first_ids`: within the count cap and with no cheaper count, read the page and its total from
    the list's first ids (`_read_first_ids`): two queries always, where a list that fits on one page is
    otherwise read in one; for large filtered lists (the staff contact list).
    `leading_ids`: the primary keys of the first rows of the list's order *before* its filters (a queryset of
    them, read from an index): the page is first looked for among them (`_read_leading_rows`).
    `shape`: the caller's name for `queryset`'s statement when every queryset it passes under that name
    compiles to the same SQL but for its sub-account, order and slice (a list with no filter): a page read
    from the start of the list (no cursor, before DEFERRED_JOIN_OFFSET) is then read by a statement compiled
    once per process (the tenant queryset's read_compiled_once).
    """
    ordering = _ordering(queryset)
    read = None
    if leading_ids is not None and after is None and offset is not None and total is None:
        read = _read_leading_rows(queryset, leading_ids, offset=offset, count=limit + 1)
    if (
        read is None
        and total_from_first_ids
        and total is None
        and count_queryset is None
        and offset is not None
        and offset + limit < TOTAL_COUNT_CAP
    ):
        # Within the cap, the ids read for the total hold the page too: a cursor would add a count.
        return _read_first_ids(queryset, ordering, offset=offset, limit=limit, cursor_scope=cursor_scope)
    if read is None:
        window = queryset if after is None else queryset.filter(_after(ordering, after))
        start = offset if after is None else 0
        read = _read_rows(
            queryset, window, offset=start, count=limit + 1, total=total, shape=shape if after is None else None
        )
    rows, has_more = read[:limit], len(read) > limit

    total_exact = True
    if total is None:
        if offset is not None and not has_more and (rows or offset == 0):
            total = offset + len(rows)  # the whole rest of the list is on this page
        elif offset is not None and rows and offset + limit >= TOTAL_COUNT_CAP:
            # A deep page that has rows and more after them: counting would stop at this page's end plus
            # one, which the page already proves. Benchmark family `depth:*`: the count re-read every row the
            # page skipped (a custom field at offset 20,000: 108 ms of a 294 ms request).
            total, total_exact = offset + limit + 1, False
        else:
            total, total_exact = _total(queryset, count_queryset, offset=offset or 0, limit=limit)

    next_cursor = _next_cursor(queryset, ordering, rows, has_more, cursor_scope)
    return Page(rows=rows, has_more=has_more, total=total, total_exact=total_exact, next_cursor=next_cursor)


def _read_leading_rows(queryset, leading_ids, *, offset: int, count: int) -> list | None:
    """The `count` rows from `offset` on, if they are all among `leading_ids`, or None.

    `leading_ids` are a prefix of the list's order before filtering, so the matches among them, in order, are a
    prefix of the filtered list: when they reach past the page, the page is the list's. For a filter that
    many rows pass, sorted in an order the database can only have by sorting every match (SQLite by last
    conversation), the page is then found among a few thousand rows read by primary key instead (benchmark
    SQLite `combo:16`); a rarer filter finds too few there and the list is read as it would have been.
    """
    # Ids first: a filter too rare for the leading rows then costs a few milliseconds, not its page's columns.
    ids = list(queryset.filter(pk__in=leading_ids).values_list("pk", flat=True)[offset : offset + count])
    return rows_by_pk(queryset, ids) if len(ids) == count else None


def _read_first_ids(queryset, ordering, *, offset: int, limit: int, cursor_scope: str | None) -> Page:
    """A page within the count cap of a list with no cheaper count: the ids of the list's first TOTAL_COUNT_CAP
    + 1 rows in its order, then the page's rows by id. Their number is the bounded total.

    Benchmark scenario `page:filters` (the staff list, which chooses it: contacts.views.list_page): the page
    and the count were two scans of the same matches, and the count's plan (a bitmap of every match, no
    order, then rows until 501) cost up to 14× the page's (the first matches along the ordering index):
    reading 501 ids in list order costs about what the page alone did (docs/workspace.md, "The staff pager").
    """
    ids = list(queryset.values_list("pk", flat=True)[: TOTAL_COUNT_CAP + 1])
    rows = rows_by_pk(queryset, ids[offset : offset + limit])
    has_more = len(ids) > offset + limit
    total, total_exact = (TOTAL_COUNT_CAP, False) if len(ids) > TOTAL_COUNT_CAP else (len(ids), True)
    next_cursor = _next_cursor(queryset, ordering, rows, has_more, cursor_scope)
    return Page(rows=rows, has_more=has_more, total=total, total_exact=total_exact, next_cursor=next_cursor)


def paginated_response(
    request,
    queryset,
    serialize,
    *,
    default_limit: int = 25,
    total: int | None = None,
    count_queryset=None,
    total_from_first_ids: bool = False,
    leading_ids=None,
    shape: str | None = None,
):
    """Answer one page of an ordered `queryset` in the list envelope (read_page reads it).

    Optional shortcuts (docs/performance.md names their benchmarks):
    `total`: the exact size of `queryset` when the caller knows it without a query (a maintained counter).
    `count_queryset`: a queryset with exactly as many rows as `queryset` that is cheaper to count.
    `total_from_first_ids`: read the page and its total from the list's first ids (read_page).
    `leading_ids`: read_page's, the first rows of the list's order before filtering.
    `shape`: the statement's name when it is the same for every caller but its tenant (see read_page).
    """
    params = PageParams(data=request.query_params)
    params.fields["limit"].default = default_limit
    params.is_valid(raise_exception=True)
    limit, offset = params.validated_data["limit"], params.validated_data["offset"]
    cursor = params.validated_data.get("cursor")

    after = None
    if cursor is not None:
        after = _decode_cursor(cursor, queryset, _ordering(queryset))
    page = read_page(
        queryset,
        offset=None if cursor is not None else offset,
        limit=limit,
        total=total,
        count_queryset=count_queryset,
        after=after,
        total_from_first_ids=total_from_first_ids,
        leading_ids=leading_ids,
        shape=shape,
    )
    return Response(
        {
            "data": [serialize(row) for row in page.rows],
            "total": page.total,
            "total_exact": page.total_exact,
            "limit": limit,
            "offset": None if cursor is not None else offset,
            "has_more": page.has_more,
            "next_cursor": page.next_cursor,
        }
    )
