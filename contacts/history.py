"""A contact's timeline: one table (`ContactChange`) holding what happened to a contact and the team's notes.

Every write of a contact records here through `contact_changes_record`, the same call that writes its webhook
events: the history entry and the event are made from the one computed `changes`, so they cannot disagree
(docs/timeline.md). Who acted comes from `contacts_site.actions.current_action()`, set by the door.

The doors that write contacts in sets (the import, the merge) record through the same two functions the
services use, documented in docs/timeline.md:

- `contact_changes_record(sub_account=…, type="contact.created"|"contact.updated"|"contact.deleted",
  data=[contact dicts], changes=[per contact])`: the webhook events and the history entries of many contacts,
  a few statements per 1,000 contacts, all sharing one action id;
- `history_record(sub_account_id=…, contact_id=…, kind=…, changes=…)`: an entry without an event
  (a conversation started, a merge).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models, transaction
from django.utils import timezone

from accounts.models import SubAccount, TenantModel, TenantQuerySet
from contacts_site.actions import SOURCES, Action, current_action
from contacts_site.batching import chunks
from contacts_site.ids import prefixed_id
from contacts_site.validation import validate_not_blank, validate_text
from webhooks.services import events_emit

MAX_NOTE_LENGTH = 10_000
# The fields of a contact its history follows: the ones a person or an integration writes.
HISTORY_FIELDS = ("name", "email", "phone", "tags", "custom_fields")
# Rows per statement: SQLite caps the parameters of one statement.
CHUNK = 1000


class Kind(models.TextChoices):
    CREATED = "created", "Created"
    CHANGED = "changed", "Changed"
    DELETED = "deleted", "Deleted"
    NOTE = "note", "Note"
    CONVERSATION = "conversation", "Conversation started"
    MERGE = "merge", "Merged"


EVENT_KINDS = {"contact.created": Kind.CREATED, "contact.updated": Kind.CHANGED, "contact.deleted": Kind.DELETED}


def new_entry_id() -> str:
    return prefixed_id("hst")


def new_note_id() -> str:
    return prefixed_id("nt")


class ContactChangeQuerySet(TenantQuerySet):
    def of_contact(self, contact_id: str):
        """The contact's entries, and those of the contacts merged into it while the merge stands."""
        from contacts.identities import merged_into_ids  # it imports the models, which import this module

        return self.filter(contact_id__in=[contact_id, *merged_into_ids(self.tenant_id, [contact_id])])

    def newest_first(self):
        return self.order_by("-created_at", "-id")

    def notes(self):
        return self.filter(kind=Kind.NOTE)

    def touching(self, field: str):
        """Entries that changed `field` (one of HISTORY_FIELDS)."""
        return self.filter(kind__in=[Kind.CREATED, Kind.CHANGED], changes__has_key=field)


class ContactChange(TenantModel):
    """One entry of a contact's timeline: a change (from → to per field), its creation or deletion, a
    conversation started, a merge, or a note. Who acted: `source`, the user or API key, and a label naming
    them for people (kept even when the user or key is gone).

    `contact_id` is not a foreign key: the entry that says a contact was deleted outlives the contact.
    """

    id = models.CharField(primary_key=True, max_length=32, default=new_entry_id, editable=False)
    sub_account = models.ForeignKey(SubAccount, on_delete=models.CASCADE, related_name="+", db_index=False)
    contact_id = models.CharField(max_length=32)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # `{"field": {"from": …, "to": …}}` as the webhook event's `changes`; a conversation's or a merge's facts.
    changes = models.JSONField(default=dict, blank=True)
    # A note's text (kind `note`).
    body = models.TextField(
        blank=True,
        max_length=MAX_NOTE_LENGTH,
        validators=[MaxLengthValidator(MAX_NOTE_LENGTH), validate_not_blank, validate_text],
    )
    source = models.CharField(max_length=16, choices=[(source, source) for source in SOURCES])
    action_id = models.CharField(max_length=32)
    user_id = models.BigIntegerField(null=True, blank=True)
    api_key_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=200, blank=True)
    # The import or merge the change belongs to (`imp_…`, `mrg_…`).
    ref = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True)

    objects = ContactChangeQuerySet.as_manager()

    class Meta:
        verbose_name = "contact history entry"
        verbose_name_plural = "contact history"
        indexes = [
            # The timeline, newest first, and a field's history (filtered on the same contact's rows).
            models.Index(fields=["sub_account", "contact_id", "-created_at", "-id"], name="contactchange_timeline"),
            # prune_history: the old entries of a sub-account.
            models.Index(fields=["sub_account", "created_at"], name="contactchange_age"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.contact_id} ({self.source})"

    def clean(self):
        if self.kind == Kind.NOTE and not self.body:
            raise ValidationError({"body": ["This field cannot be blank."]})

    @property
    def is_note(self) -> bool:
        return self.kind == Kind.NOTE

    def written_by(self, action: Action) -> bool:
        """Whether `action`'s actor wrote this note: the same staff user, or the same API key."""
        if action.user_id is not None:
            return self.user_id == action.user_id
        if action.api_key_id is not None:
            return self.api_key_id == action.api_key_id
        return action.source == "system"  # a shell or a maintenance command may tidy any note


def entry_new(*, sub_account_id: int, contact_id: str, kind: str, changes=None, body: str = "", action=None):
    """An unsaved entry carrying `action`'s actor (by default the current one)."""
    action = action or current_action()
    return ContactChange(
        id=new_note_id() if kind == Kind.NOTE else new_entry_id(),
        sub_account_id=sub_account_id,
        contact_id=contact_id,
        kind=kind,
        changes=changes or {},
        body=body,
        source=action.source,
        action_id=action.id,
        user_id=action.user_id,
        api_key_id=action.api_key_id,
        actor_label=action.actor_label,
        ref=action.ref,
    )


def _recording() -> bool:
    return settings.CONTACT_HISTORY_ENABLED


def history_record(
    *, sub_account_id: int, contact_id: str, kind: str, changes: dict | None = None, action: Action | None = None
) -> ContactChange | None:
    """Add one entry with no webhook event of its own: a conversation started, a merge."""
    if not _recording():
        return None
    entry = entry_new(sub_account_id=sub_account_id, contact_id=contact_id, kind=kind, changes=changes, action=action)
    entry.save(force_insert=True)
    return entry


def initial_values(contact: dict) -> dict:
    """A new contact's history: every field it was created with, as changes from nothing."""
    return {
        field: {"from": None, "to": contact[field]}
        for field in HISTORY_FIELDS
        if contact.get(field) not in (None, [], {})
    }


def history_erase(*, sub_account_id: int, contact_ids: list[str]) -> None:
    """Erase what these contacts' history says about them: their notes go, the other entries lose their values
    (fields' from/to, a conversation's subject). What happened, when, by whom and from where stays. The
    history of the contacts merged into them is theirs too, and goes the same way."""
    from contacts.identities import merged_into_ids  # it imports the models, which import this module

    contact_ids = [*contact_ids, *merged_into_ids(sub_account_id, contact_ids)]
    entries = ContactChange.objects.for_account(sub_account_id)
    for chunk in chunks(contact_ids):
        entries.filter(contact_id__in=chunk, kind=Kind.NOTE).delete()
        entries.filter(contact_id__in=chunk).update(changes={})


@transaction.atomic(savepoint=False)
def contact_changes_record(
    *,
    sub_account: SubAccount,
    type: str,
    data: list[dict],
    changes: list[dict] | None = None,
    action: Action | None = None,
) -> None:
    """The one record of a write of contacts: each contact's webhook event (`type`, its dict `data`, its
    `changes`) and its history entry, made from the same values, in the write's transaction.

    `contact.created` records the values it was created with; `contact.deleted` erases the contacts' earlier
    entries (history_erase) and records the deletion without any value. All entries of one call share
    `action` (by default the current one): a bulk service passes the one it read first to each chunk.
    """
    events_emit(sub_account=sub_account, type=type, data=data, changes=changes)
    kind = EVENT_KINDS[type]
    if kind == Kind.CREATED:
        values = [initial_values(item) for item in data]
    elif kind == Kind.DELETED:
        values = [{} for _ in data]
    elif changes is None:
        raise ValueError("A contact.updated record needs the changes of each contact.")
    else:
        values = changes
    contact_histories_record(
        sub_account_id=sub_account.pk,
        kind=kind,
        entries=list(zip((item["id"] for item in data), values, strict=True)),
        action=action,
    )


def contact_histories_record(
    *, sub_account_id: int, kind: str, entries: list[tuple[str, dict]], action: Action | None = None
) -> None:
    """History entries with no webhook event: for a write that announces itself once as a whole (an import
    sends one `import.completed`, docs/import-export.md) and for contact_changes_record. `entries` are
    (contact id, changes) pairs — for `created` the values it was created with (initial_values); a `deleted`
    entry first erases the contacts' earlier entries (history_erase) and keeps no value. All share `action`
    (by default the current one)."""
    if not _recording() or not entries:
        return
    action = action or current_action()
    if kind == Kind.DELETED:
        history_erase(sub_account_id=sub_account_id, contact_ids=[contact_id for contact_id, _ in entries])
        entries = [(contact_id, {}) for contact_id, _ in entries]
    ContactChange.objects.bulk_create(
        [
            entry_new(sub_account_id=sub_account_id, contact_id=contact_id, kind=kind, changes=value, action=action)
            for contact_id, value in entries
        ],
        batch_size=CHUNK,
    )


def contact_change_record(
    *, sub_account: SubAccount, type: str, data: dict, changes: dict | None = None, action: Action | None = None
) -> None:
    """contact_changes_record for one contact."""
    contact_changes_record(
        sub_account=sub_account,
        type=type,
        data=[data],
        changes=None if changes is None else [changes],
        action=action,
    )


def history_prune(*, sub_account_id: int, before) -> int:
    """Delete the entries older than `before` (notes stay: they are the team's, not the history's)."""
    old = ContactChange.objects.for_account(sub_account_id).filter(created_at__lt=before).exclude(kind=Kind.NOTE)
    return old.delete()[0]
