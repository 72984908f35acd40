from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Membership, SubAccount, TenantModel, TenantQuerySet
from contacts.models import Contact
from contacts_site.ids import prefixed_id
from contacts_site.validation import validate_not_blank, validate_single_line_text, validate_text

MAX_MESSAGE_LENGTH = 10_000


def new_conversation_id() -> str:
    return prefixed_id("cv")


def new_message_id() -> str:
    return prefixed_id("msg")


class ConversationQuerySet(TenantQuerySet):
    def for_contact(self, contact: Contact | str):
        return self.filter(contact=contact)

    def with_status(self, status: str):
        return self.filter(status=status)

    def on_channel(self, channel: str):
        return self.filter(channel=channel)

    def by_recent_activity(self):
        """Most recent activity first: the last message, or the creation while there is none."""
        return self.order_by("-last_activity_at", "-id")

    def sorted_by(self, field: str, *, descending: bool):
        """Order by one column; ties broken by id so pages never repeat or skip a row.

        Nullable columns (`last_message_at`) put the rows without a value last in both directions:
        "no message yet" is neither the newest nor the oldest. Only those: on PostgreSQL a `NULLS LAST`
        the index does not share turns an index read of 25 rows into a sort of the whole sub-account.
        """
        if self.model._meta.get_field(field).null:
            order = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
        else:
            order = f"-{field}" if descending else field
        return self.order_by(order, "-id" if descending else "id")


class Conversation(TenantModel):
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
    # No single-column index: every composite index below leads with sub_account.
    sub_account = models.ForeignKey(SubAccount, on_delete=models.CASCADE, related_name="conversations", db_index=False)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="conversations")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    subject = models.CharField(max_length=255, blank=True, default="", validators=[validate_single_line_text])
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_conversations",
        help_text="A staff member of the conversation's sub-account.",
    )
    # Set by the services from one clock reading, so the contact's last_conversation can match it exactly.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # Derived from the messages; written only by conversations.services, in the same transaction.
    last_message_at = models.DateTimeField(null=True, blank=True, editable=False)
    message_count = models.PositiveIntegerField(default=0, editable=False)
    # last_message_at, or created_at while there is no message: what "recent activity" sorts on. A column of
    # its own (not a Coalesce in the ORDER BY) so the inbox and a contact's history read straight off an index.
    last_activity_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["sub_account", "-last_activity_at", "-id"], name="conv_account_activity"),
            models.Index(
                fields=["sub_account", "contact", "-last_activity_at", "-id"], name="conv_account_contact_activity"
            ),
            models.Index(fields=["sub_account", "status", "-last_activity_at", "-id"], name="conv_account_status"),
            # The inbox's filters by channel and by assignee ("mine", "unassigned"), newest activity first.
            models.Index(fields=["sub_account", "channel", "-last_activity_at", "-id"], name="conv_account_channel"),
            models.Index(fields=["sub_account", "assignee", "-last_activity_at", "-id"], name="conv_account_assignee"),
            models.Index(fields=["sub_account", "-created_at", "-id"], name="conv_account_created"),
            models.Index(fields=["sub_account", "-updated_at", "-id"], name="conv_account_updated"),
        ]

    def __str__(self) -> str:
        return self.subject or f"{self.get_channel_display()} conversation"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Remembered so that only a *new* assignee is checked: a conversation whose agent has left the
        # sub-account can still be resolved, and reassigned.
        instance._stored_assignee_id = instance.__dict__.get("assignee_id")
        return instance

    def clean_fields(self, exclude=None):
        if isinstance(self.subject, str):
            self.subject = self.subject.strip()
        super().clean_fields(exclude=exclude)

    def clean(self):
        """Tenant rules: the contact and the assignee belong to the conversation's sub-account."""
        errors = {}
        if self.sub_account_id and self.contact_id and self.contact.sub_account_id != self.sub_account_id:
            errors["contact"] = ["This contact belongs to another sub-account."]
        assignee_changed = self.assignee_id != getattr(self, "_stored_assignee_id", None)
        if self.assignee_id is not None and assignee_changed and self.sub_account_id:
            is_member = Membership.objects.filter(
                sub_account_id=self.sub_account_id, user_id=self.assignee_id, user__is_active=True
            ).exists()
            if not is_member:
                errors["assignee"] = ["The assignee must be an active staff member of this sub-account."]
        if errors:
            raise ValidationError(errors)


class MessageQuerySet(TenantQuerySet):
    def chronological(self):
        """Oldest first, the order a thread is read in."""
        return self.order_by("created_at", "id")


class Message(TenantModel):
    class Direction(models.TextChoices):
        INBOUND = "inbound"
        OUTBOUND = "outbound"

    class Sender(models.TextChoices):
        CONTACT = "contact"
        AGENT = "agent"
        BOT = "bot"

    id = models.CharField(primary_key=True, max_length=32, default=new_message_id, editable=False)
    # The conversation's sub-account, repeated so every query on messages can filter by tenant on its own.
    # No single-column index: the thread index below leads with it.
    sub_account = models.ForeignKey(SubAccount, on_delete=models.CASCADE, related_name="+", db_index=False)
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=16, choices=Direction.choices)
    sender = models.CharField(max_length=16, choices=Sender.choices)
    # TextField does not check max_length itself; the validator makes 10,000 a rule rather than a form hint.
    body = models.TextField(
        max_length=MAX_MESSAGE_LENGTH,
        validators=[MaxLengthValidator(MAX_MESSAGE_LENGTH), validate_not_blank, validate_text],
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # The agent who wrote a reply on the staff pages, by name as it was then (blank: an API key, a bot or
    # the contact). A name rather than a user: the thread keeps saying who wrote it after they leave.
    author_name = models.CharField(max_length=150, blank=True, default="", editable=False)

    objects = MessageQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["sub_account", "conversation", "created_at", "id"], name="message_conversation_time")
        ]
        constraints = [
            # Inbound means from the contact; outbound means to it, from an agent or a bot.
            models.CheckConstraint(
                condition=Q(direction="inbound", sender="contact")
                | Q(direction="outbound", sender__in=["agent", "bot"]),
                name="message_direction_matches_sender",
            ),
        ]

    def __str__(self) -> str:
        return self.body[:60]

    def clean(self):
        if self.direction in self.Direction.values and self.sender in self.Sender.values:
            inbound = self.direction == self.Direction.INBOUND
            from_contact = self.sender == self.Sender.CONTACT
            if inbound != from_contact:
                raise ValidationError(
                    {"sender": ["Inbound messages come from the contact; outbound ones from an agent or a bot."]}
                )
