"""The list envelope, with offset and cursor (keyset) pagination and a total that never dominates.

`{"data", "total", "total_exact", "limit", "offset", "has_more", "next_cursor"}`

- A deep page (offset ≥ DEFERRED_JOIN_OFFSET) is found in two steps: the ids of the window (an
  index-only walk of the ordering index, from the nearer end when the list's size is known), then
  those rows, so the rows skipped are read as index entries, not whole rows. A shallow page, and
  every cursor page, is one query.
- `?cursor=` continues after the last row of the previous page with a keyset condition
  (`(sort, id) < (last_sort, last_id)`), so page 10,000 costs what page 1 costs.
- `total` is exact when the caller knows it (an unfiltered list: the sub-account's counter) or when
  the matches are few; past `TOTAL_COUNT_CAP` counting stops and `total_exact` is false: `total`
  is then a lower bound. Counting 500k rows would cost 2,000× the 25 it describes.
"""

import base64
import binascii
import json
from datetime import datetime

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
                # Unpadded base64url, as _encode_cursor writes it.
                {"type": "string", "minLength": 1, "maxLength": MAX_CURSOR_LENGTH, "pattern": "^[A-Za-z0-9_-]+$"},
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


def _encode_cursor(ordering, values) -> str:
    payload = {"o": _signature(ordering), "v": [v.isoformat() if isinstance(v, datetime) else v for v in values]}
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode_cursor(token: str, ordering, model) -> list:
    invalid = ValidationError({"cursor": ["Invalid cursor: pass `next_cursor` from the previous page unchanged."]})
    try:
        payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise invalid from None
    if not isinstance(payload, dict) or payload.get("o") != _signature(ordering):
        raise ValidationError({"cursor": ["This cursor belongs to another sort order."]})
    values = payload.get("v")
    if not isinstance(values, list) or len(values) != len(ordering):
        raise invalid
    decoded = []
    for (field, _), value in zip(ordering, values, strict=True):
        model_field = model._meta.pk if field == "pk" else model._meta.get_field(field)
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
    # A redundant bound on the leading column lets the database start inside the index, not at its top.
    first_field, first_desc = ordering[0]
    return Q(**{f"{first_field}__{'lte' if first_desc else 'gte'}": values[0]}) & condition


def _deep_keys(window, ordering, sort_fields, *, offset: int, limit: int, total: int | None) -> list[tuple]:
    """(pk, *sort values) of the rows at [offset, offset + limit], one past the page to tell `has_more`.

    With the list's exact size known and the offset past its middle, the rows are counted from the other
    end: in reverse order they sit at [total - offset - limit - 1, total - offset), a shorter walk (the
    last page of 500,000 contacts reads 25 index entries, not 499,975). Concurrent writes that the
    size has not caught up with shift such a page as they would shift any offset page.
    """
    if total is None or ordering is None or offset <= total // 2:
        return list(window.values_list("pk", *sort_fields)[offset : offset + limit + 1])
    reverse = [f"{'' if desc else '-'}{field}" for field, desc in ordering]
    start, end = max(0, total - offset - limit - 1), max(0, total - offset)
    return list(window.order_by(*reverse).values_list("pk", *sort_fields)[start:end])[::-1]


def paginated_response(
    request, queryset, serialize, *, rows=None, count_source=None, default_limit: int = 25, total: int | None = None
):
    """Answer one page of an ordered `queryset` in the list envelope, in a fixed number of queries.

    `rows`: past DEFERRED_JOIN_OFFSET, a function giving where the page's rows are read from by primary
    key, with their annotations (default: `queryset`). The unfiltered, tenant-scoped queryset spares the
    database re-checking the filters on 25 rows it has just chosen; a function, because building a
    queryset costs a request time it needs only for deep pages.
    `count_source`: a queryset exactly as large as `queryset` that is cheaper to count (default: `queryset`).
    `total`: the exact size of `queryset` when the caller already knows it (skips the count).
    """
    params = PageParams(data=request.query_params)
    params.fields["limit"].default = default_limit
    params.is_valid(raise_exception=True)
    limit, offset, cursor = (
        params.validated_data["limit"],
        params.validated_data["offset"],
        params.validated_data.get("cursor"),
    )

    ordering = _ordering(queryset)
    window = queryset
    if cursor is not None:
        if ordering is None:
            raise ValidationError({"cursor": ["Cursor pagination is not available for this sort."]})
        window = window.filter(_after(ordering, _decode_cursor(cursor, ordering, queryset.model)))
    sort_fields = [field for field, _ in ordering] if ordering else []
    if offset < DEFERRED_JOIN_OFFSET:
        page = list(window[offset : offset + limit + 1])
        keys = [(row.pk, *(getattr(row, field) for field in sort_fields)) for row in page]
    else:
        keys = _deep_keys(window, ordering, sort_fields, offset=offset, limit=limit, total=total)
        found = (queryset if rows is None else rows()).filter(pk__in=[key[0] for key in keys[:limit]]).order_by()
        by_pk = {row.pk: row for row in found} if keys else {}
        page = [by_pk[key[0]] for key in keys[:limit] if key[0] in by_pk]
    has_more = len(keys) > limit
    keys = keys[:limit]
    data = [serialize(row) for row in page[:limit]]

    total_exact = True
    if total is None:
        if cursor is None and not has_more and (keys or offset == 0):
            total = offset + len(keys)  # the whole rest of the list is on this page
        else:
            cap = max(TOTAL_COUNT_CAP, offset + limit + 1)
            counted = (queryset if count_source is None else count_source).order_by().values("pk")
            total = counted[: cap + 1].count()
            if total > cap:
                total, total_exact = cap, False

    next_cursor = None
    if has_more and ordering is not None and keys and None not in keys[-1][1:]:
        next_cursor = _encode_cursor(ordering, keys[-1][1:])
    return Response(
        {
            "data": data,
            "total": total,
            "total_exact": total_exact,
            "limit": limit,
            "offset": None if cursor is not None else offset,
            "has_more": has_more,
            "next_cursor": next_cursor,
        }
    )
