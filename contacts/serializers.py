"""JSON ⇄ contact. These translate and check JSON types; the field rules live in the model layer."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contacts.validators import (
    MAX_CUSTOM_FIELD_KEY_LENGTH,
    MAX_CUSTOM_FIELDS,
    MAX_TAG_LENGTH,
    MAX_TAGS,
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
    tags = serializers.ListField(
        child=TagField(trim_whitespace=False, max_length=MAX_TAG_LENGTH),
        required=False,
        allow_empty=True,
        max_length=MAX_TAGS,
    )
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
