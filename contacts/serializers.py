"""JSON ⇄ contact. These translate and check JSON types; the field rules live in the model layer."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contacts.models import Contact
from contacts.validators import (
    MAX_CUSTOM_FIELD_KEY_LENGTH,
    MAX_CUSTOM_FIELDS,
    MAX_TAG_LENGTH,
    MAX_TAGS,
)

CONTACT_WRITABLE_FIELDS = ("name", "email", "phone", "tags", "custom_fields")
CONTACT_READ_ONLY_FIELDS = ("id", "created_at", "updated_at", "last_conversation", "conversation_count")


def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def contact_to_dict(contact: Contact) -> dict:
    """The contact as the API returns it. A plain function: ModelSerializer costs ~10× more per object."""
    return {
        "id": contact.id,
        "name": contact.name,
        "email": contact.email,
        "phone": contact.phone,
        "tags": contact.tag_names,
        "custom_fields": contact.custom_fields,
        "created_at": _iso(contact.created_at),
        "updated_at": _iso(contact.updated_at),
        "last_conversation": _iso(contact.last_conversation),
        "conversation_count": contact.conversation_count,
    }


class StrictCharField(serializers.CharField):
    """A JSON string and nothing else: numbers and booleans are not silently turned into text."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not know, naming read-only ones as such, instead of silently ignoring them."""

    read_only_names: tuple[str, ...] = ()

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Expected a JSON object."]})
        unknown = {}
        for key in data:
            if key not in self.fields:
                unknown[key] = ["This field is read-only." if key in self.read_only_names else "Unknown field."]
        if unknown:
            raise serializers.ValidationError(unknown)
        return super().to_internal_value(data)


# JSON Schema patterns (Python and ECMAScript read them alike) for what the model layer refuses:
# NUL characters (PostgreSQL text cannot hold them) and text that is blank once trimmed.
NO_NUL = r"^[^\x00]*$"
NOT_BLANK_NO_NUL = r"^[^\x00]*[^\s\x00][^\x00]*$"

MAX_NAME_LENGTH = 255
MAX_EMAIL_LENGTH = 254
MAX_PHONE_INPUT_LENGTH = 64


class ModelCheckedTextField(StrictCharField):
    """A string that must not be blank, where the model says so: "" goes through to the model layer, which
    reports it together with every other problem of the request (DRF would stop at the first)."""

    def run_validation(self, data=serializers.empty):
        if data == "":
            return data
        return super().run_validation(data)


@extend_schema_field(
    {"type": "string", "minLength": 1, "maxLength": MAX_NAME_LENGTH, "pattern": NOT_BLANK_NO_NUL},
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


@extend_schema_field({"type": "string", "minLength": 1, "maxLength": MAX_TAG_LENGTH, "pattern": NOT_BLANK_NO_NUL})
class TagField(ModelCheckedTextField):
    pass


@extend_schema_field(
    {
        "type": "object",
        "maxProperties": MAX_CUSTOM_FIELDS,
        "propertyNames": {"minLength": 1, "maxLength": MAX_CUSTOM_FIELD_KEY_LENGTH, "pattern": NO_NUL},
        "additionalProperties": {
            "anyOf": [
                {"type": "string", "pattern": NO_NUL},
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
