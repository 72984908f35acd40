"""A database or shared cache that cannot be reached is a transient outage: 503 with Retry-After, never a 500 "bug"."""

from http import HTTPStatus

import pytest
import redis
from django.db import InterfaceError, OperationalError, connection
from django.test import Client

pytestmark = pytest.mark.django_db


def _cut_the_database(monkeypatch, error_class):
    """Every statement from here on fails as it does when the server is down or the connection was dropped."""

    def unreachable(*args, **kwargs):
        raise error_class("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

    monkeypatch.setattr(connection, "cursor", unreachable)


@pytest.mark.parametrize("error_class", [OperationalError, InterfaceError])
def test_an_api_request_during_a_database_outage_answers_503_with_retry_after(api_client, monkeypatch, error_class):
    _cut_the_database(monkeypatch, error_class)

    response = api_client.get("/api/v1/contacts")

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert int(response["Retry-After"]) > 0
    error = response.json()["error"]
    assert error["code"] == "service_unavailable"
    assert error["request_id"] == response["X-Request-Id"]


def test_a_staff_page_during_a_database_outage_answers_a_503_page_with_retry_after(staff_user, monkeypatch):
    browser = Client(raise_request_exception=False)
    browser.force_login(staff_user)
    _cut_the_database(monkeypatch, OperationalError)

    response = browser.get("/")

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert int(response["Retry-After"]) > 0
    assert b"Temporarily unavailable" in response.content


def test_any_other_crash_still_answers_500(staff_user, monkeypatch):
    browser = Client(raise_request_exception=False)
    browser.force_login(staff_user)
    monkeypatch.setattr("contacts.views.ContactListView.get", lambda *args, **kwargs: 1 / 0)

    response = browser.get("/")

    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR


def test_an_api_request_while_the_shared_cache_is_down_answers_503(api_client, monkeypatch):
    def refused(*args, **kwargs):
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("accounts.throttling.cache.add", refused)

    response = api_client.get("/api/v1/contacts")

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json()["error"]["code"] == "service_unavailable"
