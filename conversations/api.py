from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api import TenantScopedViewSet
from contacts.models import Contact
from contacts_site.api import error_responses, list_envelope_schema
from contacts_site.pagination import page_parameters, paginated_response
from conversations import services
from conversations.filters import SORT_FIELDS, ConversationFilter
from conversations.models import Conversation, Message
from conversations.representation import conversation_to_dict, message_to_dict
from conversations.serializers import (
    ConversationCreateSerializer,
    ConversationSchemaSerializer,
    ConversationUpdateSerializer,
    MessageSchemaSerializer,
    MessageWriteSerializer,
)

ConversationListSchema = list_envelope_schema("ConversationList", ConversationSchemaSerializer)
MessageListSchema = list_envelope_schema("MessageList", MessageSchemaSerializer)

# An id in a path never holds "/" or NUL (PostgreSQL refuses NUL in a query: it would be a 500, not a 404).
ID_PATTERN = r"[^/\x00]+"
MESSAGE_PAGE_LIMIT = 50


LIST_PARAMETERS = [
    OpenApiParameter("contact_id", str, description="Only this contact's conversations"),
    OpenApiParameter("status", str, enum=Conversation.Status.values),
    OpenApiParameter("channel", str, enum=Conversation.Channel.values),
    OpenApiParameter(
        "sort",
        str,
        enum=list(SORT_FIELDS),
        description="Default `activity`: the last message, or the creation while there is none",
    ),
    OpenApiParameter("direction", str, enum=["asc", "desc"], description="Default desc (newest first)"),
]


def _validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _user(user_id: int | None):
    # Any id will do here: the model refuses one that is not an active staff member of the sub-account,
    # with the same message whether the user exists elsewhere or not at all.
    return None if user_id is None else get_user_model()(pk=user_id)


class ConversationViewSet(TenantScopedViewSet):
    """The sub-account's conversations and their messages."""

    model = Conversation
    lookup_url_kwarg = "conversation_id"
    lookup_value_regex = ID_PATTERN

    @extend_schema(
        parameters=[*LIST_PARAMETERS, *page_parameters()],
        responses={200: ConversationListSchema, **error_responses(400, 401)},
    )
    def list(self, request):
        """List conversations, filtered and sorted; by default the most recent activity first."""
        filterset = ConversationFilter(request.query_params, queryset=self.get_queryset())
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return paginated_response(request, filterset.qs, conversation_to_dict)

    @extend_schema(
        request=ConversationCreateSerializer,
        responses={201: ConversationSchemaSerializer, **error_responses(400, 401, 415)},
    )
    def create(self, request):
        """Open a conversation with one of the sub-account's contacts, optionally with its first message."""
        data = _validated(ConversationCreateSerializer, request.data)
        contact = Contact.objects.for_account(self.sub_account).filter(pk=data.pop("contact_id")).first()
        if contact is None:
            raise ValidationError({"contact_id": [services.NO_SUCH_CONTACT]})
        if "assignee" in data:
            data["assignee"] = _user(data["assignee"])
        conversation = services.conversation_create(
            sub_account=self.sub_account, contact=contact, first_message=data.pop("message", None), **data
        )
        location = f"{request.build_absolute_uri('/api/v1/conversations/')}{conversation.pk}"
        return Response(conversation_to_dict(conversation), status=201, headers={"Location": location})

    @extend_schema(responses={200: ConversationSchemaSerializer, **error_responses(401, 404)})
    def retrieve(self, request, conversation_id=None):
        return Response(conversation_to_dict(self.get_object()))

    @extend_schema(
        request=ConversationUpdateSerializer,
        responses={200: ConversationSchemaSerializer, **error_responses(400, 401, 404, 415)},
    )
    def partial_update(self, request, conversation_id=None):
        """Change `status`, `subject` or `assignee` (a staff member's user id, or null to unassign)."""
        data = _validated(ConversationUpdateSerializer, request.data)
        if "assignee" in data:
            data["assignee"] = _user(data["assignee"])
        conversation = services.conversation_update(conversation=self.get_object(), **data)
        return Response(conversation_to_dict(conversation))

    @extend_schema(responses={204: None, **error_responses(401, 404)})
    def destroy(self, request, conversation_id=None):
        """Delete a conversation and its messages; the contact's count and last conversation follow."""
        services.conversation_delete(conversation=self.get_object())
        return Response(status=204)

    @extend_schema(
        parameters=page_parameters(default_limit=MESSAGE_PAGE_LIMIT),
        responses={200: MessageListSchema, **error_responses(400, 401, 404)},
    )
    @action(detail=True, methods=["get"])
    def messages(self, request, conversation_id=None):
        """The conversation's messages, oldest first."""
        conversation = self.get_object()
        messages = Message.objects.for_account(self.sub_account).filter(conversation=conversation).chronological()
        return paginated_response(request, messages, message_to_dict, default_limit=MESSAGE_PAGE_LIMIT)

    @extend_schema(
        request=MessageWriteSerializer,
        responses={201: MessageSchemaSerializer, **error_responses(400, 401, 404, 415)},
    )
    @messages.mapping.post
    def message_create(self, request, conversation_id=None):
        """Add a message; moves the conversation's `last_message_at`/`message_count` and the contact's
        `last_conversation`."""
        data = _validated(MessageWriteSerializer, request.data)
        message = services.message_create(conversation=self.get_object(), **data)
        return Response(message_to_dict(message), status=201)


class ContactConversationsViewSet(TenantScopedViewSet):
    """`GET /contacts/{contact_id}/conversations`: one contact's conversations, most recent activity first."""

    model = Conversation

    @extend_schema(
        parameters=page_parameters(), responses={200: ConversationListSchema, **error_responses(400, 401, 404)}
    )
    def list(self, request, contact_id=None):
        contact = get_object_or_404(Contact.objects.for_account(self.sub_account), pk=contact_id)
        conversations = self.get_queryset().for_contact(contact).by_recent_activity()
        return paginated_response(request, conversations, conversation_to_dict)
