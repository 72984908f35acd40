import json
from http import HTTPStatus

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth import get_user_model

from accounts.models import APIKey
from contacts import history
from contacts.models import Contact, ContactTag
from contacts.representation import contact_to_dict
from contacts.tests.factories import ContactFactory
from contacts_site.errors import EmailTaken
from webhooks.models import Event

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
    ContactFactory(sub_account=sub_account, name="Ada Lovelace", tags=["vip"])
    ContactFactory(sub_account=sub_account, name="Grace Hopper")
    tag_id = ContactTag.objects.for_account(sub_account).get(name="vip").pk

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


def _add(client, sub_account, **fields):
    data = {"sub_account": sub_account.pk, "name": "Ada", "email": "", "phone": "", "custom_fields": "{}", **fields}
    return client.post("/admin/contacts/contact/add/", data)


def _edit(client, contact, **fields):
    """Post the admin's change form as the page shows it for `contact`, with `fields` changed."""
    data = {
        "name": contact.name,
        "email": contact.email or "",
        "phone": contact.phone or "",
        "custom_fields": json.dumps(contact.custom_fields),
        **fields,
    }
    return client.post(f"/admin/contacts/contact/{contact.pk}/change/", data)


def _payloads(event_type: str) -> list[dict]:
    return [
        json.loads(event.payload)
        for event in Event.objects.unscoped().filter(type=event_type).order_by("created_at", "id")
    ]


def test_creating_a_contact_in_the_admin_emits_contact_created_with_its_api_representation(
    superuser_client, sub_account
):
    _add(superuser_client, sub_account, name="Ada", email="ada@example.com", custom_fields='{"plan": "pro"}')

    (payload,) = _payloads("contact.created")
    assert payload["data"] == contact_to_dict(sub_account.contacts.get())
    assert payload["sub_account"] == sub_account.slug
    assert Event.objects.unscoped().count() == 1


def test_creating_a_contact_in_the_admin_counts_it_once(superuser_client, sub_account):
    ContactFactory(sub_account=sub_account)

    response = _add(superuser_client, sub_account, name="Ada")

    assert response.status_code == HTTPStatus.FOUND
    sub_account.refresh_from_db()
    assert sub_account.contact_count == Contact.objects.filter(sub_account=sub_account).count() == 2


def test_the_admin_history_of_a_contact_created_there_names_the_stored_contact(superuser_client, sub_account):
    _add(superuser_client, sub_account, name="Ada")

    contact = sub_account.contacts.get()
    entry = LogEntry.objects.get()
    assert (entry.object_id, entry.object_repr, entry.action_flag) == (contact.pk, "Ada", ADDITION)


def test_a_contact_is_not_created_in_the_admin_when_its_event_cannot_be_recorded(
    superuser_client, sub_account, monkeypatch
):
    def fail(**kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(history, "events_emit", fail)

    with pytest.raises(RuntimeError):
        _add(superuser_client, sub_account, name="Ada")

    assert not Contact.objects.unscoped().exists()
    sub_account.refresh_from_db()
    assert sub_account.contact_count == 0


def test_editing_a_contact_in_the_admin_emits_contact_updated_with_what_changed(superuser_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada", phone=None, custom_fields={"plan": "free"})

    _edit(superuser_client, contact, name="Ada L.", phone="(415) 555-2671", custom_fields='{"plan": "pro"}')

    (payload,) = _payloads("contact.updated")
    contact.refresh_from_db()
    assert payload["data"] == contact_to_dict(contact)
    assert payload["changes"] == {
        "name": {"from": "Ada", "to": "Ada L."},
        "phone": {"from": None, "to": "+14155552671"},
        "custom_fields": {"from": {"plan": "free"}, "to": {"plan": "pro"}},
    }


def test_saving_a_contact_unchanged_in_the_admin_emits_nothing(superuser_client, sub_account):
    contact = ContactFactory(
        sub_account=sub_account, name="Ada", email="ada@example.com", phone="+14155552671", custom_fields={"a": 1}
    )

    response = _edit(superuser_client, contact, email="ADA@example.com", phone="(415) 555-2671")

    assert response.status_code == HTTPStatus.FOUND
    assert not Event.objects.unscoped().filter(type="contact.updated").exists()


def test_editing_a_contact_in_the_admin_leaves_the_contact_count_as_it_was(superuser_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada")

    _edit(superuser_client, contact, name="Ada L.")

    sub_account.refresh_from_db()
    assert sub_account.contact_count == 1


def test_editing_a_contact_in_the_admin_keeps_its_tags(superuser_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada", tags=["vip"])

    _edit(superuser_client, contact, name="Ada L.")

    assert contact.tag_names == ["vip"]
    (payload,) = _payloads("contact.updated")
    assert "tags" not in payload["changes"]


def test_a_custom_field_deleted_or_set_to_null_in_the_admin_is_removed(superuser_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, custom_fields={"plan": "free", "seats": 3, "note": "x"})

    _edit(superuser_client, contact, custom_fields='{"seats": 4, "note": null}')

    contact.refresh_from_db()
    assert contact.custom_fields == {"seats": 4}


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


def test_a_duplicate_email_in_the_admin_is_refused_with_the_apis_message(superuser_client, sub_account):
    ContactFactory(sub_account=sub_account, email="ada@example.com")

    response = _add(superuser_client, sub_account, email="ADA@example.com")

    assert response.status_code == HTTPStatus.OK
    assert response.context["adminform"].form.non_field_errors() == [EmailTaken.message]
