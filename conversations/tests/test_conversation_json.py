"""One description of the JSON: `conversation_to_dict` and `message_to_dict` answer what their schema
serializers document."""

import pytest

from accounts.tests.factories import MembershipFactory, UserFactory
from contacts.tests.factories import ContactFactory
from contacts_site.tests.json_shapes import shape_mismatches
from conversations.serializers import ConversationSchemaSerializer, MessageSchemaSerializer
from conversations.tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/conversations"


@pytest.fixture
def contact(sub_account):
    return ContactFactory(sub_account=sub_account)


def test_a_conversation_with_every_field_set_answers_exactly_the_documented_fields(api_client, sub_account, contact):
    agent = UserFactory()
    MembershipFactory(user=agent, sub_account=sub_account)
    conversation = ConversationFactory(contact=contact, subject="Order #1234", assignee=agent, messages=1)

    answer = api_client.get(f"{URL}/{conversation.pk}").json()

    assert shape_mismatches(answer, ConversationSchemaSerializer()) == []
    assert None not in answer.values()


def test_a_new_conversation_without_subject_or_messages_answers_exactly_the_documented_fields(api_client, contact):
    answer = api_client.post(URL, {"contact_id": contact.pk, "channel": "sms"}, format="json").json()

    assert shape_mismatches(answer, ConversationSchemaSerializer()) == []


def test_the_messages_of_a_thread_answer_exactly_the_documented_fields(api_client, contact):
    conversation = ConversationFactory(contact=contact, messages=2)

    data = api_client.get(f"{URL}/{conversation.pk}/messages").json()["data"]

    assert len(data) == 2
    assert [shape_mismatches(message, MessageSchemaSerializer()) for message in data] == [[], []]
