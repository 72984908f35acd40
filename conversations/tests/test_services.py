"""The services keep the derived fields exact: the contact's count and last conversation, the
conversation's count and last message."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from contacts_site.errors import NotFound
from conversations import services
from conversations.models import Conversation, Message
from conversations.tests.factories import ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db


def fresh(instance):
    return type(instance).objects.for_account(instance.sub_account_id).get(pk=instance.pk)


def test_a_new_contact_has_no_conversations(contact):
    assert (contact.conversation_count, contact.last_conversation) == (0, None)


def test_creating_a_conversation_counts_it_on_the_contact(contact):
    ConversationFactory(contact=contact)
    ConversationFactory(contact=contact)
    assert fresh(contact).conversation_count == 2


def test_a_conversation_without_messages_makes_its_creation_the_contacts_last_conversation(contact):
    conversation = ConversationFactory(contact=contact)
    assert fresh(contact).last_conversation == conversation.created_at
    assert (conversation.message_count, conversation.last_message_at) == (0, None)


def test_the_contact_instance_given_to_create_is_brought_up_to_date(contact):
    ConversationFactory(contact=contact)
    assert contact.conversation_count == 1


def test_a_first_message_is_created_with_the_conversation(contact, sub_account):
    conversation = services.conversation_create(
        sub_account=sub_account,
        contact=contact,
        channel="sms",
        first_message={"body": "Hi there", "direction": "inbound", "sender": "contact"},
    )
    message = conversation.messages.get()
    assert (message.body, message.sub_account_id) == ("Hi there", sub_account.pk)
    assert (conversation.message_count, conversation.last_message_at) == (1, message.created_at)
    assert fresh(contact).last_conversation == message.created_at


def test_a_refused_first_message_leaves_nothing_behind(contact, sub_account):
    with pytest.raises(ValidationError) as excinfo:
        services.conversation_create(
            sub_account=sub_account,
            contact=contact,
            channel="sms",
            first_message={"body": "", "direction": "inbound", "sender": "contact", "extra": 1},
        )
    assert set(excinfo.value.message_dict) == {"message.body", "message.extra"}
    assert not Conversation.objects.unscoped().exists()
    assert fresh(contact).conversation_count == 0


def test_a_conversation_error_and_a_message_error_are_reported_together(contact, sub_account):
    with pytest.raises(ValidationError) as excinfo:
        services.conversation_create(
            sub_account=sub_account,
            contact=contact,
            channel="fax",
            first_message={"body": "Hi", "direction": "inbound", "sender": "agent"},
        )
    assert set(excinfo.value.message_dict) == {"channel", "message.sender"}


def test_a_message_moves_the_conversation_and_the_contact(contact):
    conversation = ConversationFactory(contact=contact)
    message = MessageFactory(conversation=conversation)
    stored = fresh(conversation)
    assert (stored.message_count, stored.last_message_at) == (1, message.created_at)
    assert fresh(contact).last_conversation == message.created_at


def test_the_conversation_instance_given_to_message_create_is_brought_up_to_date(contact):
    conversation = ConversationFactory(contact=contact)
    message = MessageFactory(conversation=conversation)
    assert (conversation.message_count, conversation.last_message_at) == (1, message.created_at)


def test_a_message_in_an_older_conversation_makes_it_the_latest_activity(contact):
    older = ConversationFactory(contact=contact)
    ConversationFactory(contact=contact)
    message = MessageFactory(conversation=older)
    assert fresh(contact).last_conversation == message.created_at
    assert Conversation.objects.unscoped().for_contact(contact).by_recent_activity().first() == older


def test_messages_count_up_one_by_one(contact):
    conversation = ConversationFactory(contact=contact, messages=3)
    assert fresh(conversation).message_count == 3 == conversation.messages.count()


def test_last_conversation_never_moves_backwards(contact):
    # A clock a little behind another server's must not pull the contact's latest activity back in time.
    ConversationFactory(contact=contact)
    future = fresh(contact).last_conversation + timedelta(hours=1)
    Contact.objects.unscoped().filter(pk=contact.pk).update(last_conversation=future)
    MessageFactory(conversation=Conversation.objects.unscoped().get(contact=contact))
    assert fresh(contact).last_conversation == future


def test_a_refused_message_changes_nothing(contact):
    conversation = ConversationFactory(contact=contact)
    before = fresh(contact).last_conversation
    with pytest.raises(ValidationError):
        MessageFactory(conversation=conversation, body="")
    assert (fresh(conversation).message_count, fresh(contact).last_conversation) == (0, before)
    assert not Message.objects.unscoped().exists()


def test_deleting_the_latest_conversation_falls_back_to_the_one_before(contact):
    earlier = ConversationFactory(contact=contact, messages=1)
    latest = ConversationFactory(contact=contact, messages=2)
    services.conversation_delete(conversation=latest)
    stored = fresh(contact)
    assert (stored.conversation_count, stored.last_conversation) == (1, fresh(earlier).last_message_at)


def test_deleting_an_older_conversation_keeps_the_latest_activity(contact):
    earlier = ConversationFactory(contact=contact)
    latest = ConversationFactory(contact=contact, messages=1)
    services.conversation_delete(conversation=earlier)
    assert fresh(contact).last_conversation == fresh(latest).last_message_at


def test_deleting_the_only_conversation_clears_the_contacts_fields(contact):
    conversation = ConversationFactory(contact=contact, messages=2)
    services.conversation_delete(conversation=conversation)
    stored = fresh(contact)
    assert (stored.conversation_count, stored.last_conversation) == (0, None)
    assert not Message.objects.unscoped().exists()


def test_deleting_a_conversation_leaves_other_contacts_alone(sub_account, contact):
    other = ContactFactory(sub_account=sub_account)
    ConversationFactory(contact=other, messages=1)
    before = fresh(other)
    services.conversation_delete(conversation=ConversationFactory(contact=contact))
    after = fresh(other)
    assert (after.conversation_count, after.last_conversation) == (before.conversation_count, before.last_conversation)


def test_an_update_changes_only_the_fields_given(contact):
    conversation = ConversationFactory(contact=contact, subject="Refund", status="open")
    services.conversation_update(conversation=conversation, status="resolved")
    stored = fresh(conversation)
    assert (stored.status, stored.subject) == ("resolved", "Refund")


def test_an_update_from_a_stale_copy_does_not_undo_the_messages_since(contact):
    stale = ConversationFactory(contact=contact)
    MessageFactory(conversation=Conversation.objects.unscoped().get(pk=stale.pk))
    services.conversation_update(conversation=stale, subject="Still here")
    assert fresh(stale).message_count == 1


def test_an_update_can_unassign(contact, staff_user):
    conversation = ConversationFactory(contact=contact, assignee=staff_user)
    services.conversation_update(conversation=conversation, assignee=None)
    assert fresh(conversation).assignee is None


def test_a_refused_update_changes_nothing(contact):
    conversation = ConversationFactory(contact=contact, subject="Refund")
    with pytest.raises(ValidationError):
        services.conversation_update(conversation=conversation, subject="New", status="snoozed")
    assert (fresh(conversation).subject, fresh(conversation).status) == ("Refund", "open")


def test_a_message_to_a_deleted_conversation_is_refused_as_missing(contact):
    conversation = ConversationFactory(contact=contact)
    Conversation.objects.unscoped().filter(pk=conversation.pk).delete()
    with pytest.raises(NotFound):
        MessageFactory(conversation=conversation)
    assert not Message.objects.unscoped().exists()


def test_a_conversation_for_a_contact_erased_meanwhile_is_refused(contact, sub_account):
    Contact.objects.unscoped().filter(pk=contact.pk).delete()
    with pytest.raises(ValidationError) as excinfo:
        services.conversation_create(sub_account=sub_account, contact=contact, channel="email")
    assert list(excinfo.value.message_dict) == ["contact_id"]


def test_a_conversation_whose_assignee_left_the_sub_account_can_still_change_status(contact, staff_user):
    conversation = ConversationFactory(contact=contact, assignee=staff_user)
    staff_user.memberships.all().delete()
    services.conversation_update(conversation=conversation, status="resolved")
    stored = fresh(conversation)
    assert (stored.status, stored.assignee) == ("resolved", staff_user)


def test_a_conversation_cannot_be_reassigned_to_someone_who_left(contact, staff_user, admin_user_of_account):
    conversation = ConversationFactory(contact=contact, assignee=staff_user)
    services.conversation_update(conversation=conversation, assignee=admin_user_of_account)
    staff_user.memberships.all().delete()
    with pytest.raises(ValidationError) as excinfo:
        services.conversation_update(conversation=conversation, assignee=staff_user)
    assert list(excinfo.value.message_dict) == ["assignee"]
