"""The list envelope, with offset and cursor (keyset) pagination and a total that never dominates.

`{"data", "total", "total_exact", "limit", "offset", "has_more", "next_cursor"}`

One page is read in three steps, each a function below:

1. `_read_page`: the rows. A shallow page, and every cursor page, is one query. A deep page (offset ≥
   DEFERRED_JOIN_OFFSET) is found in two: the ids of the window (an index-only walk of the ordering
   index, from the nearer end when the list's size is known), then those rows, so the rows skipped
   are read as index entries, not whole rows.
2. `_total`: exact when the caller knows it (an unfiltered list: the sub-account's counter), when this
   page holds the rest of the list, or when the matches are few; past `TOTAL_COUNT_CAP` counting stops
   and `total_exact` is false: `total` is then a lower bound. Counting 500k rows would cost 2,000× the
   25 it describes.
3. `_encode_cursor`: `next_cursor`, the last row's sort values, signed. `?cursor=` continues after that
   row with a keyset condition (`(sort, id) < (last_sort, last_id)`), so page 10,000 costs what page 1
   costs. Cursors are signed (django.core.signing, with SECRET_KEY) because their values reach the
   database: a cursor this API did not issue, or issued for another list or sort, is a 400.
"""

from datetime import datetime

from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
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


def _encode_cursor(queryset, ordering, row) -> str | None:
    """A cursor continuing after `row`, or None when one of its sort values is NULL (no keyset holds it)."""
    values = [getattr(row, field) for field, _ in ordering]
    if any(value is None for value in values):
        return None
    payload = {
        "m": queryset.model._meta.label_lower,
        "o": _signature(ordering),
        "v": [value.isoformat() if isinstance(value, datetime) else value for value in values],
    }
    return signing.Signer(salt=CURSOR_SALT).sign_object(payload)


def _decode_cursor(token: str, queryset, ordering) -> list:
    """The sort values a cursor carries; a 400 for anything this API did not issue for this list and sort."""
    invalid = ValidationError({"cursor": ["Invalid cursor: pass `next_cursor` from the previous page unchanged."]})
    if ordering is None:
        raise ValidationError({"cursor": ["Cursor pagination is not available for this sort."]})
    try:
        payload = signing.Signer(salt=CURSOR_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        raise invalid from None
    if not isinstance(payload, dict) or payload.get("m") != queryset.model._meta.label_lower:
        raise invalid
    if payload.get("o") != _signature(ordering):
        raise ValidationError({"cursor": ["This cursor belongs to another sort order."]})
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


def _deep_page_ids(window, ordering, *, offset: int, limit: int, total: int | None) -> list:
    """The primary keys of the rows at [offset, offset + limit], one past the page to tell `has_more`.

    Benchmark scenario `list_offset`: with the list's exact size known and the offset past its middle,
    the rows are counted from the other end: in reverse order they sit at [total - offset - limit - 1,
    total - offset), a shorter walk (the last page of 500,000 contacts reads 25 index entries, not
    499,975). Concurrent writes that the size has not caught up with shift such a page as they would
    shift any offset page.
    """
    if total is None or ordering is None or offset <= total // 2:
        return list(window.values_list("pk", flat=True)[offset : offset + limit + 1])
    reverse = [f"{'' if desc else '-'}{field}" for field, desc in ordering]
    start, end = max(0, total - offset - limit - 1), max(0, total - offset)
    return list(window.order_by(*reverse).values_list("pk", flat=True)[start:end])[::-1]


def _read_page(queryset, window, ordering, *, offset: int, limit: int, total: int | None) -> tuple[list, bool]:
    """The page's rows of `window` (the list, after the cursor if any), and whether more follow."""
    if offset < DEFERRED_JOIN_OFFSET:
        rows = list(window[offset : offset + limit + 1])
        return rows[:limit], len(rows) > limit
    # Benchmark scenario `list_offset`: the skipped rows are walked as index entries, then 25 rows read.
    ids = _deep_page_ids(window, ordering, offset=offset, limit=limit, total=total)
    by_pk = {row.pk: row for row in queryset.filter(pk__in=ids[:limit]).order_by()} if ids else {}
    return [by_pk[pk] for pk in ids[:limit] if pk in by_pk], len(ids) > limit


def _total(queryset, count_queryset, *, offset: int, limit: int) -> tuple[int, bool]:
    """(total, exact): the list's size counted up to a cap, on `count_queryset` when given."""
    cap = max(TOTAL_COUNT_CAP, offset + limit + 1)
    counted = (queryset if count_queryset is None else count_queryset).order_by().values("pk")[: cap + 1].count()
    return (cap, False) if counted > cap else (counted, True)


def paginated_response(
    request, queryset, serialize, *, default_limit: int = 25, total: int | None = None, count_queryset=None
):
    """Answer one page of an ordered `queryset` in the list envelope, in a fixed number of queries.

    Two optional shortcuts for lists too large to count (docs/performance.md names their benchmarks):
    `total`: the exact size of `queryset` when the caller knows it without a query (a maintained counter).
    `count_queryset`: a queryset with exactly as many rows as `queryset` that is cheaper to count.
    """
    params = PageParams(data=request.query_params)
    params.fields["limit"].default = default_limit
    params.is_valid(raise_exception=True)
    limit, offset = params.validated_data["limit"], params.validated_data["offset"]
    cursor = params.validated_data.get("cursor")

    ordering = _ordering(queryset)
    window = queryset
    if cursor is not None:
        window = queryset.filter(_after(ordering, _decode_cursor(cursor, queryset, ordering)))
    rows, has_more = _read_page(queryset, window, ordering, offset=offset, limit=limit, total=total)

    total_exact = True
    if total is None:
        if cursor is None and not has_more and (rows or offset == 0):
            total = offset + len(rows)  # the whole rest of the list is on this page
        elif cursor is None and rows and offset + limit >= TOTAL_COUNT_CAP:
            # A deep page that has rows and more after them: counting would stop at this page's end plus
            # one, which the page already proves. Benchmark family `depth:*`: the count re-read every row the
            # page skipped (a custom field at offset 20,000: 108 ms of a 294 ms request).
            total, total_exact = offset + limit + 1, False
        else:
            total, total_exact = _total(queryset, count_queryset, offset=offset, limit=limit)

    next_cursor = None
    if has_more and ordering is not None and rows:
        next_cursor = _encode_cursor(queryset, ordering, rows[-1])
    return Response(
        {
            "data": [serialize(row) for row in rows],
            "total": total,
            "total_exact": total_exact,
            "limit": limit,
            "offset": None if cursor is not None else offset,
            "has_more": has_more,
            "next_cursor": next_cursor,
        }
    )
