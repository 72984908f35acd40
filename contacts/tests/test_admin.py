from http import HTTPStatus

import pytest
from django.contrib.auth import get_user_model

from accounts.models import APIKey
from contacts.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-not-used")
    client.force_login(user)
    return client


def test_the_admin_lists_contacts_searchable_by_name(superuser_client, sub_account):
    ContactFactory(sub_account=sub_account, name="Ada Lovelace", tags=["vip"])
    ContactFactory(sub_account=sub_account, name="Grace Hopper")

    response = superuser_client.get("/admin/contacts/contact/", {"q": "lovelace"})

    assert response.status_code == HTTPStatus.OK
    assert b"Ada Lovelace" in response.content
    assert b"Grace Hopper" not in response.content


def test_the_admin_filters_contacts_by_sub_account(superuser_client, sub_account, other_sub_account):
    ContactFactory(sub_account=sub_account, name="Ada Lovelace")
    ContactFactory(sub_account=other_sub_account, name="Grace Hopper")

    response = superuser_client.get("/admin/contacts/contact/", {"sub_account__id__exact": other_sub_account.pk})

    assert b"Grace Hopper" in response.content
    assert b"Ada Lovelace" not in response.content


def test_the_admin_filters_contacts_by_tag(superuser_client, sub_account):
    vip = ContactFactory(sub_account=sub_account, name="Ada Lovelace", tags=["vip"])
    ContactFactory(sub_account=sub_account, name="Grace Hopper")
    tag_id = vip.tags.get().pk

    response = superuser_client.get("/admin/contacts/contact/", {"tags__id__exact": tag_id})

    assert b"Ada Lovelace" in response.content
    assert b"Grace Hopper" not in response.content


def test_the_admin_normalizes_a_contacts_phone_like_the_api(superuser_client, sub_account):
    response = superuser_client.post(
        "/admin/contacts/contact/add/",
        {
            "sub_account": sub_account.pk,
            "name": "Ada",
            "email": "ADA@example.com",
            "phone": "(415) 555-2671",
            "custom_fields": "{}",
        },
    )

    assert response.status_code == HTTPStatus.FOUND
    contact = sub_account.contacts.get()
    assert (contact.email, contact.phone) == ("ada@example.com", "+14155552671")


def test_creating_an_api_key_in_the_admin_shows_the_key_once_and_stores_its_hash(superuser_client, sub_account):
    response = superuser_client.post(
        "/admin/accounts/apikey/add/", {"sub_account": sub_account.pk, "name": "Zapier"}, follow=True
    )

    api_key = APIKey.objects.get(sub_account=sub_account)
    shown = [str(m) for m in response.context["messages"]]
    raw_key = next(word for message in shown for word in message.split() if word.startswith("ck_"))
    assert APIKey.objects.authenticate(raw_key) == api_key
    change_page = superuser_client.get(f"/admin/accounts/apikey/{api_key.pk}/change/")
    assert raw_key.encode() not in change_page.content
    assert api_key.secret_hash.encode() not in change_page.content
