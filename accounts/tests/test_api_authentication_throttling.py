"""Wrong API keys are throttled per client address, so that keys cannot be guessed at full speed."""

from http import HTTPStatus

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

CONTACTS_URL = "/api/v1/contacts"


def _get(header: str, address: str = "198.51.100.7"):
    return APIClient(REMOTE_ADDR=address).get(CONTACTS_URL, HTTP_AUTHORIZATION=header)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The limiter's clock, fixed inside a window: on the real one, a test that crossed a minute's end counted its
    failures in one window and checked them in the next (seen at 03:57:59 → 03:58:00 on a loaded host)."""
    monkeypatch.setattr("accounts.throttling.time.time", lambda: 1_000_000_003.0)


@pytest.fixture
def limit(settings):
    settings.API_AUTH_FAILURE_LIMIT = 5
    settings.API_AUTH_FAILURE_WINDOW_SECONDS = 60
    return 5


def test_wrong_keys_past_the_limit_answer_429_with_retry_after(limit):
    statuses = [_get("Bearer ck_wrong_guess").status_code for _ in range(limit + 3)]

    assert statuses == [HTTPStatus.UNAUTHORIZED] * limit + [HTTPStatus.TOO_MANY_REQUESTS] * 3
    refused = _get("Bearer ck_wrong_guess")
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 0 < int(refused["Retry-After"]) <= 60


def test_malformed_authorization_headers_count_as_failures(limit):
    for _ in range(limit):
        _get("Basic dXNlcjpwYXNz")

    assert _get("Bearer ck_anything").status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_an_address_held_back_cannot_try_a_valid_key_either(limit, api_client):
    for _ in range(limit):
        _get("Bearer ck_wrong_guess")

    assert _get(f"Bearer {api_client.raw_key}").status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_another_address_is_not_held_back(limit, api_client):
    for _ in range(limit):
        _get("Bearer ck_wrong_guess", address="198.51.100.7")

    assert _get(f"Bearer {api_client.raw_key}", address="198.51.100.8").status_code == HTTPStatus.OK


def test_requests_with_a_valid_key_are_not_counted_as_failures(limit, api_client):
    for _ in range(limit * 2):
        assert _get(f"Bearer {api_client.raw_key}").status_code == HTTPStatus.OK

    assert _get("Bearer ck_wrong_guess").status_code == HTTPStatus.UNAUTHORIZED


def test_the_default_limit_stops_a_guesser_well_before_150_tries():
    statuses = [_get("Bearer ck_wrong_guess").status_code for _ in range(150)]

    assert statuses.count(HTTPStatus.TOO_MANY_REQUESTS) >= 100
