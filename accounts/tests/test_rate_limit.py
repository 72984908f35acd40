"""Each API key gets its sub-account's requests per window; every authenticated answer says where it stands."""

import os
import secrets
from http import HTTPStatus

import pytest
import redis
from django.core.cache import cache, caches
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import api_key_create
from accounts.throttling import _count

pytestmark = pytest.mark.django_db

CONTACTS_URL = reverse("contact-list")


@pytest.fixture
def clock(monkeypatch):
    """The rate limiter's clock, fixed in the middle of a 10-second window and movable by tests."""

    class Clock:
        now = 1_000_000_003.0

    monkeypatch.setattr("accounts.throttling.time.time", lambda: Clock.now)
    return Clock


def _limit(sub_account, requests: int, window: int | None = None) -> None:
    sub_account.api_rate_limit = requests
    sub_account.api_rate_window_seconds = window
    sub_account.save()


def test_an_authenticated_answer_carries_the_rate_limit_headers(api_client, clock):
    response = api_client.get(CONTACTS_URL)

    assert response.status_code == HTTPStatus.OK
    assert response["X-RateLimit-Limit"] == "100"
    assert response["X-RateLimit-Remaining"] == "99"
    assert response["X-RateLimit-Reset"] == "7"


def test_the_default_is_100_requests_per_10_seconds(settings):
    assert (settings.API_RATE_LIMIT_REQUESTS, settings.API_RATE_LIMIT_WINDOW_SECONDS) == (100, 10)


def test_remaining_counts_down_with_each_request(api_client, clock):
    remaining = [api_client.get(CONTACTS_URL)["X-RateLimit-Remaining"] for _ in range(3)]

    assert remaining == ["99", "98", "97"]


def test_error_answers_carry_the_headers_too(api_client, clock):
    response = api_client.get(reverse("contact-detail", args=["ct_missing"]))

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response["X-RateLimit-Remaining"] == "99"


def test_a_request_over_the_limit_answers_429_with_retry_after(api_client, sub_account, clock):
    _limit(sub_account, 3)
    for _ in range(3):
        assert api_client.get(CONTACTS_URL).status_code == HTTPStatus.OK

    response = api_client.get(CONTACTS_URL)

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert response.json()["error"]["code"] == "rate_limited"
    assert response["Retry-After"] == "7"
    assert response["X-RateLimit-Remaining"] == "0"
    assert response["X-RateLimit-Limit"] == "3"


def test_a_refused_write_does_nothing(api_client, sub_account, clock):
    _limit(sub_account, 1)
    api_client.get(CONTACTS_URL)

    response = api_client.post(CONTACTS_URL, {"name": "Ada"}, format="json")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert not sub_account.contacts.exists()


def test_the_limit_opens_again_in_the_next_window(api_client, sub_account, clock):
    _limit(sub_account, 1)
    api_client.get(CONTACTS_URL)
    assert api_client.get(CONTACTS_URL).status_code == HTTPStatus.TOO_MANY_REQUESTS

    clock.now += 7

    response = api_client.get(CONTACTS_URL)
    assert response.status_code == HTTPStatus.OK
    assert response["X-RateLimit-Remaining"] == "0"


def test_a_sub_account_can_have_its_own_window(api_client, sub_account, clock):
    _limit(sub_account, 500, window=60)

    response = api_client.get(CONTACTS_URL)

    assert response["X-RateLimit-Limit"] == "500"
    assert response["X-RateLimit-Remaining"] == "499"
    assert response["X-RateLimit-Reset"] == "17"  # the clock is 43 s into its minute


def test_each_key_has_its_own_count(api_client, sub_account, clock):
    _limit(sub_account, 1)
    _, second_key = api_key_create(sub_account=sub_account, name="second")
    second = APIClient()
    second.credentials(HTTP_AUTHORIZATION=f"Bearer {second_key}")
    api_client.get(CONTACTS_URL)

    assert api_client.get(CONTACTS_URL).status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert second.get(CONTACTS_URL).status_code == HTTPStatus.OK


def test_another_sub_accounts_traffic_does_not_count(api_client, other_api_client, sub_account, clock):
    _limit(sub_account, 2)
    for _ in range(5):
        other_api_client.get(CONTACTS_URL)

    assert api_client.get(CONTACTS_URL)["X-RateLimit-Remaining"] == "1"


def test_unauthenticated_answers_carry_no_rate_limit_headers(anonymous_client):
    response = anonymous_client.get(CONTACTS_URL)

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert "X-RateLimit-Limit" not in response


def test_the_schema_documents_429_and_the_headers(anonymous_client):
    schema = anonymous_client.get("/api/schema/?format=json").json()

    operation = schema["paths"]["/api/v1/contacts"]["get"]
    assert operation["responses"]["429"]["headers"]["Retry-After"]["required"] is True
    assert "X-RateLimit-Remaining" in operation["responses"]["200"]["headers"]


@pytest.fixture
def redis_cache(settings):
    """The shared cache as production runs it: Redis, under a prefix of this test's own."""
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        pytest.fail(f"Redis is needed at {url} (start redis-server; .ci/run does)")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"rate-limit-test-{secrets.token_hex(6)}",
        }
    }


def test_with_redis_the_count_goes_down_and_the_limit_holds(api_client, sub_account, clock, redis_cache):
    _limit(sub_account, 2)

    answers = [api_client.get(CONTACTS_URL) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [HTTPStatus.OK, HTTPStatus.OK, HTTPStatus.TOO_MANY_REQUESTS]
    assert [answer["X-RateLimit-Remaining"] for answer in answers] == ["1", "0", "0"]


def test_with_redis_the_counter_expires_a_second_after_its_window(sub_account, redis_cache):
    _count("ratelimit:test", 10)

    key = cache.make_and_validate_key("ratelimit:test")
    assert cache.get("ratelimit:test") == 1
    assert 10 <= caches["default"]._cache.get_client(key).ttl(key) <= 11
