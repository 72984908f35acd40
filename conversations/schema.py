"""OpenAPI: the message rule that ties two fields together, stated in the schema (Message.clean enforces it)."""

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.plumbing import force_instance

from conversations.models import Message


class MessageWriteSerializerExtension(OpenApiSerializerExtension):
    """Inbound messages come from the contact; outbound ones from an agent or a bot."""

    target_class = "conversations.serializers.MessageWriteSerializer"
    priority = 1  # before the generic StrictSerializer extension, whose `additionalProperties` it keeps

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(force_instance(self.target), direction)
        if direction == "request":
            schema["additionalProperties"] = False
            schema["oneOf"] = [
                {
                    "type": "object",
                    "required": ["direction", "sender"],
                    "properties": {
                        "direction": {"type": "string", "const": Message.Direction.INBOUND.value},
                        "sender": {"type": "string", "const": Message.Sender.CONTACT.value},
                    },
                },
                {
                    "type": "object",
                    "required": ["direction", "sender"],
                    "properties": {
                        "direction": {"type": "string", "const": Message.Direction.OUTBOUND.value},
                        # with the property's own enum: any sender but the contact
                        "sender": {"type": "string", "not": {"const": Message.Sender.CONTACT.value}},
                    },
                },
            ]
        return schema
