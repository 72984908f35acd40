"""`/api/v1/conversations`: list, create, read, change, delete, through the full HTTP stack."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from accounts.tests.factories import MembershipFactory, UserFactory
from contacts.tests.factories import ContactFactory
from conversations.models import Conversation, Message
from conversations.tests.factories import ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db

URL = reverse("conversation-list")


def detail_url(conversation) -> str:
    return reverse(
        "conversation-detail", args=[conversation.pk if isinstance(conversation, Conversation) else conversation]
    )


@pytest.fixture
def contact(sub_account):
    return ContactFactory(sub_account=sub_account, name="Ada Lovelace")


def ids(response) -> list[str]:
    return [item["id"] for item in response.json()["data"]]


def error_fields(response) -> set[str]:
    return set(response.json()["error"]["fields"])


# --- list -------------------------------------------------------------------------------------------------


def test_the_list_answers_the_sub_accounts_conversations_in_the_envelope(api_client, contact):
    conversation = ConversationFactory(contact=contact, subject="Refund", channel="sms")
    response = api_client.get(URL)
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert (body["total"], body["limit"], body["offset"], body["has_more"]) == (1, 25, 0, False)
    assert body["data"] == [
        {
            "id": conversation.pk,
            "contact_id": contact.pk,
            "channel": "sms",
            "status": "open",
            "subject": "Refund",
            "assignee": None,
            "created_at": conversation.created_at.isoformat().replace("+00:00", "Z"),
            "updated_at": conversation.updated_at.isoformat().replace("+00:00", "Z"),
            "last_message_at": None,
            "message_count": 0,
        }
    ]


def test_the_list_never_shows_another_sub_accounts_conversations(api_client, contact, other_conversation):
    mine = ConversationFactory(contact=contact)
    assert ids(api_client.get(URL)) == [mine.pk]


def test_the_list_shows_the_most_recent_activity_first_by_default(api_client, contact):
    oldest, middle, newest = (ConversationFactory(contact=contact) for _ in range(3))
    MessageFactory(conversation=oldest)
    assert ids(api_client.get(URL)) == [oldest.pk, newest.pk, middle.pk]


def test_direction_asc_alone_reverses_the_activity_order(api_client, contact):
    first, second = ConversationFactory(contact=contact), ConversationFactory(contact=contact)
    assert ids(api_client.get(URL, {"direction": "asc"})) == [first.pk, second.pk]


def test_the_list_filters_by_contact_id(api_client, sub_account, contact):
    mine = ConversationFactory(contact=contact)
    ConversationFactory(contact=ContactFactory(sub_account=sub_account))
    assert ids(api_client.get(URL, {"contact_id": contact.pk})) == [mine.pk]


def test_filtering_by_another_sub_accounts_contact_finds_nothing(api_client, other_conversation):
    response = api_client.get(URL, {"contact_id": other_conversation.contact_id})
    assert (response.status_code, response.json()["total"]) == (HTTPStatus.OK, 0)


def test_the_list_filters_by_status(api_client, contact):
    pending = ConversationFactory(contact=contact, status="pending")
    ConversationFactory(contact=contact, status="open")
    assert ids(api_client.get(URL, {"status": "pending"})) == [pending.pk]


def test_the_list_filters_by_channel(api_client, contact):
    whatsapp = ConversationFactory(contact=contact, channel="whatsapp")
    ConversationFactory(contact=contact, channel="email")
    assert ids(api_client.get(URL, {"channel": "whatsapp"})) == [whatsapp.pk]


def test_filters_combine(api_client, sub_account, contact):
    match = ConversationFactory(contact=contact, channel="sms", status="open")
    ConversationFactory(contact=contact, channel="sms", status="closed")
    ConversationFactory(contact=contact, channel="email", status="open")
    ConversationFactory(contact=ContactFactory(sub_account=sub_account), channel="sms", status="open")
    response = api_client.get(URL, {"contact_id": contact.pk, "channel": "sms", "status": "open"})
    assert ids(response) == [match.pk]


@pytest.mark.parametrize(
    "params",
    [{"status": "snoozed"}, {"channel": "fax"}, {"sort": "name"}, {"direction": "up"}, {"contact_id": "ct\x00"}],
    ids=["status", "channel", "sort", "direction", "contact_id"],
)
def test_a_bad_filter_value_answers_400_naming_it(api_client, params):
    response = api_client.get(URL, params)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["code"] == "validation_error"
    assert error_fields(response) == set(params)


def test_sort_created_is_newest_first_by_default(api_client, contact):
    first, second = ConversationFactory(contact=contact), ConversationFactory(contact=contact)
    MessageFactory(conversation=first)
    assert ids(api_client.get(URL, {"sort": "created"})) == [second.pk, first.pk]


def test_sort_created_asc_is_oldest_first(api_client, contact):
    first, second = ConversationFactory(contact=contact), ConversationFactory(contact=contact)
    assert ids(api_client.get(URL, {"sort": "created", "direction": "asc"})) == [first.pk, second.pk]


def test_sort_updated_follows_the_latest_change(api_client, contact):
    first, second = ConversationFactory(contact=contact), ConversationFactory(contact=contact)
    api_client.patch(detail_url(first), {"status": "pending"}, format="json")
    assert ids(api_client.get(URL, {"sort": "updated"})) == [first.pk, second.pk]


def test_sort_last_message_puts_conversations_without_messages_last(api_client, contact):
    silent = ConversationFactory(contact=contact)
    older, newer = ConversationFactory(contact=contact), ConversationFactory(contact=contact)
    MessageFactory(conversation=older)
    MessageFactory(conversation=newer)
    assert ids(api_client.get(URL, {"sort": "last_message"})) == [newer.pk, older.pk, silent.pk]


def test_sort_last_message_asc_still_puts_conversations_without_messages_last(api_client, contact):
    silent = ConversationFactory(contact=contact)
    older, newer = ConversationFactory(contact=contact), ConversationFactory(contact=contact)
    MessageFactory(conversation=older)
    MessageFactory(conversation=newer)
    response = api_client.get(URL, {"sort": "last_message", "direction": "asc"})
    assert ids(response) == [older.pk, newer.pk, silent.pk]


def test_limit_and_offset_page_through_the_list(api_client, contact):
    conversations = [ConversationFactory(contact=contact) for _ in range(5)]
    newest_first = [conversation.pk for conversation in reversed(conversations)]
    body = api_client.get(URL, {"limit": 2, "offset": 2}).json()
    assert ([item["id"] for item in body["data"]], body["total"], body["has_more"]) == (newest_first[2:4], 5, True)


def test_an_offset_past_the_end_answers_an_empty_page(api_client, contact):
    ConversationFactory(contact=contact)
    body = api_client.get(URL, {"offset": 5}).json()
    assert (body["data"], body["total"], body["has_more"]) == ([], 1, False)


@pytest.mark.parametrize(
    "params, field",
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "1.5"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": "x"}, "offset"),
    ],
)
def test_a_limit_or_offset_out_of_bounds_answers_400(api_client, params, field):
    response = api_client.get(URL, params)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert error_fields(response) == {field}


def test_limit_100_is_allowed(api_client):
    assert api_client.get(URL, {"limit": 100}).json()["limit"] == 100


@pytest.mark.parametrize("count", [1, 30])
def test_the_list_costs_the_same_number_of_queries_whatever_its_length(
    api_client, sub_account, staff_user, count, django_assert_num_queries
):
    for _ in range(count):
        ConversationFactory(contact=ContactFactory(sub_account=sub_account), assignee=staff_user, messages=1)
    api_client.get(URL)  # the key's last_used_at is written once a minute; keep that write out of the count
    # The key (with its sub-account), then the page (all of it: no count needed).
    with django_assert_num_queries(2):
        response = api_client.get(URL, {"limit": 100})
    assert len(response.json()["data"]) == count


def test_the_list_needs_a_key(anonymous_client):
    response = anonymous_client.get(URL)
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["error"]["code"] == "unauthenticated"


# --- create -----------------------------------------------------------------------------------------------


def test_creating_a_conversation_answers_201_and_its_location(api_client, contact):
    response = api_client.post(URL, {"contact_id": contact.pk, "channel": "email"}, format="json")
    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    assert body["id"].startswith("cv_")
    assert response["Location"].endswith(reverse("conversation-detail", args=[body["id"]]))
    assert api_client.get(response["Location"]).json() == body


def test_a_new_conversation_is_open_without_a_subject_or_messages(api_client, contact):
    body = api_client.post(URL, {"contact_id": contact.pk, "channel": "web_chat"}, format="json").json()
    assert (body["status"], body["subject"], body["message_count"], body["last_message_at"]) == ("open", None, 0, None)


def test_a_conversation_is_created_with_the_fields_given(api_client, contact, staff_user):
    payload = {
        "contact_id": contact.pk,
        "channel": "voice",
        "subject": "Callback",
        "status": "pending",
        "assignee": staff_user.pk,
    }
    body = api_client.post(URL, payload, format="json").json()
    assert {key: body[key] for key in ("channel", "subject", "status", "assignee")} == {
        "channel": "voice",
        "subject": "Callback",
        "status": "pending",
        "assignee": staff_user.pk,
    }


def test_a_conversation_is_created_with_its_first_message(api_client, contact):
    payload = {
        "contact_id": contact.pk,
        "channel": "sms",
        "message": {"body": "Is my order shipped?", "direction": "inbound", "sender": "contact"},
    }
    body = api_client.post(URL, payload, format="json").json()
    assert body["message_count"] == 1
    messages = api_client.get(reverse("conversation-messages", args=[body["id"]])).json()["data"]
    assert [(m["body"], m["created_at"]) for m in messages] == [("Is my order shipped?", body["last_message_at"])]


def test_creating_a_conversation_moves_the_contacts_fields(api_client, contact):
    body = api_client.post(URL, {"contact_id": contact.pk, "channel": "email"}, format="json").json()
    shown = api_client.get(reverse("contact-detail", args=[contact.pk])).json()
    assert (shown["conversation_count"], shown["last_conversation"]) == (1, body["created_at"])


def test_creating_requires_contact_id_and_channel(api_client):
    response = api_client.post(URL, {}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert error_fields(response) == {"contact_id", "channel"}


def test_a_conversation_cannot_be_created_for_another_sub_accounts_contact(
    api_client, other_sub_account, other_conversation
):
    outsider = ContactFactory(sub_account=other_sub_account)
    response = api_client.post(URL, {"contact_id": outsider.pk, "channel": "email"}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert error_fields(response) == {"contact_id"}
    assert Conversation.objects.unscoped().filter(contact=outsider).count() == 0


def test_a_conversation_for_an_unknown_contact_answers_400_naming_contact_id(api_client):
    response = api_client.post(URL, {"contact_id": "ct_nope", "channel": "email"}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["fields"] == {"contact_id": ["No contact with this id in this sub-account."]}


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"channel": "fax"}, "channel"),
        ({"channel": 1}, "channel"),
        ({"status": "snoozed"}, "status"),
        ({"subject": "s" * 256}, "subject"),
        ({"subject": 42}, "subject"),
        ({"contact_id": 42}, "contact_id"),
        ({"contact_id": "ct_\x00"}, "contact_id"),
        ({"assignee": "1"}, "assignee"),
        ({"assignee": True}, "assignee"),
        ({"message": "hello"}, "message"),
        ({"message": {"body": "", "direction": "inbound", "sender": "contact"}}, "message.body"),
        ({"message": {"body": "x" * 10_001, "direction": "inbound", "sender": "contact"}}, "message.body"),
        ({"message": {"body": 7, "direction": "inbound", "sender": "contact"}}, "message.body"),
        ({"message": {"body": "Hi", "direction": "inbound", "sender": "agent"}}, "message.sender"),
        ({"message": {"body": "Hi", "direction": "in", "sender": "contact"}}, "message.direction"),
        ({"message": {"body": "Hi", "direction": "inbound", "sender": "contact", "to": "x"}}, "message.to"),
        ({"message_count": 3}, "message_count"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_create_answers_400_naming_the_field_and_creates_nothing(api_client, contact, changes, field):
    response = api_client.post(URL, {"contact_id": contact.pk, "channel": "email", **changes}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert error_fields(response) == {field}
    assert not Conversation.objects.unscoped().exists()
    assert not Message.objects.unscoped().exists()
    assert api_client.get(reverse("contact-detail", args=[contact.pk])).json()["conversation_count"] == 0


def test_a_read_only_field_is_named_as_such(api_client, contact):
    response = api_client.post(URL, {"contact_id": contact.pk, "channel": "email", "id": "cv_mine"}, format="json")
    assert response.json()["error"]["fields"] == {"id": ["This field is read-only."]}


def test_an_assignee_from_another_sub_account_is_refused(api_client, contact, other_sub_account):
    outsider = MembershipFactory(sub_account=other_sub_account).user
    response = api_client.post(
        URL, {"contact_id": contact.pk, "channel": "email", "assignee": outsider.pk}, format="json"
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert error_fields(response) == {"assignee"}


def test_malformed_json_answers_400(api_client):
    response = api_client.post(URL, "{not json", content_type="application/json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["code"] == "malformed_json"


def test_a_json_array_body_answers_400(api_client):
    response = api_client.post(URL, [], format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_a_form_encoded_body_answers_415(api_client, contact):
    response = api_client.post(URL, {"contact_id": contact.pk, "channel": "email"})
    assert response.status_code == HTTPStatus.UNSUPPORTED_MEDIA_TYPE


# --- read -------------------------------------------------------------------------------------------------


def test_a_conversation_is_read_by_its_id(api_client, contact):
    conversation = ConversationFactory(contact=contact, messages=2)
    body = api_client.get(detail_url(conversation)).json()
    assert (body["id"], body["message_count"]) == (conversation.pk, 2)


def test_another_sub_accounts_conversation_is_not_found(api_client, other_conversation):
    response = api_client.get(detail_url(other_conversation))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("conversation_id", ["cv_01JCZZZZZZZZZZZZZZZZZZZZZZ", "nope", "%00", "cv_%00x"])
def test_an_unknown_conversation_is_not_found(api_client, conversation_id):
    response = api_client.get(reverse("conversation-detail", args=[conversation_id]))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["error"]["code"] == "not_found"


# --- change -----------------------------------------------------------------------------------------------


def test_patch_changes_the_status(api_client, contact):
    conversation = ConversationFactory(contact=contact)
    response = api_client.patch(detail_url(conversation), {"status": "resolved"}, format="json")
    assert (response.status_code, response.json()["status"]) == (HTTPStatus.OK, "resolved")
    assert Conversation.objects.unscoped().get(pk=conversation.pk).status == "resolved"


def test_patch_changes_the_subject_and_null_clears_it(api_client, contact):
    conversation = ConversationFactory(contact=contact, subject="Old")
    assert api_client.patch(detail_url(conversation), {"subject": " New "}, format="json").json()["subject"] == "New"
    assert api_client.patch(detail_url(conversation), {"subject": None}, format="json").json()["subject"] is None


def test_patch_assigns_a_staff_member_and_null_unassigns(api_client, contact, staff_user):
    conversation = ConversationFactory(contact=contact)
    url = detail_url(conversation)
    assert api_client.patch(url, {"assignee": staff_user.pk}, format="json").json()["assignee"] == staff_user.pk
    assert api_client.patch(url, {"assignee": None}, format="json").json()["assignee"] is None


@pytest.mark.parametrize("who", ["outsider", "stranger", "missing"])
def test_patch_refuses_an_assignee_who_is_not_a_staff_member_here(api_client, contact, other_sub_account, who):
    user_id = {
        "outsider": lambda: MembershipFactory(sub_account=other_sub_account).user.pk,
        "stranger": lambda: UserFactory().pk,
        "missing": lambda: 987654,
    }[who]()
    conversation = ConversationFactory(contact=contact)
    response = api_client.patch(detail_url(conversation), {"assignee": user_id}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["fields"] == {
        "assignee": ["The assignee must be an active staff member of this sub-account."]
    }
    assert Conversation.objects.unscoped().get(pk=conversation.pk).assignee_id is None


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"status": "snoozed"}, "status"),
        ({"subject": "s" * 256}, "subject"),
        ({"channel": "sms"}, "channel"),
        ({"contact_id": "ct_other"}, "contact_id"),
        ({"message_count": 0}, "message_count"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_patch_answers_400_naming_the_field_and_changes_nothing(api_client, contact, changes, field):
    conversation = ConversationFactory(contact=contact, subject="Kept")
    response = api_client.patch(detail_url(conversation), {"status": "closed", **changes}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert error_fields(response) == {field}
    stored = Conversation.objects.unscoped().get(pk=conversation.pk)
    assert (stored.status, stored.subject, stored.channel) == ("open", "Kept", "email")


def test_patch_keeps_the_message_counters(api_client, contact):
    conversation = ConversationFactory(contact=contact, messages=2)
    body = api_client.patch(detail_url(conversation), {"status": "closed"}, format="json").json()
    assert (body["message_count"], body["last_message_at"]) == (
        2,
        api_client.get(detail_url(conversation)).json()["last_message_at"],
    )


def test_patching_another_sub_accounts_conversation_is_not_found(api_client, other_conversation):
    response = api_client.patch(detail_url(other_conversation), {"status": "closed"}, format="json")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert Conversation.objects.unscoped().get(pk=other_conversation.pk).status == "open"


def test_put_is_not_allowed(api_client, contact):
    conversation = ConversationFactory(contact=contact)
    response = api_client.put(detail_url(conversation), {"status": "closed"}, format="json")
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response.json()["error"]["code"] == "method_not_allowed"


# --- delete -----------------------------------------------------------------------------------------------


def test_deleting_a_conversation_answers_204_and_removes_it_with_its_messages(api_client, contact):
    conversation = ConversationFactory(contact=contact, messages=3)
    response = api_client.delete(detail_url(conversation))
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert api_client.get(detail_url(conversation)).status_code == HTTPStatus.NOT_FOUND
    assert not Message.objects.unscoped().exists()


def test_deleting_a_conversation_moves_the_contacts_fields(api_client, contact):
    kept = ConversationFactory(contact=contact, messages=1)
    latest = ConversationFactory(contact=contact, messages=1)
    api_client.delete(detail_url(latest))
    shown = api_client.get(reverse("contact-detail", args=[contact.pk])).json()
    kept_shown = api_client.get(detail_url(kept)).json()
    assert (shown["conversation_count"], shown["last_conversation"]) == (1, kept_shown["last_message_at"])


def test_deleting_another_sub_accounts_conversation_is_not_found(api_client, other_conversation):
    response = api_client.delete(detail_url(other_conversation))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert Conversation.objects.unscoped().filter(pk=other_conversation.pk).exists()


def test_next_cursor_continues_the_list_where_the_page_ended(api_client, contact):
    conversations = [ConversationFactory(contact=contact) for _ in range(5)]
    newest_first = [conversation.pk for conversation in reversed(conversations)]
    cursor = api_client.get(URL, {"limit": 2}).json()["next_cursor"]
    assert ids(api_client.get(URL, {"limit": 2, "cursor": cursor})) == newest_first[2:4]


def test_a_cursor_is_refused_for_the_last_message_sort(api_client, contact):
    ConversationFactory(contact=contact)
    response = api_client.get(URL, {"sort": "last_message", "cursor": "abc"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert error_fields(response) == {"cursor"}
