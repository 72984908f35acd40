from django.contrib import admin

from accounts.admin import TenantAdminMixin, TenantRelatedOnlyFieldListFilter
from accounts.models import SubAccount
from contacts import services
from contacts.models import Contact, ContactChange, ContactTag


@admin.register(Contact)
class ContactAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ["name", "email", "phone", "sub_account", "conversation_count", "last_conversation", "created_at"]
    list_filter = ["sub_account", ("tags", TenantRelatedOnlyFieldListFilter)]
    search_fields = ["name", "email", "phone"]
    # Tags are edited through the API and the staff pages, which keep them inside the sub-account;
    # taggit's admin field would create tags with no sub-account.
    exclude = ["tags"]
    readonly_fields = ["id", "tag_list", "created_at", "updated_at", "last_conversation", "conversation_count"]
    list_select_related = ["sub_account"]

    # Every write goes through contacts.services, as the API's and the staff pages' do: the same webhook
    # events and an exact contact_count, inside the transaction the admin opens around the whole save.
    def save_model(self, request, obj, form, change):
        if change:
            saved = services.contact_update(contact=obj, **self._changes(form))
        else:
            saved = services.contact_create(
                sub_account=obj.sub_account,
                name=obj.name,
                email=obj.email,
                phone=obj.phone,
                custom_fields=obj.custom_fields,
            )
        # The service saved its own instance; the admin goes on with `obj` (log entry, message, redirect to
        # its pk), so it takes on what was stored.
        for field in obj._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False

    @staticmethod
    def _changes(form) -> dict:
        """The form's values as contact_update takes them (already normalized by the form's full_clean)."""
        contact = form.instance
        custom_fields = services.custom_fields_patch(
            form.initial.get("custom_fields") or {}, contact.custom_fields or {}
        )
        return {"name": contact.name, "email": contact.email, "phone": contact.phone, "custom_fields": custom_fields}

    def delete_model(self, request, obj):
        services.contact_delete(contact=obj)

    def delete_queryset(self, request, queryset):
        for sub_account_id in set(queryset.values_list("sub_account", flat=True)):
            services.contacts_delete(sub_account=SubAccount(pk=sub_account_id), queryset=queryset)

    @admin.display(description="tags")
    def tag_list(self, obj):
        return ", ".join(obj.tag_names) if obj.pk else ""

    def get_readonly_fields(self, request, obj=None):
        # A contact never moves between sub-accounts: its tags and conversations would cross the wall.
        return self.readonly_fields + (["sub_account"] if obj else [])


@admin.register(ContactTag)
class ContactTagAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ["name", "sub_account"]
    list_filter = ["sub_account"]
    search_fields = ["name"]


@admin.register(ContactChange)
class ContactChangeAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Read only: the history is written by the services, never edited (notes are changed on the contact page)."""

    list_display = ["created_at", "contact_id", "kind", "source", "actor_label", "ref", "sub_account"]
    list_filter = ["sub_account", "kind", "source"]
    search_fields = ["contact_id", "action_id", "ref"]
    list_select_related = ["sub_account"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
