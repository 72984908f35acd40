"""Query-parameter errors say what is wrong with the value, once, in words that fit the parameter."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from contacts_site.validation import CONTROL_CHARACTERS_MESSAGE

pytestmark = pytest.mark.django_db

CONTACTS_URL = reverse("contact-list")


def _fields(response) -> dict:
    assert response.status_code == HTTPStatus.BAD_REQUEST
    return response.json()["error"]["fields"]


@pytest.mark.parametrize("limit", ["999999999999999999999", "9" * 5000])
def test_a_limit_too_long_to_read_is_told_the_upper_bound(api_client, limit):
    assert _fields(api_client.get(CONTACTS_URL, {"limit": limit})) == {
        "limit": ["Ensure this value is less than or equal to 100."]
    }


def test_a_negative_offset_too_long_to_read_is_told_the_lower_bound(api_client):
    assert _fields(api_client.get(CONTACTS_URL, {"offset": "-" + "9" * 30})) == {
        "offset": ["Ensure this value is greater than or equal to 0."]
    }


def test_a_blank_tag_is_told_it_is_blank_not_that_it_is_no_choice(api_client):
    assert _fields(api_client.get(CONTACTS_URL, {"tag": ""})) == {"tag": ["A tag cannot be blank."]}


def test_an_overlong_tag_is_told_the_length_limit(api_client):
    assert _fields(api_client.get(CONTACTS_URL, {"tag": "x" * 101})) == {"tag": ["A tag has at most 100 characters."]}


def test_a_tag_with_a_nul_byte_is_told_so(api_client):
    assert _fields(api_client.get(CONTACTS_URL, {"tag": "a\x00b"})) == {"tag": [CONTROL_CHARACTERS_MESSAGE]}
