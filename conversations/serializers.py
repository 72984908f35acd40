"""JSON ⇄ conversations and messages. These check JSON types; the rules live in the model layer."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contacts_site.api import (
    ModelCheckedTextField,
    StrictCharField,
    StrictSerializer,
)
from contacts_site.validation import (
    NOT_BLANK_MULTI_LINE_PATTERN,
    SINGLE_LINE_FORBIDDEN_PATTERN,
    validate_single_line_text,
)
from conversations.models import MAX_MESSAGE_LENGTH, Conversation, Message

MAX_SUBJECT_LENGTH = Conversation._meta.get_field("subject").max_length


# The schema states the model's rules (what the fuzzer holds the server to); the model still enforces them.
@extend_schema_field(
    {"type": "string", "minLength": 1, "maxLength": MAX_MESSAGE_LENGTH, "pattern": NOT_BLANK_MULTI_LINE_PATTERN}
)
class MessageBodyField(ModelCheckedTextField):
    pass


# "No NUL" as `not` rather than `pattern`: drf-spectacular would wrap a blankable field with a pattern in a
# oneOf that "" matches twice (so "" would read as invalid, though it means "no subject").
@extend_schema_field(
    {
        "type": "string",
        "maxLength": MAX_SUBJECT_LENGTH,
        "not": {"type": "string", "pattern": SINGLE_LINE_FORBIDDEN_PATTERN},
    }
)
class SubjectField(StrictCharField):
    pass


CONVERSATION_READ_ONLY_FIELDS = ("id", "created_at", "updated_at", "last_message_at", "message_count")
MESSAGE_READ_ONLY_FIELDS = ("id", "conversation_id", "created_at")


class JSONIntegerField(serializers.IntegerField):
    """A JSON integer and nothing else: `"7"`, `7.0` and `true` are refused, not guessed at."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


def dotted_errors(detail: dict) -> dict:
    """Errors of nested objects keyed by path (`message.body`), the form the services use too."""
    flat = {}
    for key, value in detail.items():
        if isinstance(value, dict):
            for inner_key, inner_value in dotted_errors(value).items():
                flat[key if inner_key == "non_field_errors" else f"{key}.{inner_key}"] = inner_value
        else:
            flat[key] = value
    return flat


class MessageWriteSerializer(StrictSerializer):
    read_only_names = MESSAGE_READ_ONLY_FIELDS

    # The length (1–10,000) and blankness are the model's rules (Message.body); here only the JSON type.
    body = MessageBodyField(trim_whitespace=False)
    direction = serializers.ChoiceField(choices=Message.Direction.choices)
    sender = serializers.ChoiceField(choices=Message.Sender.choices)


class ConversationCreateSerializer(StrictSerializer):
    read_only_names = CONVERSATION_READ_ONLY_FIELDS

    contact_id = StrictCharField(max_length=64, validators=[validate_single_line_text])
    channel = serializers.ChoiceField(choices=Conversation.Channel.choices)
    subject = SubjectField(
        required=False, allow_blank=True, allow_null=True, trim_whitespace=False, max_length=MAX_SUBJECT_LENGTH
    )
    status = serializers.ChoiceField(choices=Conversation.Status.choices, required=False)
    assignee = JSONIntegerField(required=False, allow_null=True, help_text="User id of a staff member, or null.")
    message = MessageWriteSerializer(required=False, help_text="An optional first message, created with it.")

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            raise serializers.ValidationError(dotted_errors(error.detail)) from None


class ConversationUpdateSerializer(StrictSerializer):
    # A conversation never changes contact or channel: a new channel is a new conversation.
    read_only_names = (*CONVERSATION_READ_ONLY_FIELDS, "contact_id", "channel")

    status = serializers.ChoiceField(choices=Conversation.Status.choices, required=False)
    subject = SubjectField(
        required=False, allow_blank=True, allow_null=True, trim_whitespace=False, max_length=MAX_SUBJECT_LENGTH
    )
    assignee = JSONIntegerField(required=False, allow_null=True, help_text="User id of a staff member, or null.")


class ConversationSchemaSerializer(serializers.Serializer):
    """Documents the response shape of `conversation_to_dict` for the OpenAPI schema."""

    id = serializers.CharField(help_text="Opaque id, e.g. cv_01JC…")
    contact_id = serializers.CharField()
    channel = serializers.ChoiceField(choices=Conversation.Channel.choices)
    status = serializers.ChoiceField(choices=Conversation.Status.choices)
    subject = serializers.CharField(allow_null=True)
    assignee = serializers.IntegerField(allow_null=True, help_text="User id of the assigned staff member.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    last_message_at = serializers.DateTimeField(allow_null=True, help_text="Null until the first message.")
    message_count = serializers.IntegerField()


class MessageSchemaSerializer(serializers.Serializer):
    """Documents the response shape of `message_to_dict` for the OpenAPI schema."""

    id = serializers.CharField(help_text="Opaque id, e.g. msg_01JC…")
    conversation_id = serializers.CharField()
    direction = serializers.ChoiceField(choices=Message.Direction.choices)
    sender = serializers.ChoiceField(choices=Message.Sender.choices)
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
