from django.contrib import admin

from accounts.admin import TenantAdminMixin
from conversations import services
from conversations.models import Conversation, Message


class MessageInline(TenantAdminMixin, admin.TabularInline):
    """The thread, read-only: messages are added through the API or the staff pages, whose service keeps
    the conversation's and the contact's counters exact (a plain inline save would not)."""

    model = Message
    fields = ["created_at", "direction", "sender", "body"]
    readonly_fields = fields
    ordering = ["created_at", "id"]
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Conversation)
class ConversationAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "contact", "channel", "status", "assignee", "message_count", "last_message_at"]
    list_filter = ["status", "channel", "sub_account"]
    search_fields = ["id", "subject", "contact__name", "contact__email"]
    list_select_related = ["contact", "assignee"]
    autocomplete_fields = ["contact", "assignee"]
    ordering = ["-last_activity_at", "-id"]
    readonly_fields = ["id", "created_at", "updated_at", "last_message_at", "message_count"]
    inlines = [MessageInline]

    def get_readonly_fields(self, request, obj=None):
        # A conversation never moves to another sub-account, contact or channel.
        return self.readonly_fields + (["sub_account", "contact", "channel"] if obj else [])

    def save_model(self, request, obj, form, change):
        # Through the services, so the contact's conversation_count/last_conversation stay exact.
        if change:
            services.conversation_update(
                conversation=obj, status=obj.status, subject=obj.subject, assignee=obj.assignee
            )
        else:
            created = services.conversation_create(
                sub_account=obj.sub_account,
                contact=obj.contact,
                channel=obj.channel,
                subject=obj.subject,
                status=obj.status,
                assignee=obj.assignee,
            )
            obj.pk = created.pk
            obj.refresh_from_db()

    def delete_model(self, request, obj):
        services.conversation_delete(conversation=obj)

    def delete_queryset(self, request, queryset):
        for conversation in queryset:
            services.conversation_delete(conversation=conversation)
