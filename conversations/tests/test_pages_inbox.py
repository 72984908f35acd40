"""The inbox: conversations across contacts, filtered, newest activity first; starting a conversation from a
contact page; replies signed with the agent's name."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from contacts.tests.factories import ContactFactory
from conversations.models import Conversation, Message
from conversations.services import message_create
from conversations.tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db

INBOX = reverse("conversations:inbox")


def _subjects(response) -> list[str]:
    assert response.status_code == HTTPStatus.OK
    return [conversation.subject for conversation in response.context["conversations"]]


@pytest.fixture
def threads(sub_account, staff_user):
    ada = ContactFactory(sub_account=sub_account, name="Ada")
    bob = ContactFactory(sub_account=sub_account, name="Bob")
    old = ConversationFactory(contact=ada, subject="Old", channel="sms", status="closed")
    mine = ConversationFactory(contact=bob, subject="Mine", channel="email", assignee=staff_user)
    newest = ConversationFactory(contact=ada, subject="Newest", channel="email")
    message_create(conversation=newest, body="First line\nsecond line", direction="inbound", sender="contact")
    return old, mine, newest


def test_the_inbox_lists_every_contacts_conversations_newest_activity_first(staff_client, threads):
    response = staff_client.get(INBOX)

    assert _subjects(response) == ["Newest", "Mine", "Old"]
    newest = response.context["conversations"][0]
    assert (newest.contact.name, newest.preview) == ("Ada", "First line")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "closed"}, ["Old"]),
        ({"channel": "email"}, ["Newest", "Mine"]),
        ({"assignee": "mine"}, ["Mine"]),
        ({"assignee": "unassigned"}, ["Newest", "Old"]),
        ({"status": "open", "assignee": "unassigned"}, ["Newest"]),
        ({"status": "bogus"}, ["Newest", "Mine", "Old"]),
    ],
)
def test_the_inbox_filters_by_status_channel_and_assignee(staff_client, threads, params, expected):
    assert _subjects(staff_client.get(INBOX, params)) == expected


def test_the_inbox_pages_by_25_keeping_its_filters_in_the_url(staff_client, sub_account):
    contact = ContactFactory(sub_account=sub_account)
    for number in range(27):
        ConversationFactory(contact=contact, subject=f"T{number}", channel="sms")

    first = staff_client.get(INBOX, {"channel": "sms"})
    second = staff_client.get(first.context["next_url"])

    assert len(first.context["conversations"]) == 25
    assert "channel=sms" in first.context["next_url"] and "page=2" in first.context["next_url"]
    assert len(second.context["conversations"]) == 2


def test_an_htmx_refresh_gets_only_the_results(staff_client, threads):
    response = staff_client.get(INBOX, headers={"HX-Request": "true", "HX-Target": "inbox-results"})

    assert "<html" not in response.content.decode()
    assert 'id="inbox-count"' in response.content.decode()


def test_a_conversation_is_started_from_the_contact_page(staff_client, sub_account, staff_user):
    contact = ContactFactory(sub_account=sub_account, name="Ada")
    staff_user.first_name, staff_user.last_name = "Grace", "Hopper"
    staff_user.save()

    response = staff_client.post(
        reverse("conversations:start", args=[contact.pk]), {"channel": "email", "subject": "Hello", "body": "Hi Ada"}
    )

    conversation = Conversation.objects.for_account(sub_account).get()
    assert response.url == reverse("conversations:detail", args=[conversation.pk])
    assert (conversation.subject, conversation.assignee) == ("Hello", staff_user)
    assert Message.objects.for_account(sub_account).get().author_name == "Grace Hopper"
    assert "Grace Hopper" in staff_client.get(response.url).content.decode()


def test_a_reply_shows_the_agents_name(staff_client, sub_account, staff_user):
    conversation = ConversationFactory(contact=ContactFactory(sub_account=sub_account))

    staff_client.post(reverse("conversations:reply", args=[conversation.pk]), {"body": "On it"})
    html = staff_client.get(reverse("conversations:detail", args=[conversation.pk])).content.decode()

    assert f'<span class="message__who">{staff_user.get_username()}</span>' in html


def test_the_contact_page_offers_to_start_a_conversation(staff_client, sub_account):
    contact = ContactFactory(sub_account=sub_account)

    html = staff_client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()

    assert reverse("conversations:start", args=[contact.pk]) in html
