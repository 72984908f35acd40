import json
from http import HTTPStatus

import pytest

from contacts.tests.factories import ContactFactory
from imports.tests.conftest import work

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


@pytest.fixture
def contacts(sub_account, other_sub_account):
    ContactFactory(
        sub_account=sub_account,
        name="Ada",
        email="ada@example.com",
        phone="+14155552671",
        tags=["vip"],
        custom_fields={"plan": "pro", "seats": 12},
    )
    ContactFactory(sub_account=sub_account, name="Bob", email="bob@example.com", custom_fields={"region": "EU"})
    ContactFactory(sub_account=other_sub_account, name="Theirs", email="theirs@example.com", tags=["vip"])


def test_the_csv_export_has_the_columns_and_each_custom_field_key(api_client, contacts):
    response = api_client.get("/api/v1/contacts/export?sort=name&direction=asc")
    assert response["Content-Type"].startswith("text/csv")
    header, ada, bob = body(response).splitlines()
    assert header == (
        "id,name,email,phone,tags,custom_fields.plan,custom_fields.region,custom_fields.seats,"
        "created_at,updated_at,last_conversation,conversation_count"
    )
    assert ada.split(",")[1:8] == ["Ada", "ada@example.com", "+14155552671", "vip", "pro", "", "12"]
    assert bob.split(",")[1:8] == ["Bob", "bob@example.com", "", "", "", "EU", ""]


def test_the_export_takes_the_lists_filters(api_client, contacts):
    lines = body(api_client.get("/api/v1/contacts/export?tag=vip")).splitlines()
    assert len(lines) == 2 and "ada@example.com" in lines[1]


def test_a_bom_can_be_asked_for_excel(api_client, contacts):
    assert body(api_client.get("/api/v1/contacts/export?bom=true")).startswith("\ufeffid,")


def test_json_lines_hold_each_contact_as_the_api_shows_it(api_client, contacts, sub_account):
    lines = body(api_client.get("/api/v1/contacts/export?format=jsonl&sort=name&direction=asc")).splitlines()
    ada = json.loads(lines[0])
    assert (ada["name"], ada["tags"], ada["custom_fields"]) == ("Ada", ["vip"], {"plan": "pro", "seats": 12})
    assert len(lines) == 2


def test_an_unknown_format_is_a_validation_error(api_client):
    response = api_client.get("/api/v1/contacts/export?format=xlsx")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "format" in response.json()["error"]["fields"]


def test_a_bad_filter_is_a_validation_error(api_client):
    assert api_client.get("/api/v1/contacts/export?sort=shoe_size").status_code == HTTPStatus.BAD_REQUEST


def test_an_export_never_holds_another_sub_accounts_contacts(api_client, contacts):
    assert "theirs@example.com" not in body(api_client.get("/api/v1/contacts/export?format=jsonl"))


def test_a_background_export_is_downloaded_when_ready(api_client, contacts):
    queued = api_client.post("/api/v1/exports?tag=vip&format=jsonl")
    assert queued.status_code == HTTPStatus.ACCEPTED
    export_id = queued.json()["id"]
    assert api_client.get(f"/api/v1/exports/{export_id}/download").status_code == HTTPStatus.CONFLICT
    work()
    assert api_client.get(f"/api/v1/exports/{export_id}").json()["status"] == "completed"
    lines = body(api_client.get(f"/api/v1/exports/{export_id}/download")).splitlines()
    assert [json.loads(line)["email"] for line in lines] == ["ada@example.com"]


def test_another_sub_accounts_export_is_not_found(api_client, other_api_client):
    export_id = api_client.post("/api/v1/exports").json()["id"]
    assert other_api_client.get(f"/api/v1/exports/{export_id}").status_code == HTTPStatus.NOT_FOUND
    assert other_api_client.get(f"/api/v1/exports/{export_id}/download").status_code == HTTPStatus.NOT_FOUND
