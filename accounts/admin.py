from django.contrib import admin, messages

from accounts.models import APIKey, Membership, SubAccount, TenantModel
from accounts.services import api_key_revoke


class TenantAdminMixin:
    """For the admin of a tenant model (and its inlines): the admin is for superusers, who see every
    sub-account, so its querysets and the choices of its tenant foreign keys use the wall's escape
    hatch, `unscoped()` (accounts.tenancy). A model admin of a tenant model must inherit it."""

    def get_queryset(self, request):
        return super().get_queryset(request).unscoped()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.remote_field.model
        if "queryset" not in kwargs and issubclass(related, TenantModel):
            kwargs["queryset"] = related.objects.unscoped()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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


class TenantRelatedOnlyFieldListFilter(admin.RelatedOnlyFieldListFilter):
    """RelatedOnlyFieldListFilter for a relation to a tenant model: Django's lists the choices through the
    related model's default manager, which refuses to read without a sub-account; here through unscoped()."""

    def field_choices(self, field, request, model_admin):
        used = model_admin.get_queryset(request).distinct().values_list(f"{self.field_path}__pk", flat=True)
        ordering = self.field_admin_ordering(field, request, model_admin) or ()
        related = field.related_model.objects.unscoped().filter(pk__in=used).order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in related]
