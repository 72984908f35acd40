"""The OpenAPI schema documents the conversation endpoints and their parameters."""

from http import HTTPStatus

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == HTTPStatus.OK
    return response.json()


def test_the_schema_lists_every_conversation_endpoint(schema):
    paths = schema["paths"]
    assert set(paths["/api/v1/conversations"]) >= {"get", "post"}
    assert set(paths["/api/v1/conversations/{conversation_id}"]) >= {"get", "patch", "delete"}
    assert set(paths["/api/v1/conversations/{conversation_id}/messages"]) >= {"get", "post"}
    assert "get" in paths["/api/v1/contacts/{contact_id}/conversations"]


def test_the_schema_documents_the_list_filters_with_their_values(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/conversations"]["get"]["parameters"]}
    assert set(parameters) >= {"contact_id", "status", "channel", "sort", "direction", "limit", "offset"}
    assert set(parameters["sort"]["schema"]["enum"]) == {"activity", "created", "updated", "last_message"}


def test_the_schema_documents_the_error_shape_of_a_bad_create(schema):
    responses = schema["paths"]["/api/v1/conversations"]["post"]["responses"]
    assert responses["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")


def test_the_schema_documents_the_contacts_sort_by_last_conversation(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/contacts"]["get"]["parameters"]}
    assert "last_conversation" in parameters["sort"]["schema"]["enum"]
