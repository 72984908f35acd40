"""Long lists in statements of bounded size: SQLite caps the parameters of one statement."""

from collections.abc import Iterator, Sequence

# Ids per statement where a caller names no other size.
STATEMENT_IDS = 1000


def chunks(items: Sequence, size: int = STATEMENT_IDS) -> Iterator[Sequence]:
    """`items` in consecutive slices of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
