"""Input the API used to change without a word, or answer with a 500 (issue "never a 500", items 2, 19, 20)."""

import threading
from http import HTTPStatus

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from accounts.models import Membership
from contacts.models import TaggedContact
from contacts.tests.factories import ContactFactory
from contacts.validators import MAX_TAGS, TAG_LENGTH_MESSAGE
from contacts_site.validation import CONTROL_CHARACTERS_MESSAGE, INVALID_UNICODE_MESSAGE

CONTACTS_URL = reverse("contact-list")


@pytest.mark.django_db
def test_an_unpaired_surrogate_in_custom_fields_is_a_400_not_a_500(api_client):
    body = '{"name": "n", "custom_fields": {"k": "\\ud800"}}'

    response = api_client.post(CONTACTS_URL, body, content_type="application/json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["fields"] == {"custom_fields": [f"“k”: {INVALID_UNICODE_MESSAGE}"]}


@pytest.mark.django_db
def test_a_nul_in_search_gives_one_message(api_client):
    response = api_client.get(reverse("contact-search"), {"q": "a\x00b"})

    assert response.json()["error"]["fields"] == {"q": [CONTROL_CHARACTERS_MESSAGE]}


@pytest.mark.django_db
def test_an_empty_patch_keeps_the_etag_and_updated_at(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account)
    before = api_client.get(reverse("contact-detail", args=[contact.pk]))

    response = api_client.patch(reverse("contact-detail", args=[contact.pk]), {}, format="json")

    assert response["ETag"] == before["ETag"]
    assert response.json()["updated_at"] == before.json()["updated_at"]


@pytest.mark.django_db
@pytest.mark.parametrize("bad_tag", ["", "x" * 51], ids=["empty", "too-long"])
def test_every_bad_tag_is_reported_in_one_shape(api_client, bad_tag):
    response = api_client.post(CONTACTS_URL, {"name": "Ada", "tags": ["ok", bad_tag]}, format="json")

    assert response.json()["error"]["fields"] == {"tags": [TAG_LENGTH_MESSAGE]}


@pytest.mark.django_db
def test_a_name_stored_decomposed_is_found_by_its_composed_spelling(api_client):
    api_client.post(CONTACTS_URL, {"name": "e\u0301cole Dupont"}, format="json")

    found = api_client.get(reverse("contact-search"), {"q": "école"}).json()["data"]

    assert [contact["name"] for contact in found] == ["école Dupont"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["Ada\nLovelace", "Ada\x07", "\u202eecalevoL"], ids=["newline", "bell", "rtl"])
def test_a_name_with_control_characters_is_refused(api_client, name):
    response = api_client.post(CONTACTS_URL, {"name": name}, format="json")

    assert response.json()["error"]["fields"] == {"name": [CONTROL_CHARACTERS_MESSAGE]}


@pytest.mark.django_db(transaction=True)
def test_concurrent_staff_bulk_tags_never_take_a_contact_past_the_tag_limit(sub_account, staff_user):
    contact = ContactFactory(sub_account=sub_account, tags=[f"t{n}" for n in range(MAX_TAGS - 1)])
    barrier = threading.Barrier(6)
    statuses = []

    def add_tag(n: int) -> None:
        client = Client()
        client.force_login(staff_user)
        barrier.wait()
        try:
            response = client.post(
                reverse("contacts:bulk"),
                {"action": "add_tag", "scope": "selected", "ids": [contact.pk], "bulk_tag": f"new{n}"},
            )
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=add_tag, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [HTTPStatus.FOUND] * 6
    assert TaggedContact.objects.filter(sub_account=sub_account, content_object=contact).count() == MAX_TAGS
    assert staff_user.memberships.get().role == Membership.Role.AGENT


@pytest.mark.django_db
@pytest.mark.parametrize("parameter", ["search", "tag"])
def test_a_nul_in_a_list_filter_gives_one_message(api_client, parameter):
    response = api_client.get(CONTACTS_URL, {parameter: "a\x00b"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert len(response.json()["error"]["fields"][parameter]) == 1
