"""Per-API-key rate limiting, and per-address limiting of failed authentication, in the Django cache (Redis
in production, local memory by default).

A fixed window: the counter for a key and a window is created with `cache.add` (SET NX in Redis)
and bumped with `cache.incr` (INCRBY), both atomic, so any number of workers sharing the cache
accept at most `limit` requests per window and key.
"""

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.throttling import BaseThrottle

from accounts.models import APIKey


@dataclass(frozen=True)
class RateLimitState:
    limit: int
    remaining: int
    reset: int  # seconds until the window ends

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }


def _count(cache_key: str, window: int) -> int:
    """Add one to the window's counter and return it; atomic in every shared cache backend."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):
        return _count_in_redis(backend, cache_key, window)
    # The counter outlives its window by a second so a slow request at the edge still finds it.
    if cache.add(cache_key, 1, timeout=window + 1):
        return 1
    try:
        return cache.incr(cache_key)
    except ValueError:
        # Expired between add and incr: this request opens the window again.
        cache.add(cache_key, 1, timeout=window + 1)
        return 1


def _count_in_redis(backend: RedisCache, cache_key: str, window: int) -> int:
    """The same count in one round trip to Redis where the cache's add + incr take three (SET NX, then EXISTS and
    INCR), each on every API request (benchmark scenarios `get`, `list` with REDIS_URL set: Redis's four round
    trips a request, these three and the failed-authentication check, added 0.65 ms to `get` in-process; see
    docs/performance.md "Request overhead"). MULTI/EXEC makes the pair atomic,
    so the key is never left without its expiry. Django's client keeps integers unpickled, so `cache.get` still
    reads the counter (failed_authentication_wait does). `_cache` is Django's RedisCacheClient: its
    `get_client()` is what each of its own methods calls."""
    key = backend.make_and_validate_key(cache_key)
    client = backend._cache.get_client(key, write=True)
    with client.pipeline(transaction=True) as pipeline:
        pipeline.set(key, 0, ex=window + 1, nx=True)
        pipeline.incr(key)
        _, count = pipeline.execute()
    return count


class APIKeyRateThrottle(BaseThrottle):
    """Limits each API key to its sub-account's requests per window (settings' default otherwise).

    Leaves the state on the Django request; RateLimitHeadersMiddleware turns it into X-RateLimit-*
    on the answer, whatever the view then does. Requests not made with a key are not counted here.
    """

    def allow_request(self, request, view):
        api_key = request.auth
        if not isinstance(api_key, APIKey):
            return True
        limit, window = api_key.sub_account.rate_limit()
        now = time.time()
        window_start = int(now // window) * window
        # The key's prefix is random, so a re-used primary key (tests roll back) never inherits a count.
        cache_key = f"ratelimit:{api_key.pk}:{api_key.prefix}:{window}:{window_start}"
        count = _count(cache_key, window)
        self.wait_seconds = window_start + window - now
        state = RateLimitState(limit=limit, remaining=max(0, limit - count), reset=max(1, math.ceil(self.wait_seconds)))
        request._request.rate_limit = state
        return count <= limit

    def wait(self):
        return self.wait_seconds


# Set apart per test run by the root conftest, so that one test's failures never lock out the next test's client.
FAILED_AUTHENTICATION_NAMESPACE = "authfail"


def _failed_authentication_window(address: str) -> tuple[str, float]:
    window = settings.API_AUTH_FAILURE_WINDOW_SECONDS
    now = time.time()
    window_start = int(now // window) * window
    return f"{FAILED_AUTHENTICATION_NAMESPACE}:{address}:{window}:{window_start}", window_start + window - now


def failed_authentication_wait(address: str) -> float | None:
    """Seconds this client address must wait before presenting a key again, or None if it may now.

    Without it a wrong key costs only a 401, and keys could be guessed at full speed. While an address is
    held back every key it sends is refused unread, a valid one too: answering a right guess differently
    would keep the guessing going.
    """
    cache_key, remaining = _failed_authentication_window(address)
    if (cache.get(cache_key) or 0) >= settings.API_AUTH_FAILURE_LIMIT:
        return remaining
    return None


def record_failed_authentication(address: str) -> None:
    cache_key, _ = _failed_authentication_window(address)
    _count(cache_key, settings.API_AUTH_FAILURE_WINDOW_SECONDS)
