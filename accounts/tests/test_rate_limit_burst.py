"""A real burst against real servers: gunicorn with two workers sharing a Redis counter.

Twice the limit is sent at once from many connections; at most the limit (+5%) may be accepted.
With a per-process counter (local memory) each worker would accept its own 100: that is what this
test would catch.
"""

import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
LIMIT, WINDOW = 100, 10


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """gunicorn (2 workers) on a throwaway SQLite database, counting in Redis; yields (port, key)."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        pytest.fail(f"Redis is needed at {REDIS_URL} (start redis-server; .ci/run does)")
    port = _free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "contacts_site.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'burst.sqlite3'}",
            "REDIS_URL": REDIS_URL,
            # A prefix of its own: parallel runs on one Redis never share a counter.
            "CACHE_KEY_PREFIX": f"burst-test-{secrets.token_hex(6)}",
            "API_RATE_LIMIT_REQUESTS": str(LIMIT),
            "API_RATE_LIMIT_WINDOW_SECONDS": str(WINDOW),
            "LOG_LEVEL": "WARNING",
        }
    )
    env.pop("DATABASE_REPLICA_URL", None)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--verbosity", "0"], env=env, cwd=ROOT, check=True, timeout=120)
    created = subprocess.run(
        [*manage, "create_api_key", "burst"], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    key = created.stdout.strip().splitlines()[-1]
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "contacts_site.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or gunicorn.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield port, key
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)


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
