"""JSON ⇄ contact. These translate and check JSON types; the field rules live in the model layer."""

from rest_framework import serializers

from contacts.models import Contact

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


class ContactWriteSerializer(StrictSerializer):
    read_only_names = CONTACT_READ_ONLY_FIELDS

    # Lengths and formats are checked by the model (Contact.clean_fields); here only JSON types.
    name = StrictCharField(trim_whitespace=False, allow_blank=True)
    email = StrictCharField(required=False, allow_null=True, allow_blank=True, trim_whitespace=False)
    phone = StrictCharField(required=False, allow_null=True, allow_blank=True, trim_whitespace=False)
    tags = serializers.ListField(
        child=StrictCharField(allow_blank=True, trim_whitespace=False), required=False, allow_empty=True
    )
    custom_fields = serializers.DictField(
        child=serializers.JSONField(allow_null=True), required=False, allow_empty=True
    )


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
