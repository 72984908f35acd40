"""Writes to conversations and messages, each atomic, each keeping the derived fields exact.

Derived fields: a conversation's `message_count`, `last_message_at` and `last_activity_at`, and its
contact's `conversation_count` and `last_conversation`. Every function here changes them in the same
transaction as the write they follow from, in this order:

1. validate everything (model rules) before touching the database, so a refused write changes nothing;
2. lock the contact's row (`SELECT … FOR UPDATE`): every write that moves a contact's derived fields
   takes this lock first, so writes to one contact's conversations run one after another (different
   contacts never wait for each other). Always contact first, then conversation: one lock order, no
   deadlocks. On SQLite the lock is a no-op and the IMMEDIATE transactions serialize writers instead;
3. write, and move the counters with F() expressions, so the arithmetic happens in the database on the
   row's current value rather than on a copy read earlier;
4. on a delete, recompute the contact's fields from the conversations that remain (under the lock,
   nothing can be added meanwhile), so the maximum is right rather than guessed.
"""

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, DateTimeField, F, Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from accounts.models import SubAccount, tenant_delete
from contacts.history import Kind, history_record
from contacts.models import Contact
from contacts_site.errors import NotFound
from contacts_site.updates import UNSET, given, locked_row, model_update
from conversations.models import Conversation, Message
from conversations.representation import conversation_to_dict, message_to_dict
from webhooks.events import changes_between
from webhooks.services import event_emit

NO_SUCH_CONTACT = "No contact with this id in this sub-account."

MESSAGE_FIELDS = ("body", "direction", "sender")


def _later_of(field: str, moment: datetime) -> Greatest:
    """`max(field, moment)` in SQL. Coalesce first: on SQLite GREATEST of a NULL is NULL."""
    value = Value(moment, output_field=DateTimeField())
    return Greatest(Coalesce(F(field), value), value)


def _lock_contact(sub_account_id: int, contact_id: str) -> bool:
    """Take the contact's row lock; False if the contact is gone (deleted by a concurrent request)."""
    locked = Contact.objects.for_account(sub_account_id).select_for_update().filter(pk=contact_id)
    return bool(list(locked.values_list("pk", flat=True)))


def _contact_row(contact_or_conversation) -> models.QuerySet:
    """The contact's row, named with its tenant like every statement on a tenant table."""
    item = contact_or_conversation
    contact_id = item.pk if isinstance(item, Contact) else item.contact_id
    return Contact.objects.for_account(item.sub_account_id).filter(pk=contact_id)


def _refresh(instance, queryset, fields: list[str]) -> None:
    """Bring the caller's copy of the derived fields up to date (read with its tenant named)."""
    for name, value in queryset.values(*fields).get().items():
        setattr(instance, name, value)


def _validation_errors(instance, *, exclude: list[str]) -> dict[str, list[str]]:
    try:
        # Foreign keys arrive as instances the caller already holds; clean() checks what matters about them.
        instance.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as error:
        return error.message_dict
    return {}


def _new_message(conversation: Conversation, data: Any) -> tuple[Message, dict[str, list[str]]]:
    """A first message from a plain dict (`body`, `direction`, `sender`), with its errors keyed `message.<field>`."""
    if not isinstance(data, dict):
        return Message(), {"message": ["Expected an object with body, direction and sender."]}
    errors = {f"message.{key}": ["Unknown field."] for key in data if key not in MESSAGE_FIELDS}
    message = Message(
        sub_account_id=conversation.sub_account_id,
        conversation=conversation,
        **{key: data.get(key, "") for key in MESSAGE_FIELDS},
    )
    for field, messages in _validation_errors(message, exclude=["sub_account", "conversation"]).items():
        errors["message" if field == "__all__" else f"message.{field}"] = messages
    return message, errors


@transaction.atomic
def conversation_create(
    *,
    sub_account: SubAccount,
    contact: Contact,
    channel: str,
    subject: str | None = "",
    status: str = Conversation.Status.OPEN,
    assignee: AbstractBaseUser | None = None,
    first_message: dict | None = None,
    author_name: str = "",
) -> Conversation:
    """Open a conversation with `contact`, optionally with its first message (written by `author_name`, an
    agent on the staff pages), and count it on the contact."""
    conversation = Conversation(
        sub_account=sub_account,
        contact=contact,
        channel=channel,
        subject=subject if subject is not None else "",
        status=status,
        assignee=assignee,
    )
    errors = _validation_errors(conversation, exclude=["sub_account", "contact", "assignee"])
    message = None
    if first_message is not None:
        message, message_errors = _new_message(conversation, first_message)
        message.author_name = author_name[:150]
        errors.update(message_errors)
    if errors:
        raise ValidationError(errors)

    if not _lock_contact(sub_account.pk, contact.pk):
        # Deleted by a concurrent request after the caller found it: what a moment later would answer.
        raise ValidationError({"contact_id": [NO_SUCH_CONTACT]})
    now = timezone.now()
    conversation.created_at = conversation.last_activity_at = now
    if message is not None:
        message.created_at = conversation.last_message_at = now
        conversation.message_count = 1
    conversation.save(force_insert=True)
    if message is not None:
        message.save(force_insert=True)
    _contact_row(contact).update(
        conversation_count=F("conversation_count") + 1, last_conversation=_later_of("last_conversation", now)
    )
    _refresh(contact, _contact_row(contact), ["conversation_count", "last_conversation"])
    event_emit(sub_account=sub_account, type="conversation.created", data=conversation_to_dict(conversation))
    history_record(
        sub_account_id=sub_account.pk,
        contact_id=contact.pk,
        kind=Kind.CONVERSATION,
        changes={"conversation_id": conversation.pk, "channel": conversation.channel, "subject": conversation.subject},
    )
    if message is not None:
        event_emit(sub_account=sub_account, type="message.created", data=message_to_dict(message))
    return conversation


@transaction.atomic
def conversation_update(
    *,
    conversation: Conversation,
    status: str = UNSET,
    subject: str | None = UNSET,
    assignee: AbstractBaseUser | None = UNSET,
) -> Conversation:
    """Change only the fields given. The derived fields are never written here, so this cannot undo a message.
    NotFound if a concurrent request deleted the conversation; nothing is written when nothing changes."""
    # Re-read under a row lock so that concurrent partial updates (a status here, an assignee there) compose.
    # `of=self`: lock only the conversation, not the joined contact (message_create locks the contact, then
    # the conversation; taking both here in another order could deadlock).
    fresh = locked_row(
        Conversation.objects.for_account(conversation.sub_account_id).select_related("contact"), conversation.pk
    )
    before = conversation_to_dict(fresh)
    data = given(status=status, subject=subject, assignee=assignee)
    if "subject" in data and data["subject"] is None:
        data["subject"] = ""

    def clean(instance):
        errors = _validation_errors(instance, exclude=["sub_account", "contact", "assignee"])
        if errors:
            raise ValidationError(errors)

    changed = model_update(fresh, data, clean=clean)
    if changed:
        fresh.save(update_fields=[*changed, "updated_at"])
        after = conversation_to_dict(fresh)
        event_emit(
            sub_account=conversation.sub_account,
            type="conversation.updated",
            data=after,
            changes=changes_between(before, after),
        )
    return fresh


@transaction.atomic
def conversation_delete(*, conversation: Conversation) -> None:
    """Delete a conversation and its messages; the contact's count and last activity follow."""
    # NotFound if a concurrent request deleted it (or its contact, and it with it) first.
    if not _lock_contact(conversation.sub_account_id, conversation.contact_id):
        raise NotFound()
    if not tenant_delete(Conversation.objects.filter(pk=conversation.pk), sub_account_id=conversation.sub_account_id):
        raise NotFound()
    contact_activity_recompute(sub_account_id=conversation.sub_account_id, contact_ids=[conversation.contact_id])


def contact_activity_recompute(*, sub_account_id: int, contact_ids: list[str]) -> None:
    """Set the contacts' `conversation_count` and `last_conversation` from the conversations they have now
    (after a delete, or a merge moving conversations between contacts). The caller holds their row locks."""
    remaining = (
        Conversation.objects.for_account(sub_account_id)
        .filter(contact_id=OuterRef("pk"))
        .order_by()
        .values("contact_id")
    )
    Contact.objects.for_account(sub_account_id).filter(pk__in=contact_ids).update(
        conversation_count=Coalesce(Subquery(remaining.annotate(n=Count("pk")).values("n")), 0),
        last_conversation=Subquery(remaining.annotate(last=Max("last_activity_at")).values("last")),
    )


@transaction.atomic
def message_create(
    *, conversation: Conversation, body: str, direction: str, sender: str, author_name: str = ""
) -> Message:
    """Add a message; moves the conversation's count and last message and the contact's last conversation.

    NotFound if a concurrent request deleted the conversation (or its contact) before the lock was taken.
    """
    message = Message(
        sub_account_id=conversation.sub_account_id,
        conversation=conversation,
        body=body,
        direction=direction,
        sender=sender,
        author_name=author_name[:150],
    )
    errors = _validation_errors(message, exclude=["sub_account", "conversation"])
    if errors:
        raise ValidationError(errors)

    if not _lock_contact(conversation.sub_account_id, conversation.contact_id):
        raise NotFound()
    now = timezone.now()
    moved = (
        Conversation.objects.for_account(conversation.sub_account_id)
        .filter(pk=conversation.pk)
        .update(
            message_count=F("message_count") + 1,
            last_message_at=_later_of("last_message_at", now),
            last_activity_at=_later_of("last_activity_at", now),
            updated_at=now,
        )
    )
    if not moved:
        raise NotFound()
    message.created_at = now
    message.save(force_insert=True)
    event_emit(sub_account=conversation.sub_account, type="message.created", data=message_to_dict(message))
    _contact_row(conversation).update(last_conversation=_later_of("last_conversation", now))
    _refresh(
        conversation,
        Conversation.objects.for_account(conversation.sub_account_id).filter(pk=conversation.pk),
        ["message_count", "last_message_at", "last_activity_at", "updated_at"],
    )
    return message
