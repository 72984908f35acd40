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
