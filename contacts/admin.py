from django.contrib import admin

from accounts.models import SubAccount
from contacts import services
from contacts.models import Contact, ContactTag


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "phone", "sub_account", "conversation_count", "last_conversation", "created_at"]
    list_filter = ["sub_account", ("tags", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "email", "phone"]
    # Tags are edited through the API and the staff pages, which keep them inside the sub-account;
    # taggit's admin field would create tags with no sub-account.
    exclude = ["tags"]
    readonly_fields = ["id", "tag_list", "created_at", "updated_at", "last_conversation", "conversation_count"]
    list_select_related = ["sub_account"]

    # Deletes and creates go through the services, which keep the sub-account's contact_count exact.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            services.contact_count_adjust(sub_account_id=obj.sub_account_id, delta=1)

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
class ContactTagAdmin(admin.ModelAdmin):
    list_display = ["name", "sub_account"]
    list_filter = ["sub_account"]
    search_fields = ["name"]
