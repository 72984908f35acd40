from django.contrib import admin, messages

from accounts.models import APIKey, Membership, SubAccount
from accounts.services import api_key_revoke


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(SubAccount)
class SubAccountAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "default_phone_region", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(APIKey)
class APIKeyAdmin(admin.ModelAdmin):
    """Keys are created here with a fresh secret shown once in a message; the hash is never displayed."""

    list_display = ["name", "display_prefix", "sub_account", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = ["sub_account"]
    search_fields = ["name", "prefix", "sub_account__name"]
    fields = ["sub_account", "name", "display_prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    readonly_fields = ["display_prefix", "created_at", "last_used_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields + (["sub_account"] if obj else [])

    def save_model(self, request, obj, form, change):
        if not change:
            raw_key = obj.set_new_secret()
            self.message_user(
                request,
                f"New API key (shown once, copy it now): {raw_key}",
                level=messages.WARNING,
            )
        super().save_model(request, obj, form, change)

    @admin.action(description="Revoke selected keys")
    def revoke(self, request, queryset):
        for api_key in queryset:
            api_key_revoke(api_key=api_key)
