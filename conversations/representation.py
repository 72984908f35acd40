"""Conversations and messages as every door shows them: the API's answers and the webhook events."""

from contacts_site.api import iso_datetime
from conversations.models import Conversation, Message


def conversation_to_dict(conversation: Conversation) -> dict:
    """The conversation as the API returns it; reads no related row (ids only), so lists cost no joins."""
    return {
        "id": conversation.id,
        "contact_id": conversation.contact_id,
        "channel": conversation.channel,
        "status": conversation.status,
        "subject": conversation.subject or None,
        "assignee": conversation.assignee_id,
        "created_at": iso_datetime(conversation.created_at),
        "updated_at": iso_datetime(conversation.updated_at),
        "last_message_at": iso_datetime(conversation.last_message_at),
        "message_count": conversation.message_count,
    }


def message_to_dict(message: Message) -> dict:
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "direction": message.direction,
        "sender": message.sender,
        "body": message.body,
        "created_at": iso_datetime(message.created_at),
    }
