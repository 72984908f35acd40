from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "conversations"

    def ready(self):
        from conversations import schema  # noqa: F401  registers the message schema with drf-spectacular
