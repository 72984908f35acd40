"""Bodies over the size limit answer 413 and absurdly deep JSON answers 400, both in the error shape."""

import json
from http import HTTPStatus

import pytest
from django.urls import reverse

from contacts.models import Contact
from contacts_site.parsers import MAX_JSON_DEPTH

pytestmark = pytest.mark.django_db

CONTACTS_URL = reverse("contact-list")


def test_a_body_over_the_limit_answers_413_in_the_error_shape(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"name": "Ada", "custom_fields": {"notes": "x" * 2000}})

    response = api_client.post(CONTACTS_URL, body, content_type="application/json")

    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert response.json()["error"]["code"] == "payload_too_large"
    assert response.json()["error"]["request_id"] == response["X-Request-Id"]
    assert not Contact.objects.unscoped().exists()


def test_the_default_limit_is_one_megabyte(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 1024 * 1024


def test_a_body_just_under_the_limit_is_read(api_client, settings):
    body = json.dumps({"name": "Ada"})
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(body)

    response = api_client.post(CONTACTS_URL, body, content_type="application/json")

    assert response.status_code == HTTPStatus.CREATED


def test_a_page_body_over_the_limit_answers_413_as_text(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10

    response = client.post("/admin/login/", {"username": "x" * 50, "password": "y"})

    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5000, 200_000])
def test_json_nested_too_deep_answers_400(api_client, depth):
    body = '{"name": "Ada", "custom_fields": {"x": ' + "[" * depth + "]" * depth + "}}"

    response = api_client.post(CONTACTS_URL, body, content_type="application/json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["code"] == "malformed_json"
    assert "nested deeper" in response.json()["error"]["message"]


def test_json_within_the_depth_limit_is_parsed_and_judged_by_the_field_rules(api_client):
    nested = "[" * (MAX_JSON_DEPTH - 3) + "]" * (MAX_JSON_DEPTH - 3)
    body = '{"name": "Ada", "custom_fields": {"x": ' + nested + "}}"

    response = api_client.post(CONTACTS_URL, body, content_type="application/json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["code"] == "validation_error"
    assert "custom_fields" in response.json()["error"]["fields"]


def test_a_url_over_the_limit_answers_414_in_the_error_shape(api_client, settings):
    settings.MAX_URL_BYTES = 100

    response = api_client.get(CONTACTS_URL, {"search": "x" * 200})

    assert response.status_code == HTTPStatus.REQUEST_URI_TOO_LONG
    assert response.json()["error"]["code"] == "uri_too_long"


def test_gunicorn_leaves_the_url_limit_to_the_application():
    import runpy
    from pathlib import Path

    config = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))

    assert config["limit_request_line"] == 0


def test_more_query_parameters_than_django_reads_answer_400_in_the_error_shape(api_client, settings):
    query = "&".join(f"p{index}=1" for index in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))

    response = api_client.get(f"{CONTACTS_URL}?{query}")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["code"] == "validation_error"
    assert "Too many parameters" in response.json()["error"]["message"]


def test_a_chunked_body_on_a_server_that_does_not_de_chunk_is_refused_with_411(api_client):
    response = api_client.generic(
        "POST", CONTACTS_URL, b"", content_type="application/json", HTTP_TRANSFER_ENCODING="chunked"
    )

    assert response.status_code == HTTPStatus.LENGTH_REQUIRED
    assert response.json()["error"]["code"] == "length_required"
    assert not Contact.objects.unscoped().exists()
