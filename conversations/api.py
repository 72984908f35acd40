from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema

from accounts.api import TenantScopedViewSet
from contacts.models import Contact
from contacts_site.api import error_responses, list_envelope_schema
from contacts_site.pagination import page_parameters, paginated_response
from conversations.models import Conversation
from conversations.serializers import ConversationSchemaSerializer, conversation_to_dict

ConversationListSchema = list_envelope_schema("ConversationList", ConversationSchemaSerializer)


class ContactConversationsViewSet(TenantScopedViewSet):
    """`GET /contacts/{contact_id}/conversations`: one contact's conversations, most recent activity first."""

    model = Conversation

    @extend_schema(
        parameters=page_parameters(default_limit=25, cursor=False),
        responses={200: ConversationListSchema, **error_responses(400, 401, 404)},
    )
    def list(self, request, contact_id=None):
        contact = get_object_or_404(Contact.objects.for_account(self.sub_account), pk=contact_id)
        conversations = self.get_queryset().filter(contact=contact).by_recent_activity()
        return paginated_response(request, conversations, conversation_to_dict)
