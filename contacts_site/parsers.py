"""The API's only request parser: JSON, refusing documents nested deeper than any real contact needs."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

# A contact is at most three levels deep ({"custom_fields": {"key": "value"}}); 32 leaves room for any
# future resource while refusing the "[[[[…" bombs that make recursive code (ours or a library's) blow up.
MAX_JSON_DEPTH = 32


def json_depth(value) -> int:
    """Nesting depth of a parsed JSON value (a scalar is 0), computed without recursion."""
    deepest = 0
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth + 1)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            # The standard library's decoder recurses per level; a deep enough document exhausts the stack.
            raise ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.") from None
        if json_depth(data) > MAX_JSON_DEPTH:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.")
        return data
