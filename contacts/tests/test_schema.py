from http import HTTPStatus

import pytest
import yaml

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
