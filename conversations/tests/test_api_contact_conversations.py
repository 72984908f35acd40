"""The contact side: a contact's conversations, the contacts list sorted by last conversation, and the erase."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from contacts.tests.factories import ContactFactory
from conversations.models import Conversation, Message
from conversations.tests.factories import ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db


def url(contact) -> str:
    return reverse("contact-conversation-list", args=[contact.pk])


def ids(response) -> list[str]:
    return [item["id"] for item in response.json()["data"]]


def test_a_contacts_conversations_are_listed_most_recent_activity_first(api_client, contact):
    oldest, middle, newest = (ConversationFactory(contact=contact) for _ in range(3))
    MessageFactory(conversation=middle)
    response = api_client.get(url(contact))
    assert response.status_code == HTTPStatus.OK
    assert ids(response) == [middle.pk, newest.pk, oldest.pk]


def test_only_that_contacts_conversations_are_listed(api_client, sub_account, contact):
    mine = ConversationFactory(contact=contact)
    ConversationFactory(contact=ContactFactory(sub_account=sub_account))
    assert ids(api_client.get(url(contact))) == [mine.pk]


def test_a_contacts_conversations_page_by_25_by_default(api_client, contact):
    for _ in range(26):
        ConversationFactory(contact=contact)
    body = api_client.get(url(contact)).json()
    assert (len(body["data"]), body["total"], body["limit"], body["has_more"]) == (25, 26, 25, True)
    assert len(api_client.get(url(contact), {"offset": 25}).json()["data"]) == 1


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"offset": -1}])
def test_a_contacts_conversations_page_out_of_bounds_answers_400(api_client, contact, params):
    response = api_client.get(url(contact), params)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert set(response.json()["error"]["fields"]) == set(params)


def test_a_contact_without_conversations_lists_none(api_client, contact):
    body = api_client.get(url(contact)).json()
    assert (body["data"], body["total"], body["limit"], body["offset"], body["has_more"]) == ([], 0, 25, 0, False)


def test_another_sub_accounts_contact_is_not_found(api_client, other_sub_account):
    outsider = ContactFactory(sub_account=other_sub_account)
    ConversationFactory(contact=outsider)
    response = api_client.get(url(outsider))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("contact_id", ["ct_nope", "%00"])
def test_an_unknown_contact_is_not_found(api_client, contact_id):
    response = api_client.get(reverse("contact-conversation-list", args=[contact_id]))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("count", [1, 30])
def test_a_contacts_conversations_cost_the_same_number_of_queries_whatever_their_number(
    api_client, contact, count, django_assert_num_queries
):
    for _ in range(count):
        ConversationFactory(contact=contact, messages=1)
    api_client.get(url(contact))  # keep the key's once-a-minute last_used_at write out of the count
    # The key (with its sub-account), the contact, then the page (all of it: no count needed).
    with django_assert_num_queries(3):
        response = api_client.get(url(contact), {"limit": 100})
    assert len(response.json()["data"]) == count


# --- the contacts list sorted by last conversation ----------------------------------------------------------


@pytest.fixture
def three_contacts(sub_account):
    """(never contacted, active earlier, active latest)."""
    silent = ContactFactory(sub_account=sub_account, name="Silent")
    earlier = ContactFactory(sub_account=sub_account, name="Earlier")
    latest = ContactFactory(sub_account=sub_account, name="Latest")
    latest_conversation = ConversationFactory(contact=latest)
    ConversationFactory(contact=earlier, messages=1)
    MessageFactory(conversation=latest_conversation)
    return silent, earlier, latest


def test_contacts_sorted_by_last_conversation_are_the_most_recently_active_first(api_client, three_contacts):
    silent, earlier, latest = three_contacts
    response = api_client.get(reverse("contact-list"), {"sort": "last_conversation"})
    assert response.status_code == HTTPStatus.OK
    assert ids(response) == [latest.pk, earlier.pk, silent.pk]


def test_contacts_sorted_by_last_conversation_ascending_still_end_with_those_never_contacted(
    api_client, three_contacts
):
    silent, earlier, latest = three_contacts
    response = api_client.get(reverse("contact-list"), {"sort": "last_conversation", "direction": "asc"})
    assert ids(response) == [earlier.pk, latest.pk, silent.pk]


def test_the_contacts_list_shows_the_derived_fields(api_client, three_contacts):
    silent, _earlier, latest = three_contacts
    shown = {item["id"]: item for item in api_client.get(reverse("contact-list")).json()["data"]}
    assert shown[latest.pk]["conversation_count"] == 1
    assert shown[silent.pk]["last_conversation"] is None


# --- erasing a contact ---------------------------------------------------------------------------------------


def test_deleting_a_contact_deletes_its_conversations_and_messages(api_client, sub_account, contact):
    ConversationFactory(contact=contact, messages=3)
    ConversationFactory(contact=contact, messages=1)
    kept = ConversationFactory(contact=ContactFactory(sub_account=sub_account), messages=2)
    response = api_client.delete(reverse("contact-detail", args=[contact.pk]))
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert list(Conversation.objects.unscoped().all()) == [kept]
    assert Message.objects.unscoped().count() == 2
    assert api_client.get(reverse("conversation-list"), {"contact_id": contact.pk}).json()["total"] == 0
