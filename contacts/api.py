from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api import TenantScopedViewSet
from contacts import services
from contacts.filters import MAX_TAG_FILTER_LENGTH, SORT_FIELDS, ContactFilter
from contacts.identities import survivor_of
from contacts.models import Contact
from contacts.representation import contact_to_dict
from contacts.serializers import (
    ContactSchemaSerializer,
    ContactUpsertBatchResultSerializer,
    ContactUpsertBatchSerializer,
    ContactUpsertResultSerializer,
    ContactUpsertSerializer,
    ContactWriteSerializer,
)
from contacts.upsert import CREATED, contact_upsert, contacts_upsert
from contacts.validators import MAX_CUSTOM_FIELD_KEY_LENGTH
from contacts_site.api import (
    StrictIntegerField,
    TextCharField,
    error_responses,
    exception_handler,
    if_match_etags,
    list_envelope_schema,
)
from contacts_site.pagination import page_parameters, paginated_response
from contacts_site.validation import (
    NOT_BLANK_SINGLE_LINE_PATTERN,
    SINGLE_LINE_PATTERN,
    text_problem,
)

SEARCH_MAX_LENGTH = 255
ContactListSchema = list_envelope_schema("ContactList", ContactSchemaSerializer)


class SearchParams(serializers.Serializer):
    q = TextCharField(max_length=SEARCH_MAX_LENGTH)
    limit = StrictIntegerField(min_value=1, max_value=100, default=10)

    def validate_q(self, value):
        if problem := text_problem(value):
            raise serializers.ValidationError(problem)
        return value


LIST_PARAMETERS = [
    OpenApiParameter(
        "search",
        {"type": "string", "maxLength": SEARCH_MAX_LENGTH, "pattern": SINGLE_LINE_PATTERN},
        description="Substring of name or email, or a phone in any format; blank means no filter",
        examples=[OpenApiExample("A name", value="smith"), OpenApiExample("A phone", value="(415) 555-2671")],
    ),
    OpenApiParameter(
        "tag",
        {
            "type": "array",
            "items": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_TAG_FILTER_LENGTH,
                "pattern": SINGLE_LINE_PATTERN,
            },
        },
        style="form",
        explode=True,
        description="Repeatable; all must match",
        examples=[OpenApiExample("VIP customers", value=["vip"])],
    ),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=list(SORT_FIELDS), description="Default `created`"),
    OpenApiParameter("direction", OpenApiTypes.STR, enum=["asc", "desc"], description="Default desc (asc for `name`)"),
    OpenApiParameter(
        "custom_field",
        {
            "type": "object",
            "additionalProperties": {"type": "string", "pattern": SINGLE_LINE_PATTERN},
            "propertyNames": {"minLength": 1, "maxLength": MAX_CUSTOM_FIELD_KEY_LENGTH, "pattern": SINGLE_LINE_PATTERN},
        },
        style="deepObject",
        explode=True,
        description="Contacts whose custom field equals the value: `custom_field[plan]=pro` (or "
        "`custom_field.plan=pro`). A number or boolean written as text also matches that number or boolean "
        "(`custom_field[seats]=12`); several keys must all match.",
        examples=[OpenApiExample("On the pro plan", value={"plan": "pro"})],
    ),
]
ETAG_HEADER = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201],
    required=True,
    description="The contact's current version; send it back in If-Match to write only if nobody changed it.",
)
IF_MATCH_HEADER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Optional: an ETag from a GET. The write happens only if the contact is still that version, "
    "else 412 `precondition_failed`. `*` matches any version.",
)
PAGE_PARAMETERS = page_parameters(default_limit=25)

CREATE_EXAMPLE = OpenApiExample(
    "A contact with custom data",
    value={
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "phone": "+1 415-555-2671",
        "tags": ["vip"],
        "custom_fields": {"company": "Acme", "plan": "pro"},
    },
    request_only=True,
)
TAGS_EXAMPLE = OpenApiExample("Replace the tags", value={"tags": ["vip", "frequent"]}, request_only=True)
CUSTOM_FIELDS_EXAMPLE = OpenApiExample(
    "Set one custom field, remove another",
    value={"custom_fields": {"plan": "enterprise", "trial": None}},
    request_only=True,
)

UPSERT_EXAMPLE = OpenApiExample(
    "Match by email, then phone",
    value={"match": ["email", "phone"], "name": "Ada Lovelace", "email": "Ada@Example.com", "tags": ["lead"]},
    request_only=True,
)


class MergedIntoSchema(serializers.Serializer):
    merged_into = serializers.CharField(help_text="The id of the contact this one was merged into")
    merge_id = serializers.CharField(help_text="The merge (undo it with POST /api/v1/merges/{merge_id}/undo)")


class ContactViewSet(TenantScopedViewSet):
    model = Contact
    lookup_url_kwarg = "contact_id"
    lookup_value_regex = r"[^/\x00]+"  # a NUL can reach neither PostgreSQL nor the 404

    def scope_queryset(self, queryset):
        return queryset.with_tags()

    def _write_data(self, *, partial: bool) -> dict:
        serializer = ContactWriteSerializer(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(
        parameters=[*LIST_PARAMETERS, *PAGE_PARAMETERS],
        responses={200: ContactListSchema, **error_responses(400, 401)},
    )
    def list(self, request):
        """List the sub-account's contacts, filtered, sorted and paginated."""
        filterset = ContactFilter(request.query_params, queryset=self.get_queryset(), sub_account=self.sub_account)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return paginated_response(
            request,
            filterset.qs,
            contact_to_dict,
            total=filterset.exact_total,
            count_queryset=filterset.count_queryset,
        )

    def _contact_response(self, contact: Contact, status: int = 200, headers: dict | None = None) -> Response:
        return Response(contact_to_dict(contact), status=status, headers={"ETag": contact.etag, **(headers or {})})

    @extend_schema(
        request=ContactWriteSerializer,
        parameters=[ETAG_HEADER],
        responses={201: ContactSchemaSerializer, **error_responses(400, 401, 409, 415)},
        examples=[CREATE_EXAMPLE],
    )
    def create(self, request):
        """Create a contact. A second contact with the same email answers 409 naming the existing one."""
        contact = services.contact_create(sub_account=self.sub_account, **self._write_data(partial=False))
        location = f"{request.build_absolute_uri('/api/v1/contacts/')}{contact.pk}"
        return self._contact_response(contact, status=201, headers={"Location": location})

    @extend_schema(
        parameters=[ETAG_HEADER],
        responses={200: ContactSchemaSerializer, 308: MergedIntoSchema, **error_responses(401, 404)},
    )
    def retrieve(self, request, contact_id=None):
        """A contact. An id merged into another contact answers 308 with the survivor's address (Location) and
        `merged_into`, until the merge is undone."""
        try:
            return self._contact_response(self.get_object())
        except Http404:
            tombstone = survivor_of(self.sub_account.pk, contact_id)
            if tombstone is None:
                raise
        location = f"{request.build_absolute_uri('/api/v1/contacts/')}{tombstone.survivor_id}"
        body = {"merged_into": tombstone.survivor_id, "merge_id": tombstone.merge_id}
        return Response(body, status=308, headers={"Location": location})

    @extend_schema(
        request=ContactWriteSerializer,
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
        responses={200: ContactSchemaSerializer, **error_responses(400, 401, 404, 409, 412, 415)},
        examples=[TAGS_EXAMPLE, CUSTOM_FIELDS_EXAMPLE],
    )
    def partial_update(self, request, contact_id=None):
        """Change only the fields given: `tags` replaces the set, `custom_fields` merges (null removes a key)."""
        contact = services.contact_update(
            contact=self.get_object(), if_match=if_match_etags(request), **self._write_data(partial=True)
        )
        return self._contact_response(contact)

    @extend_schema(
        request=ContactWriteSerializer(partial=True),
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
        responses={200: ContactSchemaSerializer, **error_responses(400, 401, 404, 409, 412, 415)},
        description="Same partial meaning as PATCH: every field of a contact is optional.",
    )
    def update(self, request, contact_id=None):
        return self.partial_update(request, contact_id=contact_id)

    @extend_schema(parameters=[IF_MATCH_HEADER], responses={204: None, **error_responses(401, 404, 412)})
    def destroy(self, request, contact_id=None):
        services.contact_delete(contact=self.get_object(), if_match=if_match_etags(request))
        return Response(status=204)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": SEARCH_MAX_LENGTH,
                    "pattern": NOT_BLANK_SINGLE_LINE_PATTERN,
                },
                required=True,
                description="Name, email or phone (any format)",
            ),
            page_parameters(default_limit=10)[0],
        ],
        responses={
            200: inline_serializer("ContactSearchResult", {"data": ContactSchemaSerializer(many=True)}),
            **error_responses(400, 401),
        },
        operation_id="contacts_search",
    )
    @action(detail=False, methods=["get"])
    def search(self, request):
        """Find contacts by name, email or phone; best matches first (exact email/phone, prefix, substring)."""
        params = SearchParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        query, limit = params.validated_data["q"], params.validated_data["limit"]
        contacts = self.get_queryset().search_ranked(query, limit=limit)
        return Response({"data": [contact_to_dict(contact) for contact in contacts]})

    def _upsert_item(self, data) -> dict:
        serializer = ContactUpsertSerializer(data=data, partial=True)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(
        request=ContactUpsertSerializer,
        parameters=[ETAG_HEADER],
        responses={
            200: ContactUpsertResultSerializer,
            201: ContactUpsertResultSerializer,
            **error_responses(400, 401, 409, 415),
        },
        examples=[UPSERT_EXAMPLE],
        operation_id="contacts_upsert",
    )
    @action(detail=False, methods=["post"])
    def upsert(self, request):
        """Create the contact, or update the one with this email or phone (`match`, in order): 201 `created`,
        200 `updated` or `unchanged`, with the fields that changed. 409 naming both when the email and the
        phone belong to two different contacts."""
        outcome = contact_upsert(sub_account=self.sub_account, **self._upsert_item(request.data))
        return Response(_outcome_body(outcome), status=_outcome_status(outcome), headers={"ETag": outcome.contact.etag})

    @extend_schema(
        request=ContactUpsertBatchSerializer,
        responses={207: ContactUpsertBatchResultSerializer, **error_responses(400, 401, 415)},
        operation_id="contacts_upsert_batch",
    )
    @action(detail=False, methods=["post"], url_path="upsert/batch")
    def upsert_batch(self, request):
        """Up to 100 upserts, each atomic on its own, answered in request order (207): each item's status and
        result, or its error. Items for one person coalesce: the later ones find the contact the earlier wrote."""
        batch = ContactUpsertBatchSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        answers: list[dict | None] = []
        valid: list[dict] = []
        for index, data in enumerate(batch.validated_data["items"]):
            try:
                valid.append(self._upsert_item(data))
                answers.append(None)
            except serializers.ValidationError as error:
                answers.append(_error_item(index, error))
        outcomes = iter(contacts_upsert(sub_account=self.sub_account, items=valid))
        for index, answer in enumerate(answers):
            if answer is None:
                outcome = next(outcomes)
                answers[index] = (
                    _error_item(index, outcome)
                    if isinstance(outcome, Exception)
                    else {"index": index, "status": _outcome_status(outcome), **_outcome_body(outcome)}
                )
        return Response({"data": answers}, status=207)


def _outcome_status(outcome) -> int:
    return 201 if outcome.result == CREATED else 200


def _outcome_body(outcome) -> dict:
    return {"result": outcome.result, "contact": contact_to_dict(outcome.contact), "changes": outcome.changes}


def _error_item(index: int, error: Exception) -> dict:
    """An item's error in the API's one error shape (the exception handler's answer, as a list item)."""
    response = exception_handler(error, {})
    return {"index": index, "status": response.status_code, **response.data}
