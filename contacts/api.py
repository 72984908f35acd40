from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api import TenantScopedViewSet
from contacts import services
from contacts.filters import MAX_TAG_FILTER_LENGTH, SORT_FIELDS, TAG_MATCHES, ContactFilter
from contacts.history import HISTORY_FIELDS, ContactChange, Kind
from contacts.identities import survivor_of
from contacts.models import Contact
from contacts.representation import contact_to_dict, entry_to_dict, field_value_to_dict, note_to_dict
from contacts.serializers import (
    ContactSchemaSerializer,
    ContactUpsertBatchResultSerializer,
    ContactUpsertBatchSerializer,
    ContactUpsertResultSerializer,
    ContactUpsertSerializer,
    ContactWriteSerializer,
    FieldValueSchemaSerializer,
    HistoryParams,
    NoteSchemaSerializer,
    NoteWriteSerializer,
    RevertSerializer,
    TimelineEntrySchemaSerializer,
    TimelineParams,
)
from contacts.upsert import CREATED, contact_upsert, contacts_upsert
from contacts.validators import MAX_CUSTOM_FIELD_KEY_LENGTH
from contacts_site.actions import SOURCES
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
# What a range filter's bound may look like (contacts.filters.bound_of checks it for real).
RANGE_BOUND_PATTERN = r"^(-?[0-9]{1,15}(\.[0-9]{1,15})?|[0-9]{4}-[0-9]{2}-[0-9]{2})$"
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
        description="Repeatable; all must match (or see `tag_match`)",
        examples=[OpenApiExample("VIP customers", value=["vip"])],
    ),
    OpenApiParameter(
        "tag_match",
        OpenApiTypes.STR,
        enum=list(TAG_MATCHES),
        description="How `tag` matches: `all` (default), `any`, or `none` of the tags given",
    ),
    OpenApiParameter(
        "view",
        {"type": "string", "minLength": 1, "maxLength": 32, "pattern": NOT_BLANK_SINGLE_LINE_PATTERN},
        description="A shared saved view's id (`/api/v1/views`): its filters, search and sort; a parameter given "
        "beside it replaces the view's own of that name",
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
    *[
        OpenApiParameter(
            name,
            {
                "type": "object",
                "additionalProperties": value_schema,
                "propertyNames": {
                    "minLength": 1,
                    "maxLength": MAX_CUSTOM_FIELD_KEY_LENGTH,
                    "pattern": SINGLE_LINE_PATTERN,
                },
            },
            style="deepObject",
            explode=True,
            description=description,
        )
        for name, value_schema, description in [
            (
                "custom_field_contains",
                {"type": "string", "pattern": SINGLE_LINE_PATTERN},
                (
                    "Contacts whose custom field, as text, contains the value (ignoring case): "
                    "`custom_field_contains[company]=acme` (or `custom_field_contains.company=acme`)"
                ),
            ),
            (
                "custom_field_set",
                {"type": "string", "enum": ["true", "false"]},
                "Contacts that hold (`true`) or do not hold (`false`) the custom field: `custom_field_set[vat]=true`",
            ),
            (
                "custom_field_min",
                {"type": "string", "pattern": RANGE_BOUND_PATTERN},
                (
                    "Contacts whose custom field is at least this number or date (YYYY-MM-DD): "
                    "`custom_field_min[seats]=10`, `custom_field_min[renewal]=2026-01-01`"
                ),
            ),
            (
                "custom_field_max",
                {"type": "string", "pattern": RANGE_BOUND_PATTERN},
                "Contacts whose custom field is at most this number or date (YYYY-MM-DD)",
            ),
        ]
    ],
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


def contact_response(contact: Contact, status: int = 200, headers: dict | None = None) -> Response:
    return Response(contact_to_dict(contact), status=status, headers={"ETag": contact.etag, **(headers or {})})


class ContactViewSet(TenantScopedViewSet):
    model = Contact
    lookup_url_kwarg = "contact_id"
    lookup_value_regex = r"[^/\x00]+"  # a NUL can reach neither PostgreSQL nor the 404
    # Benchmark scenarios `get` and `list`: building for_account().with_tags() (its tag-name subquery resolved
    # against the contacts) cost ~0.3 ms of every request; it depends on the sub-account alone.
    scope_built_once = True

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
            total_from_first_ids=filterset.reads_page_from_first_ids,
            leading_ids=filterset.leading_ids,
            # Benchmark scenario `list`: unfiltered, the page is this viewset's queryset in one of the sorts,
            # whatever the sub-account, so its statement is compiled once per process (read_page's `shape`).
            shape=None if filterset.is_filtered else "contacts.api.list",
        )

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
        return contact_response(contact, status=201, headers={"Location": location})

    @extend_schema(
        parameters=[ETAG_HEADER],
        responses={200: ContactSchemaSerializer, 308: MergedIntoSchema, **error_responses(401, 404)},
    )
    def retrieve(self, request, contact_id=None):
        """A contact. An id merged into another contact answers 308 with the survivor's address (Location) and
        `merged_into`, until the merge is undone."""
        try:
            return contact_response(self.get_object())
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
        return contact_response(contact)

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


TimelineSchema = list_envelope_schema("Timeline", TimelineEntrySchemaSerializer)
NoteListSchema = list_envelope_schema("NoteList", NoteSchemaSerializer)
FieldHistorySchema = list_envelope_schema("FieldHistory", FieldValueSchemaSerializer)
CHOICES_PARAMETER = {"type": "array", "items": {"type": "string"}}


def _params(serializer_class, request) -> dict:
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data


def _entries(view: TenantScopedViewSet):
    """The entries of the URL's contact (404 if it is not the key's sub-account's), newest first."""
    contact = view.get_object()
    return ContactChange.objects.for_account(view.sub_account).of_contact(contact.pk).newest_first()


class ContactTimelineViewSet(TenantScopedViewSet):
    """A contact's timeline, the history of one of its fields, its notes, and the revert of a change
    (docs/timeline.md): routes under /contacts/{contact_id}/ only (no list of its own)."""

    model = Contact
    lookup_url_kwarg = "contact_id"
    lookup_value_regex = r"[^/\x00]+"

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "kind",
                {**CHOICES_PARAMETER, "items": {"type": "string", "enum": Kind.values}},
                style="form",
                explode=True,
                description="Repeatable: only entries of these kinds",
            ),
            OpenApiParameter(
                "source",
                {**CHOICES_PARAMETER, "items": {"type": "string", "enum": list(SOURCES)}},
                style="form",
                explode=True,
                description="Repeatable: only entries from these sources",
            ),
            *PAGE_PARAMETERS,
        ],
        responses={200: TimelineSchema, **error_responses(400, 401, 404)},
        operation_id="contacts_timeline",
    )
    @action(detail=True, methods=["get"])
    def timeline(self, request, contact_id=None):
        """Everything that happened to a contact, newest first: changes (from → to, with who and from where),
        its creation, conversations started, merges, notes. Paginate with `next_cursor`."""
        entries = _entries(self)
        params = _params(TimelineParams, request)
        if params.get("kind"):
            entries = entries.filter(kind__in=sorted(params["kind"]))
        if params.get("source"):
            entries = entries.filter(source__in=sorted(params["source"]))
        return paginated_response(request, entries, entry_to_dict)

    @extend_schema(
        parameters=[
            OpenApiParameter("field", str, enum=list(HISTORY_FIELDS), required=True),
            *PAGE_PARAMETERS,
        ],
        responses={200: FieldHistorySchema, **error_responses(400, 401, 404)},
        operation_id="contacts_history",
    )
    @action(detail=True, methods=["get"])
    def history(self, request, contact_id=None):
        """The values one field has had, newest first, each with its source and actor (`to` is the value it
        took, `from` the one before)."""
        entries = _entries(self)  # an unknown contact is a 404 whatever the parameters
        field = _params(HistoryParams, request)["field"]
        return paginated_response(request, entries.touching(field), lambda entry: field_value_to_dict(entry, field))

    @extend_schema(
        methods=["get"],
        parameters=PAGE_PARAMETERS,
        responses={200: NoteListSchema, **error_responses(400, 401, 404)},
        operation_id="contacts_notes_list",
    )
    @extend_schema(
        methods=["post"],
        request=NoteWriteSerializer,
        responses={201: NoteSchemaSerializer, **error_responses(400, 401, 404, 415)},
        operation_id="contacts_notes_create",
    )
    @action(detail=True, methods=["get", "post"])
    def notes(self, request, contact_id=None):
        """The team's notes on a contact, newest first; POST adds one, written by the calling key."""
        if request.method == "GET":
            return paginated_response(request, _entries(self).notes(), note_to_dict)
        serializer = NoteWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = services.note_create(contact=self.get_object(), **serializer.validated_data)
        return Response(note_to_dict(note), status=201)

    @extend_schema(
        request=RevertSerializer,
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
        responses={200: ContactSchemaSerializer, **error_responses(400, 401, 404, 409, 412, 415)},
        operation_id="contacts_revert",
    )
    @action(detail=True, methods=["post"])
    def revert(self, request, contact_id=None):
        """Undo one change of one field (from the timeline or a field's history), recorded as source `revert`.
        The contact is then written like a PATCH: If-Match is honoured, and a value already back changes nothing."""
        serializer = RevertSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contact = services.contact_change_revert(
            contact=self.get_object(), if_match=if_match_etags(request), **serializer.validated_data
        )
        return contact_response(contact)


class NoteViewSet(TenantScopedViewSet):
    """`PATCH/DELETE /notes/{note_id}`: a key changes or deletes the notes it wrote (403 for another's)."""

    model = ContactChange
    lookup_url_kwarg = "note_id"
    lookup_value_regex = r"[^/\x00]+"
    http_method_names = ["patch", "delete", "options"]

    def scope_queryset(self, queryset):
        return queryset.notes()

    @extend_schema(
        request=NoteWriteSerializer,
        responses={200: NoteSchemaSerializer, **error_responses(400, 401, 403, 404, 415)},
    )
    def partial_update(self, request, note_id=None):
        """Change the text of a note this key wrote; no `body` changes nothing."""
        serializer = NoteWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        note = services.note_update(note=self.get_object(), **serializer.validated_data)
        return Response(note_to_dict(note))

    @extend_schema(responses={204: None, **error_responses(401, 403, 404)})
    def destroy(self, request, note_id=None):
        services.note_delete(note=self.get_object())
        return Response(status=204)
