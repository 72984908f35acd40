from http import HTTPStatus

import pytest
from django.urls import reverse

from contacts.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

CONTACTS_URL = reverse("contact-list")


def _ids(response) -> list[str]:
    return [contact["id"] for contact in response.json()["data"]]


def test_a_custom_field_filter_matches_contacts_with_that_value(api_client, sub_account):
    acme = ContactFactory(sub_account=sub_account, custom_fields={"company": "Acme", "plan": "pro"})
    ContactFactory(sub_account=sub_account, custom_fields={"company": "Globex"})
    ContactFactory(sub_account=sub_account)

    assert _ids(api_client.get(CONTACTS_URL, {"custom_field.company": "Acme"})) == [acme.pk]


def test_custom_field_filters_combine(api_client, sub_account):
    both = ContactFactory(sub_account=sub_account, custom_fields={"company": "Acme", "plan": "pro"})
    ContactFactory(sub_account=sub_account, custom_fields={"company": "Acme", "plan": "free"})

    response = api_client.get(CONTACTS_URL, {"custom_field.company": "Acme", "custom_field.plan": "pro"})

    assert _ids(response) == [both.pk]


@pytest.mark.parametrize(("stored", "typed"), [(12, "12"), (True, "true"), ("12", "12"), (2.5, "2.5")])
def test_a_custom_field_filter_matches_numbers_and_booleans_typed_in_the_query_string(
    api_client, sub_account, stored, typed
):
    match = ContactFactory(sub_account=sub_account, custom_fields={"seats": stored})
    ContactFactory(sub_account=sub_account, custom_fields={"seats": 13})

    assert _ids(api_client.get(CONTACTS_URL, {"custom_field.seats": typed})) == [match.pk]


def test_a_custom_field_filter_with_an_empty_key_is_refused(api_client):
    response = api_client.get(CONTACTS_URL, {"custom_field.": "x"})

    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_a_custom_field_filter_does_not_reach_another_sub_account(api_client, other_sub_account):
    ContactFactory(sub_account=other_sub_account, custom_fields={"company": "Acme"})

    assert api_client.get(CONTACTS_URL, {"custom_field.company": "Acme"}).json()["total"] == 0


@pytest.mark.parametrize("spelling", ["NaN", "Infinity", "-Infinity", "1e999", "-1e400", "99999999999999999999999"])
def test_a_non_finite_or_overflowing_number_in_a_custom_field_filter_matches_only_that_text(
    api_client, sub_account, spelling
):
    as_text = ContactFactory(sub_account=sub_account, custom_fields={"seats": spelling})
    ContactFactory(sub_account=sub_account, custom_fields={"seats": 12})

    response = api_client.get(CONTACTS_URL, {"custom_field.seats": spelling})

    assert response.status_code == HTTPStatus.OK
    assert _ids(response) == [as_text.pk]


def test_a_custom_field_filter_without_a_key_names_the_parameter_in_fields(api_client):
    response = api_client.get(f"{CONTACTS_URL}?custom_field.=x")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["fields"] == {
        "custom_field.": ["Name the custom field: custom_field.<key>=<value>."]
    }


def test_a_deep_object_custom_field_filter_without_a_key_names_the_parameter_in_fields(api_client):
    response = api_client.get(f"{CONTACTS_URL}?custom_field[]=x")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert list(response.json()["error"]["fields"]) == ["custom_field[]"]


def test_a_contains_filter_ignores_case(api_client, sub_account):
    redwood = ContactFactory(sub_account=sub_account, custom_fields={"company": "Redwood Labs"})
    ContactFactory(sub_account=sub_account, custom_fields={"company": "Willow"})

    assert _ids(api_client.get(CONTACTS_URL, {"custom_field_contains.company": "WOOD l"})) == [redwood.pk]


def test_a_contains_filter_finds_text_that_json_writes_escaped(api_client, sub_account):
    quoted = ContactFactory(sub_account=sub_account, custom_fields={"company": 'Say "Hi" Inc'})
    ContactFactory(sub_account=sub_account, custom_fields={"company": "Say Hi Inc"})

    assert _ids(api_client.get(CONTACTS_URL, {"custom_field_contains.company": '"hi"'})) == [quoted.pk]


def test_a_contains_filter_looks_at_its_own_field_only(api_client, sub_account):
    ContactFactory(sub_account=sub_account, custom_fields={"company": "Redwood", "note": "x"})
    noted = ContactFactory(sub_account=sub_account, custom_fields={"note": "redwood fan"})

    assert _ids(api_client.get(CONTACTS_URL, {"custom_field_contains.note": "redwood"})) == [noted.pk]
