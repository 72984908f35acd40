from rest_framework import serializers

from contacts.serializers import _iso
from conversations.models import Conversation


def conversation_to_dict(conversation: Conversation) -> dict:
    return {
        "id": conversation.id,
        "contact_id": conversation.contact_id,
        "channel": conversation.channel,
        "status": conversation.status,
        "subject": conversation.subject or None,
        "assignee": conversation.assignee_id,
        "created_at": _iso(conversation.created_at),
        "updated_at": _iso(conversation.updated_at),
        "last_message_at": _iso(conversation.last_message_at),
        "message_count": conversation.message_count,
    }


class ConversationSchemaSerializer(serializers.Serializer):
    id = serializers.CharField()
    contact_id = serializers.CharField()
    channel = serializers.ChoiceField(choices=Conversation.Channel.choices)
    status = serializers.ChoiceField(choices=Conversation.Status.choices)
    subject = serializers.CharField(allow_null=True)
    assignee = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    last_message_at = serializers.DateTimeField(allow_null=True)
    message_count = serializers.IntegerField()
