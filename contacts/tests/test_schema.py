import re
from http import HTTPStatus

import pytest
import yaml
from django.urls import reverse

from contacts.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(anonymous_client):
    response = anonymous_client.get("/api/schema/")
    assert response.status_code == HTTPStatus.OK
    return yaml.safe_load(response.content)


def test_the_schema_documents_every_contact_endpoint(schema):
    paths = schema["paths"]

    assert set(paths["/api/v1/contacts"]) >= {"get", "post"}
    assert set(paths["/api/v1/contacts/{contact_id}"]) >= {"get", "patch", "put", "delete"}
    assert "get" in paths["/api/v1/contacts/search"]
    assert "get" in paths["/api/v1/contacts/{contact_id}/conversations"]


def test_the_schema_documents_the_error_responses(schema):
    create = schema["paths"]["/api/v1/contacts"]["post"]["responses"]

    assert {"201", "400", "401", "409"} <= set(create)
    assert create["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")


def test_the_schema_documents_the_list_parameters(schema):
    parameters = {p["name"] for p in schema["paths"]["/api/v1/contacts"]["get"]["parameters"]}

    assert {"limit", "offset", "search", "tag", "sort", "direction"} <= parameters


def test_the_schema_declares_bearer_authentication(schema):
    schemes = schema["components"]["securitySchemes"]

    assert any(scheme.get("scheme") == "bearer" for scheme in schemes.values())


def test_the_interactive_docs_are_served_without_a_cdn(anonymous_client):
    response = anonymous_client.get("/api/docs/")

    assert response.status_code == HTTPStatus.OK
    assert b"cdn" not in response.content.lower()


def test_the_schema_is_valid_openapi_without_generator_warnings():
    import os
    import subprocess
    import sys
    from pathlib import Path

    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", os.devnull],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "contacts_site.settings", "DJANGO_DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr[-3000:]


def _list_parameter(schema, name: str) -> dict:
    return next(p for p in schema["paths"]["/api/v1/contacts"]["get"]["parameters"] if p["name"] == name)


def test_the_schema_documents_the_custom_field_filter_as_a_deep_object(schema):
    custom_field = _list_parameter(schema, "custom_field")

    assert custom_field["in"] == "query"
    assert custom_field["style"] == "deepObject"
    assert custom_field["schema"]["type"] == "object"
    assert custom_field["schema"]["propertyNames"]["minLength"] == 1


def test_the_custom_field_filter_answers_in_the_style_the_schema_documents(api_client, sub_account):
    pro = ContactFactory(sub_account=sub_account, custom_fields={"plan": "pro"})
    ContactFactory(sub_account=sub_account, custom_fields={"plan": "free"})

    response = api_client.get("/api/v1/contacts", {"custom_field[plan]": "pro"})

    assert [contact["id"] for contact in response.json()["data"]] == [pro.pk]


def test_every_operation_declares_406_500_and_503_with_retry_after(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert {"406", "500", "503"} <= set(responses), f"{method} {path}"
            assert "Retry-After" in responses["503"]["headers"], f"{method} {path}"


def test_operation_ids_read_as_what_the_operation_does(schema):
    operation_ids = {
        operation["operationId"] for operations in schema["paths"].values() for operation in operations.values()
    }

    assert {
        "contacts_search",
        "conversations_messages_list",
        "conversations_messages_create",
        "webhooks_deliveries_list",
        "deliveries_redeliver",
        "webhooks_rotate_secret",
    } <= operation_ids
    assert "contacts_search_retrieve" not in operation_ids
    assert "conversations_messages_retrieve" not in operation_ids


def test_a_cursor_the_api_issues_matches_the_schemas_cursor_pattern(schema, api_client, sub_account):
    ContactFactory.create_batch(2, sub_account=sub_account)
    cursor = api_client.get(reverse("contact-list"), {"limit": 1}).json()["next_cursor"]

    assert re.fullmatch(_list_parameter(schema, "cursor")["schema"]["pattern"], cursor)
