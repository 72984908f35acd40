from http import HTTPStatus

import pytest
from django.urls import reverse

from contacts.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

CONTACTS_URL = reverse("contact-list")


def _error(response) -> dict:
    assert response["Content-Type"].startswith("application/json")
    return response.json()["error"]


def test_malformed_json_answers_400_malformed_json(api_client):
    response = api_client.post(CONTACTS_URL, '{"name": ', content_type="application/json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert _error(response)["code"] == "malformed_json"


@pytest.mark.parametrize("body", ["[]", '"Ada"', "42", "null"])
def test_a_json_body_that_is_not_an_object_is_refused(api_client, body):
    response = api_client.post(CONTACTS_URL, body, content_type="application/json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert _error(response)["code"] in {"validation_error", "malformed_json"}


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x"])
def test_a_form_body_is_an_unsupported_media_type(api_client, content_type):
    response = api_client.post(CONTACTS_URL, "name=Ada", content_type=content_type)

    assert response.status_code == HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    assert _error(response)["code"] == "unsupported_media_type"


def test_an_unsupported_method_answers_405(api_client):
    response = api_client.delete(CONTACTS_URL)

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert _error(response)["code"] == "method_not_allowed"


def test_an_unknown_api_path_answers_json_404(api_client):
    response = api_client.get("/api/v1/nothing-here")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert _error(response)["code"] == "not_found"


def test_an_unexpected_error_answers_json_500_without_a_stack_trace(api_client, sub_account, monkeypatch):
    ContactFactory(sub_account=sub_account)

    def explode(contact):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr("contacts.api.contact_to_dict", explode)
    response = api_client.get(CONTACTS_URL)

    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    error = _error(response)
    assert error["code"] == "server_error"
    assert "secret internal detail" not in response.content.decode()


def test_errors_have_the_documented_shape(api_client):
    response = api_client.post(CONTACTS_URL, {"name": "", "phone": "bad"}, format="json")

    error = _error(response)
    assert set(error) == {"status", "code", "message", "fields", "request_id"}
    assert error["status"] == 400
    assert set(error["fields"]) == {"name", "phone"}
    assert all(isinstance(messages, list) for messages in error["fields"].values())


def test_a_nul_byte_in_a_name_is_refused_not_a_server_error(api_client):
    response = api_client.post(CONTACTS_URL, {"name": "Ada\x00"}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "name" in _error(response)["fields"]


def test_a_nul_byte_in_a_search_is_refused_not_a_server_error(api_client):
    response = api_client.get(CONTACTS_URL + "/search", {"q": "a\x00b"})

    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_a_disallowed_host_header_answers_json_400_under_the_api(api_client):
    response = api_client.get(CONTACTS_URL, HTTP_HOST="evil.example")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert _error(response)["code"] == "validation_error"


def test_a_nul_byte_in_a_contact_id_answers_json_404(api_client):
    response = api_client.get(CONTACTS_URL + "/ct_%00x")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert _error(response)["code"] == "not_found"
