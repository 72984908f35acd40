from django.conf import settings
from django.db import models

from accounts.models import SubAccount
from contacts.models import Contact
from contacts_site.ids import prefixed_id


def new_conversation_id() -> str:
    return prefixed_id("cv")


def new_message_id() -> str:
    return prefixed_id("msg")


class ConversationQuerySet(models.QuerySet):
    def for_account(self, sub_account: SubAccount):
        return self.filter(sub_account=sub_account)

    def by_recent_activity(self):
        """Most recent activity first: the last message, or creation while there is none."""
        return self.order_by(models.F("last_message_at").desc(nulls_last=True), "-created_at", "-id")


class Conversation(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email"
        SMS = "sms"
        WHATSAPP = "whatsapp"
        WEB_CHAT = "web_chat"
        VOICE = "voice"
        OTHER = "other"

    class Status(models.TextChoices):
        OPEN = "open"
        PENDING = "pending"
        RESOLVED = "resolved"
        CLOSED = "closed"

    id = models.CharField(primary_key=True, max_length=32, default=new_conversation_id, editable=False)
    sub_account = models.ForeignKey(SubAccount, on_delete=models.CASCADE, related_name="conversations")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="conversations")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    subject = models.CharField(max_length=255, blank=True, default="")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_message_at = models.DateTimeField(null=True, blank=True, editable=False)
    message_count = models.PositiveIntegerField(default=0, editable=False)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["sub_account", "contact", "-last_message_at"], name="conv_account_contact_activity"),
            models.Index(fields=["sub_account", "-created_at", "-id"], name="conv_account_created"),
        ]

    def __str__(self) -> str:
        return self.subject or f"{self.get_channel_display()} conversation"


class Message(models.Model):
    class Direction(models.TextChoices):
        INBOUND = "inbound"
        OUTBOUND = "outbound"

    class Sender(models.TextChoices):
        CONTACT = "contact"
        AGENT = "agent"
        BOT = "bot"

    id = models.CharField(primary_key=True, max_length=32, default=new_message_id, editable=False)
    sub_account = models.ForeignKey(SubAccount, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=16, choices=Direction.choices)
    sender = models.CharField(max_length=16, choices=Sender.choices)
    body = models.TextField(max_length=10_000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["conversation", "created_at", "id"], name="message_conversation_time")]

    def __str__(self) -> str:
        return self.body[:60]
