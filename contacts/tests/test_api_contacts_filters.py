"""The list's filters beyond search: tags ANY / ALL / NONE, and custom fields contains / set / ranges."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from contacts.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("contact-list")


def _names(response) -> set[str]:
    assert response.status_code == HTTPStatus.OK, response.content
    return {contact["name"] for contact in response.json()["data"]}


@pytest.fixture
def people(sub_account):
    ContactFactory(sub_account=sub_account, name="Ada", tags=["vip", "berlin"], custom_fields={"seats": 12})
    ContactFactory(
        sub_account=sub_account,
        name="Bob",
        tags=["vip"],
        custom_fields={"company": "Acme Inc", "renewal": "2026-03-01"},
    )
    ContactFactory(sub_account=sub_account, name="Cy", tags=["berlin"], custom_fields={"seats": 3, "seats_note": "x"})
    ContactFactory(sub_account=sub_account, name="Di", custom_fields={"renewal": "2027-01-15", "seats": "many"})


@pytest.mark.parametrize(
    ("match", "expected"),
    [("all", {"Ada"}), ("any", {"Ada", "Bob", "Cy"}), ("none", {"Di"})],
)
def test_tags_match_all_any_or_none(api_client, people, match, expected):
    assert _names(api_client.get(LIST_URL, {"tag": ["vip", "berlin"], "tag_match": match})) == expected


def test_an_unknown_tag_matches_nothing_with_any_and_excludes_nothing_with_none(api_client, people):
    assert _names(api_client.get(LIST_URL, {"tag": ["nope"], "tag_match": "any"})) == set()
    assert len(_names(api_client.get(LIST_URL, {"tag": ["nope"], "tag_match": "none"}))) == 4


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"custom_field_contains.company": "acme"}, {"Bob"}),
        ({"custom_field_contains[company]": "INC"}, {"Bob"}),
        ({"custom_field_set.seats": "true"}, {"Ada", "Cy", "Di"}),
        ({"custom_field_set.seats": "false"}, {"Bob"}),
        ({"custom_field_min.seats": "5"}, {"Ada"}),
        ({"custom_field_max.seats": "5"}, {"Cy"}),
        ({"custom_field_min.seats": "1", "custom_field_max.seats": "20"}, {"Ada", "Cy"}),
        ({"custom_field_min.renewal": "2026-06-01"}, {"Di"}),
        ({"custom_field_max.renewal": "2026-12-31"}, {"Bob"}),
        ({"custom_field.seats": "12"}, {"Ada"}),
    ],
)
def test_custom_field_filters(api_client, people, params, expected):
    assert _names(api_client.get(LIST_URL, params)) == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"custom_field_set.seats": "yes"}, "custom_field_set.seats"),
        ({"custom_field_min.seats": "ten"}, "custom_field_min.seats"),
        ({"custom_field_max.renewal": "2026-13-45"}, "custom_field_max.renewal"),
        ({"tag_match": "some"}, "tag_match"),
    ],
)
def test_a_bad_filter_is_a_400_naming_its_parameter(api_client, params, field):
    response = api_client.get(LIST_URL, params)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert field in response.json()["error"]["fields"]


@pytest.mark.parametrize("words", ["son", "son ada"], ids=["a three-letter word", "with a longer word"])
def test_a_search_beside_a_tag_keeps_only_contacts_matching_both(api_client, sub_account, words):
    both = ContactFactory(sub_account=sub_account, name="Ada Johnson", tags=["vip"])
    ContactFactory(sub_account=sub_account, name="Ada Johnson", tags=["lead"])
    ContactFactory(sub_account=sub_account, name="Ada Lovelace", tags=["vip"])

    response = api_client.get(LIST_URL, {"search": words, "tag": "vip"})

    assert [contact["id"] for contact in response.json()["data"]] == [both.pk]
