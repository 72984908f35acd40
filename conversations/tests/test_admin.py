"""The Django admin lists conversations with their messages, and writes through the services."""

from http import HTTPStatus

import pytest

from accounts.tests.factories import UserFactory
from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from conversations.models import Conversation
from conversations.tests.factories import ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def contact(sub_account):
    return ContactFactory(sub_account=sub_account, name="Grace Hopper")


def test_the_admin_lists_conversations(admin_client, contact):
    ConversationFactory(contact=contact, subject="Missing parcel")
    response = admin_client.get("/admin/conversations/conversation/")
    assert response.status_code == HTTPStatus.OK
    assert "Missing parcel" in response.text
    assert "Grace Hopper" in response.text


def test_a_conversation_page_shows_its_messages_inline(admin_client, contact):
    conversation = ConversationFactory(contact=contact)
    MessageFactory(conversation=conversation, body="Where is my parcel?")
    MessageFactory(conversation=conversation, body="On its way!", direction="outbound", sender="agent")
    response = admin_client.get(f"/admin/conversations/conversation/{conversation.pk}/change/")
    assert response.status_code == HTTPStatus.OK
    assert "Where is my parcel?" in response.text
    assert "On its way!" in response.text


def test_a_conversation_added_in_the_admin_is_counted_on_its_contact(admin_client, sub_account, contact):
    response = admin_client.post(
        "/admin/conversations/conversation/add/",
        {
            "sub_account": sub_account.pk,
            "contact": contact.pk,
            "channel": "email",
            "status": "open",
            "subject": "From the admin",
            "messages-TOTAL_FORMS": "0",
            "messages-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    assert Conversation.objects.unscoped().get().subject == "From the admin"
    assert Contact.objects.unscoped().get(pk=contact.pk).conversation_count == 1


def test_the_admin_refuses_a_contact_of_another_sub_account(admin_client, sub_account, other_sub_account):
    outsider = ContactFactory(sub_account=other_sub_account)
    response = admin_client.post(
        "/admin/conversations/conversation/add/",
        {
            "sub_account": sub_account.pk,
            "contact": outsider.pk,
            "channel": "email",
            "status": "open",
            "messages-TOTAL_FORMS": "0",
            "messages-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == HTTPStatus.OK
    assert "This contact belongs to another sub-account." in response.text
    assert not Conversation.objects.unscoped().exists()


def test_a_conversation_deleted_in_the_admin_is_uncounted_on_its_contact(admin_client, contact):
    conversation = ConversationFactory(contact=contact, messages=1)
    response = admin_client.post(f"/admin/conversations/conversation/{conversation.pk}/delete/", {"post": "yes"})
    assert response.status_code == HTTPStatus.FOUND
    stored = Contact.objects.unscoped().get(pk=contact.pk)
    assert (stored.conversation_count, stored.last_conversation) == (0, None)


def test_conversations_deleted_in_bulk_in_the_admin_are_uncounted(admin_client, contact):
    conversations = [ConversationFactory(contact=contact) for _ in range(2)]
    response = admin_client.post(
        "/admin/conversations/conversation/",
        {"action": "delete_selected", "_selected_action": [c.pk for c in conversations], "post": "yes"},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert Contact.objects.unscoped().get(pk=contact.pk).conversation_count == 0
