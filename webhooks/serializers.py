"""JSON ⇄ endpoints and deliveries. Field rules live in the model (Endpoint.clean_fields, validators)."""

import json

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contacts_site.api import ModelCheckedTextField, StrictCharField, StrictSerializer, iso_datetime
from webhooks.events import ALL_EVENTS, EVENT_TYPES
from webhooks.models import Delivery, DeliveryAttempt, Endpoint
from webhooks.targets import MAX_URL_LENGTH

ENDPOINT_READ_ONLY_FIELDS = ("id", "secret", "disabled_reason", "disabled_at", "created_at", "updated_at")


def endpoint_to_dict(endpoint: Endpoint) -> dict:
    """An endpoint as the API returns it: never its secret (only the creation and rotation answers carry it)."""
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "events": endpoint.events,
        "description": endpoint.description,
        "enabled": endpoint.enabled,
        "disabled_reason": endpoint.disabled_reason or None,
        "disabled_at": iso_datetime(endpoint.disabled_at),
        "created_at": iso_datetime(endpoint.created_at),
        "updated_at": iso_datetime(endpoint.updated_at),
    }


def attempt_to_dict(attempt: DeliveryAttempt) -> dict:
    return {
        "attempted_at": iso_datetime(attempt.attempted_at),
        "status_code": attempt.status_code,
        "duration_ms": attempt.duration_ms,
        "response_excerpt": attempt.response_excerpt,
        "error": attempt.error or None,
        "next_retry_at": iso_datetime(attempt.next_retry_at),
    }


def delivery_to_dict(delivery: Delivery, *, with_payload: bool = False) -> dict:
    data = {
        "id": delivery.id,
        "webhook_id": delivery.endpoint_id,
        "event_id": delivery.event_id,
        "event_type": delivery.event.type,
        "status": delivery.status,
        "attempt_count": delivery.attempt_count,
        "next_attempt_at": iso_datetime(delivery.next_attempt_at)
        if delivery.status == Delivery.Status.PENDING
        else None,
        "created_at": iso_datetime(delivery.created_at),
        "attempts": [attempt_to_dict(attempt) for attempt in delivery.attempts.all()],
    }
    if with_payload:
        data["payload"] = json.loads(delivery.event.payload)
    return data


class StrictBooleanField(serializers.BooleanField):
    """`true` or `false`, not `"yes"` or `1`: a JSON API should not guess."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


# The schema states the model's rules (what `make fuzz` holds the server to); the model enforces them.
@extend_schema_field(
    {
        "type": "string",
        "format": "webhook-url",
        "minLength": 1,
        "maxLength": MAX_URL_LENGTH,
        "description": "https://… on a public host (http and private addresses only in development), no #fragment",
    }
)
class WebhookURLField(ModelCheckedTextField):
    pass


@extend_schema_field(
    {
        "type": "array",
        "minItems": 1,
        "items": {"type": "string", "enum": [*EVENT_TYPES, ALL_EVENTS]},
        "description": f'Event types wanted: {", ".join(EVENT_TYPES)}; or ["{ALL_EVENTS}"] for all',
    }
)
class EventTypesField(serializers.ListField):
    pass


# "No NUL" as `not` rather than `pattern`: see conversations.serializers.SubjectField.
@extend_schema_field({"type": "string", "maxLength": 255, "not": {"type": "string", "pattern": "\\x00"}})
class DescriptionField(StrictCharField):
    pass


class EndpointWriteSerializer(StrictSerializer):
    read_only_names = ENDPOINT_READ_ONLY_FIELDS

    url = WebhookURLField(trim_whitespace=False)
    events = EventTypesField(child=StrictCharField(), allow_empty=True)
    description = DescriptionField(required=False, allow_blank=True, trim_whitespace=False)
    enabled = StrictBooleanField(required=False)


class EndpointSchemaSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Opaque id, e.g. wh_01JC…")
    url = serializers.CharField()
    events = serializers.ListField(child=serializers.CharField())
    description = serializers.CharField()
    enabled = serializers.BooleanField()
    disabled_reason = serializers.CharField(allow_null=True, help_text="Why it was turned off, e.g. after 410 Gone")
    disabled_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class EndpointWithSecretSchemaSerializer(EndpointSchemaSerializer):
    secret = serializers.CharField(help_text="whsec_…: shown only in this answer; keep it to verify signatures")


class AttemptSchemaSerializer(serializers.Serializer):
    attempted_at = serializers.DateTimeField()
    status_code = serializers.IntegerField(allow_null=True, help_text="null when no answer came (see `error`)")
    duration_ms = serializers.IntegerField()
    response_excerpt = serializers.CharField(help_text="The first 1 KB of the answer's body")
    error = serializers.CharField(allow_null=True, help_text="Timeout, connection error or refused destination")
    next_retry_at = serializers.DateTimeField(allow_null=True)


class DeliverySchemaSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="dlv_…")
    webhook_id = serializers.CharField()
    event_id = serializers.CharField(help_text="evt_…: also the `webhook-id` header of every attempt")
    event_type = serializers.CharField()
    status = serializers.ChoiceField(choices=Delivery.Status.choices)
    attempt_count = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    attempts = AttemptSchemaSerializer(many=True)


class DeliveryDetailSchemaSerializer(DeliverySchemaSerializer):
    payload = serializers.DictField(help_text="The JSON body sent to the endpoint")


class DeliveryListParams(serializers.Serializer):
    status = serializers.ChoiceField(choices=Delivery.Status.choices, required=False)
