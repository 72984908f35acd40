"""Every answer carries an X-Request-Id, which error bodies and the request's log line repeat."""

import logging
import re
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db

CONTACTS_URL = reverse("contact-list")
GENERATED_ID = re.compile(r"[0-9a-f]{32}")


def test_an_answer_carries_a_generated_request_id(api_client):
    response = api_client.get(CONTACTS_URL)

    assert response.status_code == HTTPStatus.OK
    assert GENERATED_ID.fullmatch(response["X-Request-Id"])


def test_two_requests_get_different_ids(api_client):
    assert api_client.get(CONTACTS_URL)["X-Request-Id"] != api_client.get(CONTACTS_URL)["X-Request-Id"]


def test_a_sane_request_id_sent_by_the_caller_is_kept(api_client):
    response = api_client.get(CONTACTS_URL, HTTP_X_REQUEST_ID="partner-42.retry:3")

    assert response["X-Request-Id"] == "partner-42.retry:3"


@pytest.mark.parametrize(
    "sent",
    ["two words", "x" * 129, "line\nbreak", '"quoted"', "-leading-dash", "ünïcode", ""],
)
def test_an_unsafe_request_id_is_replaced_by_a_generated_one(api_client, sent):
    response = api_client.get(CONTACTS_URL, HTTP_X_REQUEST_ID=sent)

    assert GENERATED_ID.fullmatch(response["X-Request-Id"])


def test_an_error_body_carries_the_request_id_of_its_answer(api_client):
    response = api_client.get(reverse("contact-detail", args=["ct_missing"]), HTTP_X_REQUEST_ID="trace-404")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["error"]["request_id"] == "trace-404" == response["X-Request-Id"]


def test_an_authentication_error_carries_the_request_id(anonymous_client):
    response = anonymous_client.get(CONTACTS_URL)

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["error"]["request_id"] == response["X-Request-Id"]


def test_an_unknown_api_path_carries_the_request_id(api_client):
    response = api_client.get("/api/v1/no-such-thing")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["error"]["request_id"] == response["X-Request-Id"]


def test_a_validation_error_carries_the_request_id(api_client):
    response = api_client.post(CONTACTS_URL, {"name": ""}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["request_id"] == response["X-Request-Id"]


def test_a_page_outside_the_api_carries_a_request_id_too(client):
    response = client.get("/admin/login/")

    assert GENERATED_ID.fullmatch(response["X-Request-Id"])


def test_the_request_log_line_names_the_request_id_method_path_and_status(api_client, caplog):
    with caplog.at_level(logging.INFO, logger="contacts_site.request"):
        api_client.get(reverse("contact-detail", args=["ct_missing"]), HTTP_X_REQUEST_ID="trace-in-logs")

    [record] = [r for r in caplog.records if r.name == "contacts_site.request"]
    assert record.request_id == "trace-in-logs"
    assert record.getMessage().startswith("GET /api/v1/contacts/ct_missing 404 ")


def test_every_log_line_written_during_a_request_carries_its_id(api_client, caplog):
    # While queries are captured Django logs each SQL statement (at DEBUG): lines from deep inside the request.
    with (
        caplog.at_level(logging.INFO),
        caplog.at_level(logging.DEBUG, logger="django.db.backends"),
        CaptureQueriesContext(connection),
    ):
        api_client.get(reverse("contact-detail", args=["ct_missing"]), HTTP_X_REQUEST_ID="trace-everywhere")

    request_records = [r for r in caplog.records if r.name in {"contacts_site.request", "django.db.backends"}]
    assert any(record.name == "django.db.backends" for record in request_records)
    assert {record.request_id for record in request_records} == {"trace-everywhere"}


def test_a_client_error_is_logged_once(api_client, caplog):
    with caplog.at_level(logging.INFO):
        api_client.get(reverse("contact-detail", args=["ct_missing"]), HTTP_X_REQUEST_ID="logged-once")

    assert [record.getMessage().split()[:3] for record in caplog.records] == [
        ["GET", "/api/v1/contacts/ct_missing", "404"]
    ]


def test_the_log_format_prints_the_request_id(settings):
    from contacts_site.context import RequestIdFilter

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    RequestIdFilter().filter(record)
    formatter = logging.Formatter(settings.LOGGING["formatters"]["default"]["format"])

    assert "[-] hello" in formatter.format(record)
