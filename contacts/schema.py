"""OpenAPI: the upsert's rule that ties `match` to the fields it names, stated in the schema (contacts.upsert
enforces it)."""

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.plumbing import force_instance


def _matched_by(field: str) -> dict:
    """The body gives `field` a value, and `match` (when given) names it."""
    return {
        "type": "object",
        "required": [field],
        "properties": {field: {"type": "string", "minLength": 1}, "match": {"contains": {"const": field}}},
    }


class ContactUpsertSerializerExtension(OpenApiSerializerExtension):
    """An upsert needs a value to match by: an email or a phone that its `match` names (both by default)."""

    target_class = "contacts.serializers.ContactUpsertSerializer"
    priority = 1  # before the generic StrictSerializer extension, whose `additionalProperties` it keeps

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(force_instance(self.target), direction)
        if direction == "request":
            schema["additionalProperties"] = False
            schema["anyOf"] = [_matched_by("email"), _matched_by("phone")]
        return schema
