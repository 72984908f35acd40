"""JSON ⇄ contact. These translate and check JSON types; the field rules live in the model layer."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contacts.validators import (
    MAX_CUSTOM_FIELD_KEY_LENGTH,
    MAX_CUSTOM_FIELDS,
    MAX_TAG_LENGTH,
)
from contacts_site.api import (
    ModelCheckedTextField,
    StrictCharField,
    StrictSerializer,
)
from contacts_site.validation import MULTI_LINE_PATTERN, NOT_BLANK_SINGLE_LINE_PATTERN, SINGLE_LINE_PATTERN

CONTACT_WRITABLE_FIELDS = ("name", "email", "phone", "tags", "custom_fields")
CONTACT_READ_ONLY_FIELDS = ("id", "created_at", "updated_at", "last_conversation", "conversation_count")


MAX_NAME_LENGTH = 255
MAX_EMAIL_LENGTH = 254
MAX_PHONE_INPUT_LENGTH = 64


@extend_schema_field(
    {"type": "string", "minLength": 1, "maxLength": MAX_NAME_LENGTH, "pattern": NOT_BLANK_SINGLE_LINE_PATTERN},
)
class NameField(ModelCheckedTextField):
    pass


@extend_schema_field(
    {
        "type": "string",
        "format": "email",
        "maxLength": MAX_EMAIL_LENGTH,
        "description": "Stored lowercased; unique per sub-account. null removes it.",
    }
)
class EmailInputField(StrictCharField):
    pass


@extend_schema_field(
    {
        "type": "string",
        "format": "phone",
        "maxLength": MAX_PHONE_INPUT_LENGTH,
        "description": "A real phone number in any usual format (`+1 415-555-2671`, or national in the "
        "sub-account's region); stored as E.164. Format `phone`: the number must exist in its numbering plan, "
        "which no pattern can say. null removes it.",
    }
)
class PhoneInputField(StrictCharField):
    pass


@extend_schema_field(
    {"type": "string", "minLength": 1, "maxLength": MAX_TAG_LENGTH, "pattern": NOT_BLANK_SINGLE_LINE_PATTERN}
)
class TagField(ModelCheckedTextField):
    pass


@extend_schema_field(
    {
        "type": "object",
        "maxProperties": MAX_CUSTOM_FIELDS,
        "propertyNames": {"minLength": 1, "maxLength": MAX_CUSTOM_FIELD_KEY_LENGTH, "pattern": SINGLE_LINE_PATTERN},
        "additionalProperties": {
            "anyOf": [
                {"type": "string", "pattern": MULTI_LINE_PATTERN},
                {"type": "number"},
                {"type": "boolean"},
                {"type": "null"},
            ],
        },
        "description": "Up to 100 keys (1–64 characters) holding a string, number, boolean or null; 16 KB in "
        "all. On PATCH the object merges into the stored one and null removes a key.",
    }
)
class CustomFieldsField(serializers.DictField):
    pass


class ContactWriteSerializer(StrictSerializer):
    read_only_names = CONTACT_READ_ONLY_FIELDS

    # Formats and normalization are the model's (Contact.clean_fields); here JSON types and the raw sizes
    # the schema promises, checked before trimming so that the schema and the server agree exactly.
    name = NameField(trim_whitespace=False, max_length=MAX_NAME_LENGTH)
    email = EmailInputField(
        required=False, allow_null=True, allow_blank=True, trim_whitespace=False, max_length=MAX_EMAIL_LENGTH
    )
    phone = PhoneInputField(
        required=False, allow_null=True, allow_blank=True, trim_whitespace=False, max_length=MAX_PHONE_INPUT_LENGTH
    )
    # No length limits here: the model layer checks each tag and the de-duplicated count, with one message
    # under "tags" whichever item is wrong (the schema still states them, from the same constants).
    tags = serializers.ListField(child=TagField(trim_whitespace=False), required=False, allow_empty=True)
    custom_fields = CustomFieldsField(child=serializers.JSONField(allow_null=True), required=False, allow_empty=True)


class ContactSchemaSerializer(serializers.Serializer):
    """Documents the response shape of `contact_to_dict` for the OpenAPI schema."""

    id = serializers.CharField(help_text="Opaque id, e.g. ct_01JC…")
    name = serializers.CharField()
    email = serializers.EmailField(allow_null=True)
    phone = serializers.CharField(allow_null=True, help_text="E.164")
    tags = serializers.ListField(child=serializers.CharField())
    custom_fields = serializers.DictField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    last_conversation = serializers.DateTimeField(allow_null=True)
    conversation_count = serializers.IntegerField()


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "enum": ["email", "phone"]},
        "minItems": 1,
        "maxItems": 2,
        "uniqueItems": True,
        "description": "What identifies the person, in the order tried: `email` (lowercased), `phone` (E.164), or "
        'both. Default `["email", "phone"]`.',
    }
)
class MatchField(serializers.ListField):
    pass


class ContactUpsertSerializer(ContactWriteSerializer):
    """A contact's fields, every one optional (a new contact still needs a name), and the match rule."""

    match = MatchField(child=StrictCharField(), required=False)


class ContactUpsertBatchSerializer(StrictSerializer):
    items = serializers.ListField(
        # Any JSON per item: an item that is no upsert body is answered 400 in its place, the others still run.
        child=serializers.JSONField(allow_null=True),
        min_length=1,
        max_length=100,
        help_text="Up to 100 upsert bodies, answered in order.",
    )


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {
            "type": "object",
            "properties": {"from": {}, "to": {}},
            "required": ["from", "to"],
        },
        "description": "`{field: {from, to}}` for each field the upsert changed",
    }
)
class ChangesField(serializers.DictField):
    pass


class ContactUpsertResultSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=["created", "updated", "unchanged"])
    contact = ContactSchemaSerializer()
    changes = ChangesField()


class ContactUpsertBatchItemSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The item's position in the request")
    status = serializers.IntegerField(help_text="What this item alone would have answered: 201, 200, 400 or 409")
    result = serializers.ChoiceField(choices=["created", "updated", "unchanged"], required=False)
    contact = ContactSchemaSerializer(required=False)
    changes = ChangesField(required=False)
    error = serializers.DictField(required=False, help_text="The API's error shape, for an item refused")


class ContactUpsertBatchResultSerializer(serializers.Serializer):
    data = ContactUpsertBatchItemSerializer(many=True)
