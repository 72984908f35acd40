"""The conversation list's query: one FilterSet for the API and the staff pages."""

import django_filters

from contacts_site.filters import PresentChoiceFilter
from conversations.models import Conversation

SORT_FIELDS = {
    # sort name → (model field, default direction)
    "activity": ("last_activity_at", "desc"),
    "created": ("created_at", "desc"),
    "updated": ("updated_at", "desc"),
    "last_message": ("last_message_at", "desc"),
}
DEFAULT_SORT = "activity"


class ConversationFilter(django_filters.FilterSet):
    contact_id = django_filters.CharFilter(method="filter_contact", help_text="Only this contact's conversations.")
    status = PresentChoiceFilter(choices=Conversation.Status.choices, method="filter_status", empty_label=None)
    channel = PresentChoiceFilter(choices=Conversation.Channel.choices, method="filter_channel", empty_label=None)
    sort = PresentChoiceFilter(
        choices=[(name, name) for name in SORT_FIELDS],
        method="filter_noop",
        empty_label=None,
        help_text="activity (default: last message, or creation while none) | created | updated | last_message",
    )
    direction = PresentChoiceFilter(
        choices=[("asc", "asc"), ("desc", "desc")],
        method="filter_noop",
        empty_label=None,
        help_text="Default desc (newest first).",
    )

    def filter_contact(self, queryset, name, value):
        return queryset.for_contact(value)

    def filter_status(self, queryset, name, value):
        return queryset.with_status(value)

    def filter_channel(self, queryset, name, value):
        return queryset.on_channel(value)

    def filter_noop(self, queryset, name, value):
        return queryset  # applied in filter_queryset, after the filters

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        field, default_direction = SORT_FIELDS[self.form.cleaned_data.get("sort") or DEFAULT_SORT]
        direction = self.form.cleaned_data.get("direction") or default_direction
        return queryset.sorted_by(field, descending=direction == "desc")
