"""The rules of conversations and messages, held by the model layer for every door (API, pages, admin)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.models import Membership
from accounts.tests.factories import MembershipFactory, UserFactory
from contacts.tests.factories import ContactFactory
from conversations import services
from conversations.models import MAX_MESSAGE_LENGTH, Conversation, Message
from conversations.tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def test_a_channel_outside_the_choices_is_refused(sub_account):
    with pytest.raises(ValidationError) as excinfo:
        ConversationFactory(contact=ContactFactory(sub_account=sub_account), channel="pigeon")
    assert list(errors_of(excinfo)) == ["channel"]


def test_a_status_outside_the_choices_is_refused(sub_account):
    with pytest.raises(ValidationError) as excinfo:
        ConversationFactory(contact=ContactFactory(sub_account=sub_account), status="snoozed")
    assert list(errors_of(excinfo)) == ["status"]


def test_a_subject_of_255_characters_is_accepted(sub_account):
    conversation = ConversationFactory(contact=ContactFactory(sub_account=sub_account), subject="s" * 255)
    assert len(conversation.subject) == 255


def test_a_subject_longer_than_255_characters_is_refused(sub_account):
    with pytest.raises(ValidationError) as excinfo:
        ConversationFactory(contact=ContactFactory(sub_account=sub_account), subject="s" * 256)
    assert list(errors_of(excinfo)) == ["subject"]


def test_a_subject_is_stored_trimmed(sub_account):
    conversation = ConversationFactory(contact=ContactFactory(sub_account=sub_account), subject="  Refund  ")
    assert conversation.subject == "Refund"


def test_a_subject_with_a_nul_character_is_refused(sub_account):
    with pytest.raises(ValidationError) as excinfo:
        ConversationFactory(contact=ContactFactory(sub_account=sub_account), subject="a\x00b")
    assert list(errors_of(excinfo)) == ["subject"]


def test_a_contact_of_another_sub_account_is_refused(sub_account, other_sub_account):
    with pytest.raises(ValidationError) as excinfo:
        services.conversation_create(
            sub_account=sub_account, contact=ContactFactory(sub_account=other_sub_account), channel="email"
        )
    assert list(errors_of(excinfo)) == ["contact"]
    assert not Conversation.objects.unscoped().exists()


def test_a_member_of_the_sub_account_can_be_assigned(sub_account, staff_user):
    conversation = ConversationFactory(contact=ContactFactory(sub_account=sub_account), assignee=staff_user)
    assert conversation.assignee == staff_user


def test_a_member_of_another_sub_account_cannot_be_assigned(sub_account, other_sub_account):
    outsider = MembershipFactory(sub_account=other_sub_account).user
    with pytest.raises(ValidationError) as excinfo:
        ConversationFactory(contact=ContactFactory(sub_account=sub_account), assignee=outsider)
    assert list(errors_of(excinfo)) == ["assignee"]


def test_a_user_without_any_membership_cannot_be_assigned(sub_account):
    with pytest.raises(ValidationError) as excinfo:
        ConversationFactory(contact=ContactFactory(sub_account=sub_account), assignee=UserFactory())
    assert list(errors_of(excinfo)) == ["assignee"]


def test_a_deactivated_member_cannot_be_assigned(sub_account):
    user = UserFactory(is_active=False)
    MembershipFactory(user=user, sub_account=sub_account, role=Membership.Role.AGENT)
    with pytest.raises(ValidationError) as excinfo:
        ConversationFactory(contact=ContactFactory(sub_account=sub_account), assignee=user)
    assert list(errors_of(excinfo)) == ["assignee"]


@pytest.fixture
def conversation(sub_account):
    return ConversationFactory(contact=ContactFactory(sub_account=sub_account))


def add_message(conversation, body="Hello", direction="inbound", sender="contact"):
    return services.message_create(conversation=conversation, body=body, direction=direction, sender=sender)


def test_a_body_of_one_character_is_accepted(conversation):
    assert add_message(conversation, body="?").body == "?"


def test_a_body_of_10000_characters_is_accepted(conversation):
    assert len(add_message(conversation, body="x" * MAX_MESSAGE_LENGTH).body) == MAX_MESSAGE_LENGTH


@pytest.mark.parametrize(
    "body",
    ["", "   \n\t ", "x" * (MAX_MESSAGE_LENGTH + 1), "a\x00b"],
    ids=["empty", "whitespace only", "10001 characters", "NUL character"],
)
def test_a_bad_body_is_refused(conversation, body):
    with pytest.raises(ValidationError) as excinfo:
        add_message(conversation, body=body)
    assert list(errors_of(excinfo)) == ["body"]


def test_a_body_is_stored_as_written_with_its_spaces(conversation):
    assert add_message(conversation, body="  indented\n").body == "  indented\n"


@pytest.mark.parametrize("field, value", [("direction", "sideways"), ("sender", "robot")])
def test_a_direction_or_sender_outside_the_choices_is_refused(conversation, field, value):
    values = {"direction": "inbound", "sender": "contact", field: value}
    with pytest.raises(ValidationError) as excinfo:
        add_message(conversation, **values)
    assert list(errors_of(excinfo)) == [field]


@pytest.mark.parametrize("direction, sender", [("inbound", "agent"), ("inbound", "bot"), ("outbound", "contact")])
def test_a_direction_that_contradicts_the_sender_is_refused(conversation, direction, sender):
    with pytest.raises(ValidationError) as excinfo:
        add_message(conversation, direction=direction, sender=sender)
    assert list(errors_of(excinfo)) == ["sender"]


@pytest.mark.parametrize("direction, sender", [("inbound", "contact"), ("outbound", "agent"), ("outbound", "bot")])
def test_a_direction_that_matches_the_sender_is_accepted(conversation, direction, sender):
    assert add_message(conversation, direction=direction, sender=sender).pk


def test_the_database_itself_refuses_an_outbound_message_from_the_contact(conversation):
    with pytest.raises(IntegrityError):
        Message.objects.create(
            sub_account=conversation.sub_account,
            conversation=conversation,
            body="Hi",
            direction=Message.Direction.OUTBOUND,
            sender=Message.Sender.CONTACT,
        )


def test_a_conversation_reads_as_its_subject_or_its_channel(sub_account):
    contact = ContactFactory(sub_account=sub_account)
    assert str(ConversationFactory(contact=contact, subject="Refund")) == "Refund"
    assert str(ConversationFactory(contact=contact, subject="", channel="web_chat")) == "Web Chat conversation"


@pytest.mark.parametrize("field", ["last_activity_at", "created_at", "updated_at"])
def test_sorting_by_a_column_that_is_never_null_adds_no_nulls_clause(field):
    # PostgreSQL's DESC indexes put NULLs first; asking for NULLS LAST on these would bypass the index.
    assert "NULLS" not in str(Conversation.objects.unscoped().sorted_by(field, descending=True).query)
