"""JSON ⇄ contact. These translate and check JSON types; the field rules live in the model layer."""

import re

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contacts.history import HISTORY_FIELDS, MAX_NOTE_LENGTH, Kind
from contacts.validators import (
    MAX_CUSTOM_FIELD_KEY_LENGTH,
    MAX_CUSTOM_FIELDS,
    MAX_TAG_LENGTH,
)
from contacts_site.actions import SOURCES
from contacts_site.api import (
    ModelCheckedTextField,
    StrictCharField,
    StrictSerializer,
)
from contacts_site.validation import (
    MULTI_LINE_PATTERN,
    NOT_BLANK_MULTI_LINE_PATTERN,
    NOT_BLANK_SINGLE_LINE_PATTERN,
    SINGLE_LINE_PATTERN,
)

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


# The timeline, the history of a field, notes (docs/timeline.md).
@extend_schema_field(
    {"type": "string", "minLength": 1, "maxLength": MAX_NOTE_LENGTH, "pattern": NOT_BLANK_MULTI_LINE_PATTERN}
)
class NoteBodyField(ModelCheckedTextField):
    pass


class NoteWriteSerializer(StrictSerializer):
    read_only_names = ("id", "contact_id", "author", "source", "created_at", "edited_at")

    # Length, blankness and characters are the model's rules (ContactChange.body); here only the JSON type.
    body = NoteBodyField(trim_whitespace=False)


REVERTIBLE_FIELD_PATTERN = r"^(name|email|phone|tags|custom_fields)$|^custom_fields\.[^\x00-\x1f\x7f-\x9f]{1,64}$"


@extend_schema_field(
    {
        "type": "string",
        "pattern": REVERTIBLE_FIELD_PATTERN,
        "description": "`name`, `email`, `phone`, `tags`, `custom_fields` (every key the change changed) or "
        "`custom_fields.<key>`",
    }
)
class RevertibleFieldName(StrictCharField):
    pass


ENTRY_ID_PATTERN = r"^[A-Za-z0-9_]+$"


@extend_schema_field(
    {
        "type": "string",
        "minLength": 1,
        "maxLength": 32,
        "pattern": ENTRY_ID_PATTERN,
        "description": "The id of a `created` or `changed` timeline entry (`hst_…`)",
    }
)
class EntryIdField(StrictCharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=32, **kwargs)
        self.validators.append(RegexValidator(ENTRY_ID_PATTERN, "Not a timeline entry id."))


class RevertSerializer(StrictSerializer):
    change_id = EntryIdField()
    field = RevertibleFieldName(max_length=len("custom_fields.") + MAX_CUSTOM_FIELD_KEY_LENGTH)

    def validate_field(self, value):
        if not re.fullmatch(REVERTIBLE_FIELD_PATTERN, value):
            raise serializers.ValidationError("One of name, email, phone, tags, custom_fields, custom_fields.<key>.")
        return value


class TimelineParams(serializers.Serializer):
    kind = serializers.MultipleChoiceField(choices=Kind.choices, required=False)
    source = serializers.MultipleChoiceField(choices=[(source, source) for source in SOURCES], required=False)


class HistoryParams(serializers.Serializer):
    field = serializers.ChoiceField(choices=HISTORY_FIELDS)


class ActorSchemaSerializer(serializers.Serializer):
    user_id = serializers.IntegerField(allow_null=True, help_text="The staff user who acted, if one did")
    api_key_id = serializers.IntegerField(allow_null=True, help_text="The API key that acted, if one did")
    label = serializers.CharField(help_text="Who, for people: a user's name, or `Zapier (ck_ab12cd34…)`")


class TimelineEntrySchemaSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="hst_… (a note: nt_…)")
    contact_id = serializers.CharField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    changes = serializers.DictField(
        help_text="`{field: {from, to}}` as the webhook event's `changes`; a conversation's id, channel and "
        "subject; `{}` once the contact is deleted"
    )
    body = serializers.CharField(help_text="A note's text; empty for other kinds")
    source = serializers.ChoiceField(choices=[(source, source) for source in SOURCES])
    actor = ActorSchemaSerializer()
    action_id = serializers.CharField(help_text="Shared by every entry one action recorded (act_…)")
    ref = serializers.CharField(help_text="The import (imp_…) or merge (mrg_…), or the entry a revert undid")
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)


class NoteSchemaSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="nt_…")
    contact_id = serializers.CharField()
    body = serializers.CharField()
    author = ActorSchemaSerializer()
    source = serializers.ChoiceField(choices=[(source, source) for source in SOURCES])
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)


class FieldValueSchemaSerializer(serializers.Serializer):
    change_id = serializers.CharField()
    field = serializers.ChoiceField(choices=HISTORY_FIELDS)
    # Any JSON value: a string, a list of tags, an object of custom fields, or null (a schema of no type).
    from_ = serializers.JSONField()
    to = serializers.JSONField()
    source = serializers.ChoiceField(choices=[(source, source) for source in SOURCES])
    actor = ActorSchemaSerializer()
    action_id = serializers.CharField()
    ref = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # a Python keyword
        return fields


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
