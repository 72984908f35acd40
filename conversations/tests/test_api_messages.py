"""`/api/v1/conversations/{id}/messages`: a conversation's thread, read and written over HTTP."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from conversations.models import MAX_MESSAGE_LENGTH, Conversation, Message
from conversations.tests.factories import ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db

REPLY = {"body": "Your order ships today.", "direction": "outbound", "sender": "agent"}


def messages_url(conversation) -> str:
    return reverse("conversation-messages", args=[conversation.pk])


@pytest.fixture
def conversation(contact):
    return ConversationFactory(contact=contact)


def bodies(response) -> list[str]:
    return [item["body"] for item in response.json()["data"]]


# --- list -------------------------------------------------------------------------------------------------


def test_messages_are_listed_oldest_first_in_the_envelope(api_client, conversation):
    MessageFactory(conversation=conversation, body="Hello?")
    reply = MessageFactory(conversation=conversation, body="Hi!", direction="outbound", sender="bot")
    response = api_client.get(messages_url(conversation))
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert [item["body"] for item in body["data"]] == ["Hello?", "Hi!"]
    assert (body["total"], body["limit"], body["offset"], body["has_more"]) == (2, 50, 0, False)
    assert body["data"][1] == {
        "id": reply.pk,
        "conversation_id": conversation.pk,
        "direction": "outbound",
        "sender": "bot",
        "body": "Hi!",
        "created_at": reply.created_at.isoformat().replace("+00:00", "Z"),
    }


def test_a_conversation_without_messages_lists_none(api_client, conversation):
    assert api_client.get(messages_url(conversation)).json()["data"] == []


def test_messages_of_other_conversations_are_not_listed(api_client, contact, conversation):
    MessageFactory(conversation=ConversationFactory(contact=contact), body="elsewhere")
    MessageFactory(conversation=conversation, body="here")
    assert bodies(api_client.get(messages_url(conversation))) == ["here"]


def test_the_message_list_pages_by_50_by_default(api_client, conversation):
    for number in range(51):
        MessageFactory(conversation=conversation, body=f"m{number}")
    body = api_client.get(messages_url(conversation)).json()
    assert (len(body["data"]), body["total"], body["has_more"]) == (50, 51, True)
    assert body["data"][0]["body"] == "m0"


def test_limit_and_offset_page_through_the_messages(api_client, conversation):
    for number in range(5):
        MessageFactory(conversation=conversation, body=f"m{number}")
    assert bodies(api_client.get(messages_url(conversation), {"limit": 2, "offset": 3})) == ["m3", "m4"]


@pytest.mark.parametrize(
    "params, field",
    [({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"limit": "all"}, "limit"), ({"offset": -1}, "offset")],
)
def test_a_message_page_out_of_bounds_answers_400(api_client, conversation, params, field):
    response = api_client.get(messages_url(conversation), params)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert set(response.json()["error"]["fields"]) == {field}


def test_limit_100_is_allowed_for_messages(api_client, conversation):
    assert api_client.get(messages_url(conversation), {"limit": 100}).json()["limit"] == 100


@pytest.mark.parametrize("count", [1, 40])
def test_the_message_list_costs_the_same_number_of_queries_whatever_its_length(
    api_client, conversation, count, django_assert_num_queries
):
    for _ in range(count):
        MessageFactory(conversation=conversation)
    api_client.get(messages_url(conversation))  # keep the key's once-a-minute last_used_at write out of the count
    # The key (with its sub-account), the conversation, then the page (all of it: no count needed).
    with django_assert_num_queries(3):
        response = api_client.get(messages_url(conversation), {"limit": 100})
    assert len(response.json()["data"]) == count


def test_another_sub_accounts_messages_are_not_found(api_client, other_conversation):
    response = api_client.get(messages_url(other_conversation))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["error"]["code"] == "not_found"


def test_messages_of_an_unknown_conversation_are_not_found(api_client):
    assert api_client.get(reverse("conversation-messages", args=["cv_nope"])).status_code == HTTPStatus.NOT_FOUND


def test_messages_need_a_key(anonymous_client, conversation):
    assert anonymous_client.get(messages_url(conversation)).status_code == HTTPStatus.UNAUTHORIZED


# --- create -----------------------------------------------------------------------------------------------


def test_posting_a_message_answers_201_with_it(api_client, conversation):
    response = api_client.post(messages_url(conversation), REPLY, format="json")
    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    assert body["id"].startswith("msg_")
    assert {key: body[key] for key in REPLY} == REPLY
    assert body["conversation_id"] == conversation.pk


def test_posting_a_message_moves_the_conversations_counters(api_client, conversation):
    api_client.post(messages_url(conversation), REPLY, format="json")
    message = api_client.post(messages_url(conversation), REPLY, format="json").json()
    shown = api_client.get(reverse("conversation-detail", args=[conversation.pk])).json()
    assert (shown["message_count"], shown["last_message_at"]) == (2, message["created_at"])


def test_posting_a_message_moves_the_contacts_last_conversation(api_client, contact, conversation):
    message = api_client.post(messages_url(conversation), REPLY, format="json").json()
    shown = api_client.get(reverse("contact-detail", args=[contact.pk])).json()
    assert (shown["last_conversation"], shown["conversation_count"]) == (message["created_at"], 1)


def test_a_body_of_10000_characters_is_accepted(api_client, conversation):
    payload = {**REPLY, "body": "x" * MAX_MESSAGE_LENGTH}
    assert api_client.post(messages_url(conversation), payload, format="json").status_code == HTTPStatus.CREATED


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"body": ""}, "body"),
        ({"body": "  \n "}, "body"),
        ({"body": "x" * (MAX_MESSAGE_LENGTH + 1)}, "body"),
        ({"body": "a\x00b"}, "body"),
        ({"body": None}, "body"),
        ({"body": 12}, "body"),
        ({"direction": "sideways"}, "direction"),
        ({"sender": "robot"}, "sender"),
        ({"direction": "inbound"}, "sender"),
        ({"id": "msg_mine"}, "id"),
        ({"subject": "hi"}, "subject"),
    ],
)
def test_a_bad_message_answers_400_naming_the_field_and_changes_nothing(api_client, conversation, changes, field):
    response = api_client.post(messages_url(conversation), {**REPLY, **changes}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert set(response.json()["error"]["fields"]) == {field}
    assert not Message.objects.unscoped().exists()
    assert Conversation.objects.unscoped().get(pk=conversation.pk).message_count == 0


@pytest.mark.parametrize("missing", ["body", "direction", "sender"])
def test_a_message_needs_body_direction_and_sender(api_client, conversation, missing):
    payload = {key: value for key, value in REPLY.items() if key != missing}
    response = api_client.post(messages_url(conversation), payload, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert set(response.json()["error"]["fields"]) == {missing}


def test_a_message_cannot_be_posted_to_another_sub_accounts_conversation(api_client, other_conversation):
    response = api_client.post(messages_url(other_conversation), REPLY, format="json")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert Conversation.objects.unscoped().get(pk=other_conversation.pk).message_count == 1


def test_a_message_to_an_unknown_conversation_is_not_found(api_client):
    response = api_client.post(reverse("conversation-messages", args=["cv_nope"]), REPLY, format="json")
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_delete_on_the_message_list_is_not_allowed(api_client, conversation):
    response = api_client.delete(messages_url(conversation))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_next_cursor_continues_the_thread_where_the_page_ended(api_client, conversation):
    for number in range(5):
        MessageFactory(conversation=conversation, body=f"m{number}")
    cursor = api_client.get(messages_url(conversation), {"limit": 3}).json()["next_cursor"]
    assert bodies(api_client.get(messages_url(conversation), {"limit": 3, "cursor": cursor})) == ["m3", "m4"]
