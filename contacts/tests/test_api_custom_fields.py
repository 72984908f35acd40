"""`/api/v1/custom-fields`: typed definitions of custom-field keys, and the contact writes they type."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from contacts.tests.factories import ContactFactory
from contacts.workspace_services import custom_field_definition_create, custom_field_definition_update

pytestmark = pytest.mark.django_db

FIELDS_URL = "/api/v1/custom-fields"
CONTACTS_URL = reverse("contact-list")


def _define(sub_account, key, type, **extra):
    return custom_field_definition_create(sub_account=sub_account, key=key, label=key.title(), type=type, **extra)


def test_a_definition_is_created_and_listed_in_order(api_client):
    first = api_client.post(
        FIELDS_URL, {"key": "plan", "label": "Plan", "type": "select", "options": ["free", "pro"]}, format="json"
    )
    api_client.post(FIELDS_URL, {"key": "seats", "label": "Seats", "type": "number"}, format="json")

    assert first.status_code == HTTPStatus.CREATED, first.content
    body = api_client.get(FIELDS_URL).json()
    assert [(item["key"], item["position"]) for item in body["data"]] == [("plan", 1), ("seats", 2)]
    assert body["data"][0]["options"] == ["free", "pro"]


def test_a_select_without_options_is_refused(api_client):
    response = api_client.post(FIELDS_URL, {"key": "plan", "label": "Plan", "type": "select"}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "options" in response.json()["error"]["fields"]


def test_a_key_defined_twice_is_refused(api_client, sub_account):
    _define(sub_account, "plan", "text")

    response = api_client.post(FIELDS_URL, {"key": "plan", "label": "Plan", "type": "text"}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "key" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [({"key": "x", "label": "X", "type": "colour"}, "type"), ({"key": "x", "label": "X", "type": "text", "y": 1}, "y")],
)
def test_an_unknown_type_or_field_is_refused(api_client, body, field):
    response = api_client.post(FIELDS_URL, body, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert set(response.json()["error"]["fields"]) == {field}


def test_the_key_cannot_be_changed(api_client, sub_account):
    definition = _define(sub_account, "plan", "text")

    response = api_client.patch(f"{FIELDS_URL}/{definition.pk}", {"key": "tier"}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["fields"]["key"] == ["This field is read-only."]


def test_a_definition_is_changed_and_deleted(api_client, sub_account):
    definition = _define(sub_account, "plan", "text")

    changed = api_client.patch(
        f"{FIELDS_URL}/{definition.pk}", {"label": "Plan name", "show_as_column": True}, format="json"
    )
    deleted = api_client.delete(f"{FIELDS_URL}/{definition.pk}")

    assert changed.json()["label"] == "Plan name" and changed.json()["show_as_column"] is True
    assert deleted.status_code == HTTPStatus.NO_CONTENT
    assert api_client.get(f"{FIELDS_URL}/{definition.pk}").status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize(
    ("type", "options", "good", "bad"),
    [
        ("number", [], 12.5, "12"),
        ("date", [], "2026-12-01", "01/12/2026"),
        ("boolean", [], True, "yes"),
        ("select", ["free", "pro"], "pro", "gold"),
        ("multiselect", ["a", "b", "c"], ["a", "c"], ["a", "z"]),
        ("text", [], "anything", 3),
    ],
)
def test_a_defined_key_takes_only_values_of_its_type(api_client, sub_account, type, options, good, bad):
    _define(sub_account, "field", type, options=options)

    accepted = api_client.post(CONTACTS_URL, {"name": "Ada", "custom_fields": {"field": good}}, format="json")
    refused = api_client.post(CONTACTS_URL, {"name": "Bob", "custom_fields": {"field": bad}}, format="json")

    assert accepted.status_code == HTTPStatus.CREATED, accepted.content
    assert accepted.json()["custom_fields"] == {"field": good}
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert "custom_fields" in refused.json()["error"]["fields"]


def test_undefined_keys_stay_free_form(api_client, sub_account):
    _define(sub_account, "seats", "number")

    response = api_client.post(CONTACTS_URL, {"name": "Ada", "custom_fields": {"note": 3, "x": "y"}}, format="json")

    assert response.status_code == HTTPStatus.CREATED


def test_an_existing_value_that_no_longer_fits_stays_until_that_key_is_written(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada", custom_fields={"seats": "twelve", "plan": "pro"})
    _define(sub_account, "seats", "number")
    url = reverse("contact-detail", args=[contact.pk])

    other_key = api_client.patch(url, {"custom_fields": {"plan": "team"}, "name": "Ada L."}, format="json")
    same_key = api_client.patch(url, {"custom_fields": {"seats": "thirteen"}}, format="json")

    assert other_key.status_code == HTTPStatus.OK
    assert other_key.json()["custom_fields"]["seats"] == "twelve"
    assert same_key.status_code == HTTPStatus.BAD_REQUEST
    assert same_key.json()["error"]["fields"]["custom_fields"] == ["“seats” must be a number."]


def test_changing_a_type_does_not_rewrite_stored_values(sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada", custom_fields={"seats": 3})
    definition = _define(sub_account, "seats", "number")

    custom_field_definition_update(definition=definition, type="text")

    contact.refresh_from_db()
    assert contact.custom_fields == {"seats": 3}


def test_a_change_to_nothing_writes_nothing(sub_account):
    definition = _define(sub_account, "seats", "number")
    before = definition.updated_at

    after = custom_field_definition_update(definition=definition, label="Seats")

    assert after.updated_at == before
