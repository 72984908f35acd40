from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = "Identity: duplicates and merges"

    def ready(self):
        from contacts.signals import contacts_erased
        from identity.services import merges_forget

        contacts_erased.connect(merges_forget, dispatch_uid="identity.merges_forget")
