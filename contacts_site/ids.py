"""Opaque, prefixed, time-ordered identifiers (`ct_01J…`), generated in Python.

A ULID body (48-bit millisecond time + 80 random bits, Crockford base32) sorts by creation time,
so ordering by id breaks ties stably and keeps B-tree inserts local.
"""

import os
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ulid() -> str:
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def prefixed_id(prefix: str) -> str:
    return f"{prefix}_{ulid()}"
