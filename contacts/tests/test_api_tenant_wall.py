"""A key of one sub-account never reaches another's contacts: they answer exactly like missing ones."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from contacts.models import Contact
from contacts.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

CONTACTS_URL = reverse("contact-list")


@pytest.fixture
def foreign_contact(other_sub_account):
    return ContactFactory(
        sub_account=other_sub_account, name="Foreign Ada", email="ada@globex.example", tags=["secret-tag"]
    )


def _without_request_id(body: dict) -> dict:
    # Each answer has its own request id; everything else must be identical.
    return {"error": {k: v for k, v in body["error"].items() if k != "request_id"}}


def _assert_not_found_like_a_missing_contact(response, missing_response):
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert _without_request_id(response.json()) == _without_request_id(missing_response.json())


@pytest.mark.parametrize(
    ("method", "suffix", "payload"),
    [
        ("get", "", None),
        ("patch", "", {"name": "Hijacked"}),
        ("put", "", {"name": "Hijacked"}),
        ("delete", "", None),
        ("get", "/conversations", None),
    ],
)
def test_another_sub_accounts_contact_answers_like_a_missing_one(api_client, foreign_contact, method, suffix, payload):
    call = getattr(api_client, method)
    kwargs = {"format": "json"} if payload is not None else {}

    response = call(reverse("contact-detail", args=[foreign_contact.pk]) + suffix, payload, **kwargs)
    missing = call(reverse("contact-detail", args=["ct_01DOESNOTEXIST0000000000"]) + suffix, payload, **kwargs)

    _assert_not_found_like_a_missing_contact(response, missing)
    foreign_contact.refresh_from_db()
    assert foreign_contact.name == "Foreign Ada"


def test_another_sub_accounts_contacts_are_not_listed(api_client, foreign_contact):
    assert api_client.get(CONTACTS_URL).json()["total"] == 0


def test_another_sub_accounts_contacts_are_not_searched(api_client, foreign_contact):
    assert api_client.get(CONTACTS_URL + "/search", {"q": "ada"}).json() == {"data": []}
    assert api_client.get(CONTACTS_URL, {"search": "ada"}).json()["total"] == 0


def test_another_sub_accounts_tags_do_not_match(api_client, foreign_contact):
    assert api_client.get(CONTACTS_URL, {"tag": "secret-tag"}).json()["total"] == 0


def test_another_sub_accounts_tag_names_never_appear(api_client, sub_account, foreign_contact):
    ContactFactory(sub_account=sub_account, tags=["vip"])

    tags = {tag for contact in api_client.get(CONTACTS_URL).json()["data"] for tag in contact["tags"]}

    assert tags == {"vip"}


def test_deleting_through_another_sub_account_leaves_the_contact_in_place(api_client, foreign_contact):
    api_client.delete(reverse("contact-detail", args=[foreign_contact.pk]))

    assert Contact.objects.unscoped().filter(pk=foreign_contact.pk).exists()
