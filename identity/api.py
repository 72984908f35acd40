"""The identity API: a contact's duplicate candidates, the sub-account's list of them, merges and their undo."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api import TenantScopedViewSet
from contacts.models import Contact
from contacts.representation import contact_to_dict
from contacts_site.api import error_responses
from identity import services
from identity.duplicates import (
    DEFAULT_THRESHOLD,
    duplicate_list_refresh,
    duplicate_pairs,
    duplicates_of,
    stored_pairs,
)
from identity.models import Merge
from identity.representation import candidate_to_dict, merge_to_dict
from identity.serializers import (
    CandidateListSerializer,
    DuplicatePairListSerializer,
    DuplicateParams,
    MergeParams,
    MergePreviewSerializer,
    MergeRequestSerializer,
    MergeSerializer,
)

MIN_SCORE = OpenApiParameter(
    "min_score", {"type": "string", "pattern": r"^(0(\.[0-9]+)?|1(\.0+)?)$"}, description="0–1"
)
LIMIT = OpenApiParameter("limit", {"type": "integer", "minimum": 1, "maximum": 100}, description="1–100, default 20")
OFFSET = OpenApiParameter("offset", {"type": "integer", "minimum": 0, "maximum": 1_000_000}, description="default 0")
MERGE_EXAMPLE = OpenApiExample(
    "Merge two contacts into this one, keeping the second one's phone",
    value={
        "from": ["ct_01JC2B", "ct_01JC2C"],
        "expected_versions": {"ct_01JC2A": '"3f1c…"', "ct_01JC2B": '"9ab0…"', "ct_01JC2C": '"51d2…"'},
        "field_winners": {"phone": "ct_01JC2C"},
    },
    request_only=True,
)


def _params(serializer_class, request) -> dict:
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data


class ContactIdentityViewSet(TenantScopedViewSet):
    """`/contacts/{id}/duplicates` and `/contacts/{id}/merge`."""

    model = Contact
    lookup_url_kwarg = "contact_id"
    lookup_value_regex = r"[^/\x00]+"

    @extend_schema(
        parameters=[MIN_SCORE, LIMIT],
        responses={200: CandidateListSerializer, **error_responses(400, 401, 404)},
        operation_id="contacts_duplicates",
    )
    @action(detail=True, methods=["get"])
    def duplicates(self, request, contact_id=None):
        """Other contacts probably the same person, best first, each with a score (0–1) and its reasons."""
        params = _params(DuplicateParams, request)
        contact = self.get_object()
        candidates = duplicates_of(contact, min_score=params.get("min_score", 0.0), limit=params["limit"])
        return Response({"data": [candidate_to_dict(candidate) for candidate in candidates]})

    @extend_schema(
        request=MergeRequestSerializer,
        parameters=[
            OpenApiParameter(
                "preview", str, enum=["true", "false"], description="`true`: answer what the merge would give"
            )
        ],
        responses={
            200: MergePreviewSerializer,
            201: MergeSerializer,
            **error_responses(400, 401, 404, 409, 415),
        },
        examples=[MERGE_EXAMPLE],
        operation_id="contacts_merge",
    )
    @action(detail=True, methods=["post"])
    def merge(self, request, contact_id=None):
        """Merge up to 10 contacts (`from`) into this one. The target's values win, its blanks are filled from
        the sources newest first (or as `field_winners` says); tags unite; custom fields merge (the target's
        win); conversations move here; the sources' emails and phones stay as secondary identities; their ids
        answer 308 to this contact. `?preview=true` answers the result (200) and writes nothing; the merge
        answers 201 with its id, to undo it within 30 days."""
        preview = _params(MergeParams, request)["preview"] == "true"
        body = MergeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        plan, merge = services.contact_merge(
            sub_account=self.sub_account,
            target_id=self.get_object().pk,
            source_ids=body.validated_data["from"],
            expected_versions=body.validated_data.get("expected_versions"),
            choices=body.validated_data.get("field_winners"),
            preview=preview,
        )
        if merge is None:
            return Response(plan.explanation())
        location = request.build_absolute_uri(f"/api/v1/merges/{merge.pk}")
        return Response(merge_to_dict(merge), status=201, headers={"Location": location})


class DuplicateViewSet(TenantScopedViewSet):
    model = Contact

    @extend_schema(
        parameters=[MIN_SCORE, LIMIT, OFFSET],
        responses={200: DuplicatePairListSerializer, **error_responses(400, 401)},
        operation_id="duplicates_list",
    )
    def list(self, request):
        """The sub-account's possible duplicates: pairs of contacts, best first (default `min_score` 0.5)."""
        params = _params(DuplicateParams, request)
        limit, offset = params["limit"], params["offset"]
        min_score = params.get("min_score", DEFAULT_THRESHOLD)
        if min_score < DEFAULT_THRESHOLD:
            # Below the threshold nothing is stored: those pairs are grouped from the keys on the spot.
            pairs = duplicate_pairs(self.sub_account, min_score=min_score)
            total, page = len(pairs), [(pair.first.pk, pair.second.pk, pair.score, pair.reasons) for pair in pairs]
            page = page[offset : offset + limit]
        else:
            duplicate_list_refresh(self.sub_account)
            stored = stored_pairs(self.sub_account).filter(score__gte=min_score)
            total = stored.count()
            page = list(stored.values_list("first_id", "second_id", "score", "reasons")[offset : offset + limit])
        ids = {contact_id for first, second, _, _ in page for contact_id in (first, second)}
        contacts = {contact.pk: contact for contact in self.get_queryset().with_tags().filter(pk__in=ids)}
        data = [
            {
                "contacts": [contact_to_dict(contacts[first]), contact_to_dict(contacts[second])],
                "score": score,
                "reasons": reasons,
            }
            for first, second, score, reasons in page
        ]
        return Response(
            {"data": data, "total": total, "limit": limit, "offset": offset, "has_more": offset + limit < total}
        )


class MergeViewSet(TenantScopedViewSet):
    model = Merge
    lookup_url_kwarg = "merge_id"
    lookup_value_regex = r"[^/\x00]+"

    @extend_schema(responses={200: MergeSerializer, **error_responses(401, 404)})
    def retrieve(self, request, merge_id=None):
        """A merge: who went into whom, what changed, until when it can be undone."""
        return Response(merge_to_dict(self.get_object()))

    @extend_schema(request=None, responses={200: MergeSerializer, **error_responses(401, 404, 409)})
    @action(detail=True, methods=["post"])
    def undo(self, request, merge_id=None):
        """Undo a merge (within 30 days): the sources come back with their ids, fields, tags and conversations,
        the target as it was before. 409 saying what blocks it when the target changed since."""
        merge = services.merge_undo(sub_account=self.sub_account, merge_id=self.get_object().pk)
        return Response(merge_to_dict(merge))
