from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"

    def ready(self):
        from contacts import schema  # noqa: F401  registers the upsert schema with drf-spectacular
