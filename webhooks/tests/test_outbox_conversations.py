"""Conversation and message events, written by the conversation services in their own transactions."""

import json

import pytest
from django.urls import reverse

from conversations.tests.factories import ConversationFactory
from webhooks.models import Event

pytestmark = pytest.mark.django_db

FIRST_MESSAGE = {"body": "Hi, my order is late", "direction": "inbound", "sender": "contact"}


def _payloads(event_type: str) -> list[dict]:
    return [
        json.loads(e.payload) for e in Event.objects.unscoped().filter(type=event_type).order_by("created_at", "id")
    ]


def test_opening_a_conversation_emits_conversation_created_as_the_api_returns_it(api_client, contact):
    response = api_client.post(
        reverse("conversation-list"), {"contact_id": contact.pk, "channel": "email"}, format="json"
    )

    (payload,) = _payloads("conversation.created")
    assert payload["data"] == response.json()
    assert not _payloads("message.created")


def test_a_first_message_also_emits_message_created(api_client, contact):
    api_client.post(
        reverse("conversation-list"),
        {"contact_id": contact.pk, "channel": "sms", "message": FIRST_MESSAGE},
        format="json",
    )

    (payload,) = _payloads("message.created")
    assert payload["data"]["body"] == FIRST_MESSAGE["body"]
    assert payload["data"]["conversation_id"] == _payloads("conversation.created")[0]["data"]["id"]


def test_changing_a_conversations_status_emits_the_change(api_client, contact):
    conversation = ConversationFactory(contact=contact, status="open")

    response = api_client.patch(
        reverse("conversation-detail", args=[conversation.pk]), {"status": "resolved"}, format="json"
    )

    (payload,) = _payloads("conversation.updated")
    assert payload["data"] == response.json()
    assert payload["changes"] == {"status": {"from": "open", "to": "resolved"}}


def test_setting_a_conversations_status_to_what_it_is_emits_nothing(api_client, contact):
    conversation = ConversationFactory(contact=contact, status="open")

    api_client.patch(reverse("conversation-detail", args=[conversation.pk]), {"status": "open"}, format="json")

    assert not _payloads("conversation.updated")


def test_adding_a_message_emits_message_created_and_no_bookkeeping_updates(api_client, contact):
    conversation = ConversationFactory(contact=contact)
    Event.objects.unscoped().all().delete()

    response = api_client.post(
        reverse("conversation-messages", args=[conversation.pk]),
        {"body": "We're on it", "direction": "outbound", "sender": "agent"},
        format="json",
    )

    (payload,) = _payloads("message.created")
    assert payload["data"] == response.json()
    # The counters that moved (message_count, last_conversation…) are derived: not a reason to notify.
    assert list(Event.objects.unscoped().values_list("type", flat=True)) == ["message.created"]
