"""The workspace's API doors (docs/workspace.md): `/api/v1/custom-fields` and `/api/v1/views`."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts.api import TenantScopedViewSet
from contacts import workspace_services as services
from contacts.definitions import MAX_LABEL_LENGTH, CustomFieldDefinition
from contacts.saved_views import MAX_VIEW_NAME_LENGTH, MAX_VIEW_QUERY_LENGTH, SavedView
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
        request=DefinitionUpdateSerializer(partial=True),
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


VIEW_READ_ONLY_FIELDS = ("id", "owned", "created_at", "updated_at", "url")


def view_to_dict(view: SavedView) -> dict:
    return {
        "id": view.pk,
        "name": view.name,
        "shared": view.shared,
        "owned": view.owner_id is not None,
        "position": view.position,
        "query": view.query,
        "created_at": view.created_at,
        "updated_at": view.updated_at,
    }


class ViewWriteSerializer(StrictSerializer):
    read_only_names = VIEW_READ_ONLY_FIELDS

    name = StrictCharField(max_length=MAX_VIEW_NAME_LENGTH, trim_whitespace=False)
    query = StrictCharField(max_length=MAX_VIEW_QUERY_LENGTH, trim_whitespace=False, allow_blank=True, required=False)
    position = StrictIntegerField(min_value=0, max_value=1_000_000, required=False)


class ViewSchemaSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Opaque id, e.g. sv_01JC…: `GET /api/v1/contacts?view=<id>`")
    name = serializers.CharField()
    shared = serializers.BooleanField(help_text="Always true here: a key sees and makes shared views only")
    owned = serializers.BooleanField(help_text="Made by a person on the staff pages (false: by an API key)")
    position = serializers.IntegerField(help_text="Order of the side list")
    query = serializers.CharField(
        help_text="The list's parameters, as a query string: search, tag, tag_match, custom_field…, sort, "
        "direction, columns"
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


ViewListSchema = list_envelope_schema("ViewList", ViewSchemaSerializer)


class SavedViewViewSet(TenantScopedViewSet):
    """The sub-account's shared saved views of the contact list (private ones belong to a person's pages)."""

    model = SavedView
    lookup_url_kwarg = "view_id"
    lookup_value_regex = r"[^/\x00]+"

    def scope_queryset(self, queryset):
        return queryset.visible_to(None)

    def _data(self, *, partial: bool) -> dict:
        serializer = ViewWriteSerializer(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(
        parameters=page_parameters(default_limit=100, cursor=False),
        responses={200: ViewListSchema, **error_responses(400, 401)},
        operation_id="views_list",
    )
    def list(self, request):
        """The shared views in their side-list order."""
        return paginated_response(request, self.get_queryset().in_order(), view_to_dict, default_limit=100)

    @extend_schema(
        request=ViewWriteSerializer,
        responses={201: ViewSchemaSerializer, **error_responses(400, 401, 415)},
        operation_id="views_create",
    )
    def create(self, request):
        """Save a named list query, shared with the sub-account. Parameters a view does not keep (paging)
        are dropped from `query`."""
        data = self._data(partial=False)
        data.pop("position", None)
        view = services.saved_view_create(sub_account=self.sub_account, owner_id=None, shared=True, **data)
        location = f"{request.build_absolute_uri('/api/v1/views/')}{view.pk}"
        return Response(view_to_dict(view), status=201, headers={"Location": location})

    @extend_schema(responses={200: ViewSchemaSerializer, **error_responses(401, 404)}, operation_id="views_retrieve")
    def retrieve(self, request, view_id=None):
        return Response(view_to_dict(self.get_object()))

    @extend_schema(
        request=ViewWriteSerializer,
        responses={200: ViewSchemaSerializer, **error_responses(400, 401, 404, 415)},
        operation_id="views_partial_update",
    )
    def partial_update(self, request, view_id=None):
        """Rename, re-query or move a view."""
        view = services.saved_view_update(view=self.get_object(), **self._data(partial=True))
        return Response(view_to_dict(view))

    @extend_schema(
        request=ViewWriteSerializer(partial=True),
        responses={200: ViewSchemaSerializer, **error_responses(400, 401, 404, 415)},
        description="Same partial meaning as PATCH.",
        operation_id="views_update",
    )
    def update(self, request, view_id=None):
        return self.partial_update(request, view_id=view_id)

    @extend_schema(responses={204: None, **error_responses(401, 404)}, operation_id="views_destroy")
    def destroy(self, request, view_id=None):
        services.saved_view_delete(view=self.get_object())
        return Response(status=204)
