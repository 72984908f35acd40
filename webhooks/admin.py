from django.contrib import admin

from accounts.admin import TenantAdminMixin
from webhooks.models import Delivery, DeliveryAttempt, Endpoint, Event


@admin.register(Endpoint)
class EndpointAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Secrets are never displayed here; rotation and creation go through the API or the staff page."""

    list_display = ["url", "sub_account", "enabled", "disabled_reason", "created_at"]
    list_filter = ["enabled", "sub_account"]
    search_fields = ["url", "description"]
    fields = [
        "sub_account",
        "url",
        "description",
        "events",
        "enabled",
        "disabled_reason",
        "disabled_at",
        "failing_since",
    ]
    readonly_fields = ["disabled_reason", "disabled_at", "failing_since"]


@admin.register(Event)
class EventAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ["id", "type", "sub_account", "created_at"]
    list_filter = ["type"]
    search_fields = ["id"]
    readonly_fields = ["id", "sub_account", "type", "payload", "created_at"]


class DeliveryAttemptInline(TenantAdminMixin, admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ["attempted_at", "status_code", "duration_ms", "error", "response_excerpt", "next_retry_at"]
    readonly_fields = fields


@admin.register(Delivery)
class DeliveryAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ["id", "event", "endpoint", "status", "attempt_count", "next_attempt_at"]
    list_filter = ["status"]
    search_fields = ["id", "event__id"]
    readonly_fields = ["id", "sub_account", "event", "endpoint", "attempt_count", "lease_token", "last_attempt_at"]
    inlines = [DeliveryAttemptInline]
