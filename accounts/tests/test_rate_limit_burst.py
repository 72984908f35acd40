"""A real burst against real servers: gunicorn with two workers sharing a Redis counter.

Twice the limit is sent at once from many connections; at most the limit (+5%) may be accepted.
With a per-process counter (local memory) each worker would accept its own 100: that is what this
test would catch.
"""

import http.client
import os
import secrets
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from django.urls import reverse

from tests.live_gunicorn import running_gunicorn

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
LIMIT, WINDOW = 100, 10


@pytest.fixture
def server(tmp_path):
    """gunicorn (2 workers) on a throwaway SQLite database, counting in Redis; yields (port, key)."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        pytest.fail(f"Redis is needed at {REDIS_URL} (start redis-server; .ci/run does)")
    env = {
        "REDIS_URL": REDIS_URL,
        # A prefix of its own: parallel runs on one Redis never share a counter.
        "CACHE_KEY_PREFIX": f"burst-test-{secrets.token_hex(6)}",
        "API_RATE_LIMIT_REQUESTS": str(LIMIT),
        "API_RATE_LIMIT_WINDOW_SECONDS": str(WINDOW),
    }
    with running_gunicorn(tmp_path, workers=2, env=env) as port_and_key:
        yield port_and_key


def _get(port: int, key: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", reverse("contact-list") + "?limit=1", headers={"Authorization": f"Bearer {key}"})
        return connection.getresponse().status
    finally:
        connection.close()


def test_a_burst_of_twice_the_limit_on_two_workers_gets_at_most_the_limit_accepted(server):
    port, key = server
    _get(port, key)  # warm both the connection path and the workers' imports; counted below
    # Start at the beginning of a window so that the whole burst falls into one (a fixed window).
    time.sleep(WINDOW - time.time() % WINDOW + 0.05)
    started = time.time()

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(lambda _: _get(port, key), range(2 * LIMIT)))

    assert time.time() - started < WINDOW - 0.5, "the burst must fit in one window for this test to mean anything"
    accepted, refused = statuses.count(200), statuses.count(429)
    print(f"\nburst of {2 * LIMIT} on 2 workers + Redis: {accepted} accepted, {refused} refused (limit {LIMIT})")
    assert accepted + refused == 2 * LIMIT
    assert LIMIT * 0.95 <= accepted <= LIMIT * 1.05
