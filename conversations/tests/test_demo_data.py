"""The demo's conversations: realistic threads, through the services, and only once."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Max

from accounts.models import Membership
from accounts.tests.factories import MembershipFactory, SubAccountFactory, UserFactory
from contacts.tests.factories import ContactFactory
from conversations.models import Conversation, Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_contacts():
    demo = SubAccountFactory(slug="demo", name="Demo Coffee Co.")
    MembershipFactory(user=UserFactory(username="demo"), sub_account=demo, role=Membership.Role.ADMIN)
    return [ContactFactory(sub_account=demo, name=f"Customer {n}", email=f"c{n}@example.com") for n in range(20)]


def load(capsys) -> str:
    call_command("load_demo_conversations")
    return capsys.readouterr().out


def test_demo_contacts_get_conversations_with_messages(demo_contacts, capsys):
    load(capsys)
    assert Conversation.objects.unscoped().count() > 0
    assert not Conversation.objects.unscoped().filter(message_count=0).exists()
    assert Message.objects.unscoped().filter(direction="inbound").exists()
    assert Message.objects.unscoped().filter(direction="outbound").exists()


def test_demo_derived_fields_are_exact(demo_contacts, capsys):
    load(capsys)
    for contact in demo_contacts:
        contact.refresh_from_db()
        conversations = Conversation.objects.unscoped().filter(contact=contact)
        assert contact.conversation_count == conversations.count()
        assert contact.last_conversation == conversations.aggregate(last=Max("last_activity_at"))["last"]
    for conversation in Conversation.objects.unscoped().annotate(n=Count("messages"), last=Max("messages__created_at")):
        assert (conversation.message_count, conversation.last_message_at) == (conversation.n, conversation.last)


def test_loading_the_demo_twice_adds_nothing_the_second_time(demo_contacts, capsys):
    load(capsys)
    counts = (Conversation.objects.unscoped().count(), Message.objects.unscoped().count())
    output = load(capsys)
    assert (Conversation.objects.unscoped().count(), Message.objects.unscoped().count()) == counts
    assert "0 conversations, 0 messages added" in output


def test_the_demo_conversations_need_the_demo_sub_account():
    with pytest.raises(CommandError):
        call_command("load_demo_conversations")
