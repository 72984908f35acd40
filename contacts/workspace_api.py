"""The workspace's API doors (docs/workspace.md): `/api/v1/custom-fields` and `/api/v1/views`."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts.api import TenantScopedViewSet
from contacts import workspace_services as services
from contacts.definitions import MAX_LABEL_LENGTH, CustomFieldDefinition
from contacts.validators import FIELD_TYPES, MAX_CUSTOM_FIELD_KEY_LENGTH, MAX_FIELD_OPTION_LENGTH, MAX_FIELD_OPTIONS
from contacts_site.api import (
    StrictCharField,
    StrictIntegerField,
    StrictSerializer,
    error_responses,
    list_envelope_schema,
)
from contacts_site.pagination import page_parameters, paginated_response
from webhooks.serializers import StrictBooleanField

DEFINITION_READ_ONLY_FIELDS = ("id", "created_at", "updated_at")


def definition_to_dict(definition: CustomFieldDefinition) -> dict:
    return {
        "id": definition.pk,
        "key": definition.key,
        "label": definition.label,
        "type": definition.type,
        "options": list(definition.options),
        "show_as_column": definition.show_as_column,
        "position": definition.position,
        "created_at": definition.created_at,
        "updated_at": definition.updated_at,
    }


class DefinitionWriteSerializer(StrictSerializer):
    """Translation only: the rules are the model's (contacts.definitions)."""

    read_only_names = DEFINITION_READ_ONLY_FIELDS

    key = StrictCharField(max_length=MAX_CUSTOM_FIELD_KEY_LENGTH, trim_whitespace=False)
    label = StrictCharField(max_length=MAX_LABEL_LENGTH, trim_whitespace=False)
    type = serializers.ChoiceField(choices=list(FIELD_TYPES))
    options = serializers.ListField(
        child=StrictCharField(max_length=MAX_FIELD_OPTION_LENGTH, trim_whitespace=False),
        max_length=MAX_FIELD_OPTIONS,
        required=False,
    )
    show_as_column = StrictBooleanField(required=False)
    position = StrictIntegerField(min_value=0, max_value=1_000_000, required=False)


class DefinitionUpdateSerializer(DefinitionWriteSerializer):
    read_only_names = (*DEFINITION_READ_ONLY_FIELDS, "key")

    def get_fields(self):
        fields = super().get_fields()
        del fields["key"]  # fixed once created: it names the stored values
        return fields


class DefinitionSchemaSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Opaque id, e.g. cf_01JC…")
    key = serializers.CharField(help_text="The key in a contact's `custom_fields`")
    label = serializers.CharField()
    type = serializers.ChoiceField(choices=list(FIELD_TYPES))
    options = serializers.ListField(child=serializers.CharField(), help_text="The choices of a select type")
    show_as_column = serializers.BooleanField()
    position = serializers.IntegerField(help_text="Order on the contact page and in the column chooser")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


DefinitionListSchema = list_envelope_schema("CustomFieldList", DefinitionSchemaSerializer)


class CustomFieldViewSet(TenantScopedViewSet):
    """The sub-account's custom-field definitions: typed keys of `custom_fields` (keys without one stay free)."""

    model = CustomFieldDefinition
    lookup_url_kwarg = "field_id"
    lookup_value_regex = r"[^/\x00]+"

    def _data(self, serializer_class, *, partial: bool) -> dict:
        serializer = serializer_class(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(
        parameters=page_parameters(default_limit=100, cursor=False),
        responses={200: DefinitionListSchema, **error_responses(400, 401)},
        operation_id="custom_fields_list",
    )
    def list(self, request):
        """The definitions in their order (position, then key)."""
        return paginated_response(request, self.get_queryset().in_order(), definition_to_dict, default_limit=100)

    @extend_schema(
        request=DefinitionWriteSerializer,
        responses={201: DefinitionSchemaSerializer, **error_responses(400, 401, 415)},
        operation_id="custom_fields_create",
    )
    def create(self, request):
        """Define a key. Values already stored under it are kept as they are (docs/workspace.md)."""
        definition = services.custom_field_definition_create(
            sub_account=self.sub_account, **self._data(DefinitionWriteSerializer, partial=False)
        )
        location = f"{request.build_absolute_uri('/api/v1/custom-fields/')}{definition.pk}"
        return Response(definition_to_dict(definition), status=201, headers={"Location": location})

    @extend_schema(
        responses={200: DefinitionSchemaSerializer, **error_responses(401, 404)}, operation_id="custom_fields_retrieve"
    )
    def retrieve(self, request, field_id=None):
        return Response(definition_to_dict(self.get_object()))

    @extend_schema(
        request=DefinitionUpdateSerializer,
        responses={200: DefinitionSchemaSerializer, **error_responses(400, 401, 404, 415)},
        operation_id="custom_fields_partial_update",
    )
    def partial_update(self, request, field_id=None):
        """Change the fields given (not the key). Stored values are not rewritten: one that no longer fits is
        refused when that key is next written."""
        definition = services.custom_field_definition_update(
            definition=self.get_object(), **self._data(DefinitionUpdateSerializer, partial=True)
        )
        return Response(definition_to_dict(definition))

    @extend_schema(
        request=DefinitionUpdateSerializer,
        responses={200: DefinitionSchemaSerializer, **error_responses(400, 401, 404, 415)},
        description="Same partial meaning as PATCH.",
        operation_id="custom_fields_update",
    )
    def update(self, request, field_id=None):
        return self.partial_update(request, field_id=field_id)

    @extend_schema(responses={204: None, **error_responses(401, 404)}, operation_id="custom_fields_destroy")
    def destroy(self, request, field_id=None):
        """Forget the definition; the values stay, free-form again."""
        services.custom_field_definition_delete(definition=self.get_object())
        return Response(status=204)
