"""Factories that write through the services, so every conversation they make has exact derived fields."""

import factory

from contacts.tests.factories import ContactFactory
from conversations import services
from conversations.models import Conversation, Message


class ConversationFactory(factory.django.DjangoModelFactory):
    """A conversation of its contact's sub-account; `ConversationFactory(messages=3)` adds three messages."""

    class Meta:
        model = Conversation
        skip_postgeneration_save = True

    contact = factory.SubFactory(ContactFactory)
    sub_account = factory.LazyAttribute(lambda conversation: conversation.contact.sub_account)
    channel = Conversation.Channel.EMAIL
    status = Conversation.Status.OPEN
    subject = factory.Faker("sentence", nb_words=4)
    assignee = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.conversation_create(**kwargs)

    @factory.post_generation
    def messages(conversation, create, extracted, **kwargs):
        for number in range(extracted or 0):
            MessageFactory(conversation=conversation, body=f"Message {number + 1}")


class MessageFactory(factory.django.DjangoModelFactory):
    """An inbound message from the contact; pass `direction="outbound", sender="agent"` for a reply."""

    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    body = factory.Faker("sentence")
    direction = Message.Direction.INBOUND
    sender = Message.Sender.CONTACT

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.message_create(**kwargs)
