"""JSON ⇄ merges and duplicates: types only; the rules are identity.services'."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contacts.serializers import ContactSchemaSerializer
from contacts_site.api import QueryCharField, StrictCharField, StrictIntegerField, StrictSerializer
from contacts_site.validation import NOT_BLANK_SINGLE_LINE_PATTERN
from identity.services import CHOOSABLE_FIELDS, MAX_SOURCES

CONTACT_ID_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 32, "pattern": NOT_BLANK_SINGLE_LINE_PATTERN}


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {
            "type": "string",
            "minLength": 1,
            "maxLength": 64,
            "pattern": NOT_BLANK_SINGLE_LINE_PATTERN,
        },
        "propertyNames": CONTACT_ID_SCHEMA,
        "description": "Contact id → the ETag (`version`) you read it at: the merge is refused with 409 if any "
        "changed since. Send those of the preview.",
    }
)
class VersionsField(serializers.DictField):
    pass


@extend_schema_field(
    {
        "type": "object",
        "properties": {name: CONTACT_ID_SCHEMA for name in CHOOSABLE_FIELDS},
        "additionalProperties": False,
        "description": "Field → the id of the contact (the target or a source) whose value wins. Unnamed fields "
        "follow the rule: the target's value, else the newest source's.",
    }
)
class WinnersField(serializers.DictField):
    pass


@extend_schema_field(
    {"type": "array", "items": CONTACT_ID_SCHEMA, "minItems": 1, "maxItems": MAX_SOURCES, "uniqueItems": True}
)
class SourceIdsField(serializers.ListField):
    pass


class MergeRequestSerializer(StrictSerializer):
    expected_versions = VersionsField(child=StrictCharField(), required=False)
    field_winners = WinnersField(child=StrictCharField(), required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = SourceIdsField(child=StrictCharField(), allow_empty=True)  # a keyword in Python
        return fields


class MergeParams(serializers.Serializer):
    preview = serializers.ChoiceField(choices=["true", "false"], required=False, default="false")


class DuplicateParams(serializers.Serializer):
    min_score = QueryCharField(required=False)
    limit = StrictIntegerField(min_value=1, max_value=100, default=20)
    offset = StrictIntegerField(min_value=0, max_value=1_000_000, default=0)

    def validate_min_score(self, value):
        try:
            score = float(value)
        except ValueError:
            raise serializers.ValidationError("A number from 0 to 1.") from None
        if not 0 <= score <= 1:
            raise serializers.ValidationError("A number from 0 to 1.")
        return score


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {
            "type": "object",
            "properties": {"value": {}, "from": {"type": ["string", "null"]}},
            "required": ["value", "from"],
        },
        "description": "Each field's resulting `value`, and the contact it comes `from` (null: no contact has one)",
    }
)
class FieldValuesField(serializers.DictField):
    pass


class IdentitySerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="`email` or `phone`")
    value = serializers.CharField()


class MergePreviewSerializer(serializers.Serializer):
    contact = ContactSchemaSerializer(help_text="The contact the merge would leave")
    fields = FieldValuesField()
    custom_fields = FieldValuesField()
    secondary_identities = IdentitySerializer(many=True)
    conversations_moved = serializers.IntegerField()
    versions = serializers.DictField(child=serializers.CharField(), help_text="Send back as `expected_versions`")


class MergeSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="mrg_…")
    contact_id = serializers.CharField(help_text="The surviving contact")
    source_ids = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()
    undo_until = serializers.DateTimeField()
    undone_at = serializers.DateTimeField(allow_null=True)
    changes = serializers.DictField()
    contact = ContactSchemaSerializer(help_text="The surviving contact right after the merge")


class CandidateSerializer(serializers.Serializer):
    contact = ContactSchemaSerializer()
    score = serializers.FloatField(help_text="0–1")
    reasons = serializers.ListField(child=serializers.CharField())


class CandidateListSerializer(serializers.Serializer):
    data = CandidateSerializer(many=True)


class DuplicatePairSerializer(serializers.Serializer):
    contacts = ContactSchemaSerializer(many=True)
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())


class DuplicatePairListSerializer(serializers.Serializer):
    data = DuplicatePairSerializer(many=True)
    total = serializers.IntegerField()
    limit = serializers.IntegerField()
    offset = serializers.IntegerField()
    has_more = serializers.BooleanField()
