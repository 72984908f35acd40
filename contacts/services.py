"""Writes to contacts: each one atomic, validated by the model, tags and fields together or not at all."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, F, QuerySet
from django.utils import timezone

from accounts.models import SubAccount, tenant_delete
from contacts.history import ContactChange, Kind, contact_change_record, contact_changes_record, entry_new
from contacts.identities import match_keys_refresh, merged_into_ids
from contacts.models import Contact, ContactTag, MergedContact, TaggedContact
from contacts.representation import contact_to_dict, note_to_dict
from contacts.signals import contacts_erased
from contacts.validators import MAX_TAGS, normalize_tags
from contacts_site.actions import acting, current_action
from contacts_site.batching import chunks
from contacts_site.errors import EmailTaken, NotFound, NotYours, StaleVersion
from contacts_site.updates import UNSET, given, locked_row, model_update
from webhooks.events import changes_between
from webhooks.services import event_emit


def _validate(contact: Contact, tags) -> list[str] | None:
    """Full model validation plus the tag list; every problem at once, keyed by field."""
    errors = {}
    try:
        contact.full_clean(exclude=["sub_account"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    normalized_tags = None
    if tags is not UNSET:
        try:
            normalized_tags = normalize_tags(tags)
        except ValidationError as error:
            errors["tags"] = error.messages
    if errors:
        raise ValidationError(errors)
    return normalized_tags


def _tag_ids(sub_account_id: int, names: list[str]) -> set[int]:
    """The ids of the sub-account's tags called `names`, creating those that do not exist yet.

    Created with ON CONFLICT DO NOTHING, then read: two writers adding the same new tag at once both
    end up with the one row, where `create()` would fail the second with an IntegrityError.
    """
    tags = ContactTag.objects.filter(sub_account_id=sub_account_id, name__in=names)
    ids = dict(tags.values_list("name", "id"))
    missing = [name for name in names if name not in ids]
    if missing:
        new_tags = [ContactTag(sub_account_id=sub_account_id, name=name) for name in missing]
        for tag in new_tags:
            tag.slug = tag.slugify(tag.name)  # as TagBase.save() would: bulk_create does not call it
        ContactTag.objects.bulk_create(new_tags, ignore_conflicts=True)
        ids = dict(tags.values_list("name", "id"))
    return set(ids.values())


def _set_tags(contact: Contact, names: list[str], *, is_new: bool) -> None:
    # Not taggit's `tags.set()`: its queries find the links by contact id only; these name the tenant.
    links = TaggedContact.objects.filter(sub_account_id=contact.sub_account_id, content_object_id=contact.pk)
    wanted = _tag_ids(contact.sub_account_id, names)
    current = set() if is_new else set(links.values_list("tag_id", flat=True))
    if current - wanted:
        links.filter(tag_id__in=current - wanted).delete()
    TaggedContact.objects.bulk_create(
        TaggedContact(sub_account_id=contact.sub_account_id, content_object_id=contact.pk, tag_id=tag_id)
        for tag_id in wanted - current
    )


IDENTITY_FIELDS = frozenset({"name", "email", "phone"})


def _write(contact: Contact, tags: list[str] | None, *, update_fields: list[str] | None) -> None:
    is_new = contact._state.adding
    contact.save(update_fields=update_fields)
    if is_new or IDENTITY_FIELDS.intersection(update_fields or ()):
        match_keys_refresh(contact)  # the duplicate candidates' keys, in the same transaction (docs/identity.md)
    if tags is not None:
        _set_tags(contact, tags, is_new=is_new)
        contact.loaded_tag_names = list(tags)  # what the answer and the event show: not read back


def _save(contact: Contact, tags: list[str] | None, *, email_changed: bool, update_fields=None) -> None:
    """Write the contact and its tags. An email being set or changed may belong to another contact:
    the unique constraint says so, inside a savepoint so that the error can still be answered (a 409
    naming that contact). An email left as it was needs no savepoint (two round trips fewer)."""
    if not (email_changed and contact.email):
        _write(contact, tags, update_fields=update_fields)
        return
    try:
        with transaction.atomic():
            _write(contact, tags, update_fields=update_fields)
    except IntegrityError:
        # Not checked before the write: the constraint is the only check a concurrent writer cannot slip
        # past, and the common case (a free email) is then one round trip shorter.
        holder = contact.email_conflict()
        if holder:
            raise EmailTaken(holder.pk, holder.name) from None
        raise


def merge_custom_fields(stored: dict, changes) -> dict:
    """Custom fields are written by merging: keys given overwrite, keys set to null are removed. The same
    for a new contact (merged into nothing), so a stored value is never null."""
    if not isinstance(changes, dict):
        raise ValidationError({"custom_fields": ["Expected an object of key/value pairs."]})
    merged = dict(stored)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _same(one, other) -> bool:
    """Equal and of the same type (1 == True in Python, not in JSON)."""
    return type(one) is type(other) and one == other


def custom_fields_patch(stored: dict, wanted: dict) -> dict:
    """For the doors that edit the whole set at once (the staff form, the admin): the merge that turns
    `stored` into `wanted`, each key removed there given as null. Keys left as they were are not given: they
    are not written (so a value stored before its field's definition changed may stay until edited)."""
    changed = {key: value for key, value in wanted.items() if key not in stored or not _same(stored[key], value)}
    return {**{key: None for key in stored if key not in wanted}, **changed}


@transaction.atomic
def contact_create(
    *,
    sub_account: SubAccount,
    name: str,
    email: str | None = None,
    phone: str | None = None,
    tags: list[str] | None = None,
    custom_fields: dict | None = None,
) -> Contact:
    contact = Contact(sub_account=sub_account, name=name, email=email, phone=phone)
    contact.custom_fields = merge_custom_fields({}, custom_fields or {})
    normalized_tags = _validate(contact, tags if tags is not None else UNSET)
    _save(contact, normalized_tags, email_changed=True)
    if normalized_tags is None:
        contact.loaded_tag_names = []  # a new contact has no tags yet
    contact_change_record(sub_account=sub_account, type="contact.created", data=contact_to_dict(contact))
    contact_count_adjust(sub_account_id=sub_account.pk, delta=1)
    return contact


def contact_count_adjust(*, sub_account_id: int, delta: int) -> None:
    """Keep SubAccount.contact_count exact. Called last in the write's transaction so that the
    sub-account row is locked for as short a time as possible."""
    SubAccount.objects.filter(pk=sub_account_id).update(contact_count=F("contact_count") + delta)


def _locked(contact: Contact) -> Contact:
    """The contact re-read under its row lock, the lock every write to a contact takes (conversation writes
    too), so concurrent writes compose and limits are checked on what is really there. NotFound if a
    concurrent request deleted it after the caller found it: what the caller would have got a moment later.
    """
    return locked_row(Contact.objects.for_account(contact.sub_account_id).select_related("sub_account"), contact.pk)


@transaction.atomic
def contact_update(
    *,
    contact: Contact,
    name: str = UNSET,
    email: str | None = UNSET,
    phone: str | None = UNSET,
    tags: list[str] = UNSET,
    custom_fields: dict = UNSET,
    if_match: list[str] | None = None,
) -> Contact:
    """Change only the fields given. `tags` replaces the set; `custom_fields` merges key by key.

    `if_match` (the request's If-Match ETags) makes the write conditional: StaleVersion if the contact is
    no longer in the state the caller read. A write that changes nothing writes nothing.
    """
    contact = _locked(contact)
    # Its tags in a statement of their own, after the lock: one taken by the lock's statement could
    # predate a writer the lock waited for.
    contact.loaded_tag_names = contact.tag_names
    # Compared before the changes below, raised after validation: a bad body is a 400 whatever its If-Match.
    stale = if_match is not None and not contact.matches_etags(if_match)
    before = contact_to_dict(contact)
    data = given(name=name, email=email, phone=phone)
    contact.custom_fields_written = set()
    if custom_fields is not UNSET:
        data["custom_fields"] = merge_custom_fields(contact.custom_fields, custom_fields)
        contact.custom_fields_written = {key for key, value in custom_fields.items() if value is not None}
    normalized_tags = None

    def clean(instance):
        nonlocal normalized_tags
        normalized_tags = _validate(instance, tags)

    changed = model_update(contact, data, clean=clean)
    if stale:
        raise StaleVersion()
    tags_changed = normalized_tags is not None and normalized_tags != contact.loaded_tag_names
    if not changed and not tags_changed:
        return contact
    # Tags are part of the contact: a change of tags alone moves its updated_at too.
    _save(
        contact,
        normalized_tags if tags_changed else None,
        email_changed="email" in changed,
        update_fields=[*changed, "updated_at"],
    )
    after = contact_to_dict(contact)
    contact_change_record(
        sub_account=contact.sub_account, type="contact.updated", data=after, changes=changes_between(before, after)
    )
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact, if_match: list[str] | None = None) -> None:
    """Erase the contact and everything hanging off it (tags, conversations, messages).

    `if_match`: delete only if the contact is still the version the caller read (else StaleVersion).
    NotFound if a concurrent request deleted it first: that one emitted the `contact.deleted` event.
    """
    if if_match is not None and not _locked(contact).matches_etags(if_match):
        raise StaleVersion()
    if not contacts_delete(sub_account=contact.sub_account, queryset=Contact.objects.filter(pk=contact.pk)):
        raise NotFound()


@transaction.atomic
def contacts_delete(*, sub_account: SubAccount, queryset) -> int:
    """Delete every contact of `queryset` (within `sub_account`) with all it owns; returns how many went.

    The rows are locked first, as conversation writes lock them, so nothing is added to a contact while
    it is being erased; and read, because each one is a `contact.deleted` event carrying its last state:
    a bulk delete is no way around the webhooks.
    """
    ids = _locked_ids(sub_account, queryset)
    if not ids:
        return 0
    # Their tags in a statement of their own, after the lock: one taken by the lock's statement could predate
    # a writer the lock waited for (a bulk tag committed meanwhile would be missing from the event).
    doomed = [
        contact
        for chunk in chunks(ids)
        for contact in Contact.objects.for_account(sub_account)
        .filter(pk__in=chunk)
        .select_related("sub_account")
        .with_tags()
        .order_by("pk")
    ]
    # By id, not by the filter: tenant_delete removes the tag links first, after which a filter on a
    # tag (the staff list's "all matching") would match nothing.
    deleted = sum(
        tenant_delete(Contact.objects.filter(pk__in=chunk), sub_account_id=sub_account.pk)
        for chunk in chunks([contact.pk for contact in doomed])
    )
    # The loaded sub-account, not the caller's: the admin passes a bare SubAccount(pk=…) without a slug.
    contact_changes_record(
        sub_account=doomed[0].sub_account, type="contact.deleted", data=[contact_to_dict(contact) for contact in doomed]
    )
    _merges_forget(sub_account.pk, ids)
    contact_count_adjust(sub_account_id=sub_account.pk, delta=-deleted)
    return deleted


def _merges_forget(sub_account_id: int, contact_ids: list[str]) -> None:
    """What merges kept of the contacts merged into the deleted ones goes with them: the tombstones (those
    ids now answer 404 like the contact's own) and, through `contacts_erased`, the merges' snapshots of
    them. Called after the history was erased: that follows the tombstones."""
    merged_in = merged_into_ids(sub_account_id, contact_ids)
    tombstones = MergedContact.objects.for_account(sub_account_id)
    for chunk in chunks(merged_in):
        tombstones.filter(pk__in=chunk).delete()
    contacts_erased.send(sender=Contact, sub_account_id=sub_account_id, contact_ids=[*contact_ids, *merged_in])


@transaction.atomic
def contact_counts_recompute() -> None:
    """Repair every sub-account's contact_count from the rows (after raw imports or manual SQL)."""
    counts = (
        Contact.objects.unscoped().values("sub_account").annotate(n=models.Count("pk")).values_list("sub_account", "n")
    )
    by_account = dict(counts)
    for sub_account in SubAccount.objects.select_for_update().only("pk", "contact_count"):
        exact = by_account.get(sub_account.pk, 0)
        if sub_account.contact_count != exact:
            SubAccount.objects.filter(pk=sub_account.pk).update(contact_count=exact)


def _locked_ids(sub_account: SubAccount, contacts: QuerySet[Contact]) -> list[str]:
    """The ids of `contacts` within `sub_account` (a bulk write never reaches past the tenant wall), their
    rows locked as every write to a contact locks them: counts and limits read after this are what is
    really there, and a contact deleted meanwhile is simply not among them."""
    inner = contacts.filter(sub_account=sub_account).values("pk")  # the subquery names the tenant too
    scoped = Contact.objects.for_account(sub_account).filter(pk__in=inner)
    return list(scoped.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))


def _one_tag(tag: str) -> str:
    try:
        return normalize_tags([tag])[0]
    except ValidationError as error:
        raise ValidationError({"tag": error.messages}) from None


@transaction.atomic
def contact_bulk_add_tag(*, sub_account: SubAccount, contacts: QuerySet[Contact], tag: str) -> int:
    """Tag every contact in `contacts` (a filter, however many it matches); returns how many gained the tag.

    All or nothing: if any of them already holds the maximum number of tags, none is changed. Nothing is
    written, not even the tag, when none of `contacts` is the sub-account's.
    """
    name = _one_tag(tag)
    ids = _locked_ids(sub_account, contacts)
    links = TaggedContact.objects.filter(sub_account=sub_account)
    missing = []
    full = 0
    for chunk in chunks(ids):
        tagged = set(
            links.filter(content_object_id__in=chunk, tag__name=name).values_list("content_object_id", flat=True)
        )
        untagged = [pk for pk in chunk if pk not in tagged]
        full += (
            links.filter(content_object_id__in=untagged)
            .values("content_object_id")
            .annotate(tag_count=Count("pk"))
            .filter(tag_count__gte=MAX_TAGS)
            .count()
        )
        missing += untagged
    if full:
        raise ValidationError(
            {"tag": [f"{full} of these contacts already have {MAX_TAGS} tags (the most a contact can have)."]}
        )
    if not missing:
        return 0
    (tag_id,) = _tag_ids(sub_account.pk, [name])
    now = timezone.now()
    for chunk in chunks(missing):
        # Tags are part of the contact: like an edit through the API, this moves its updated_at.
        Contact.objects.for_account(sub_account).filter(pk__in=chunk).update(updated_at=now)
        TaggedContact.objects.bulk_create(
            [TaggedContact(sub_account=sub_account, content_object_id=pk, tag_id=tag_id) for pk in chunk]
        )
    _emit_tag_changes(sub_account, missing, added=name)
    return len(missing)


@transaction.atomic
def contact_bulk_remove_tag(*, sub_account: SubAccount, contacts: QuerySet[Contact], tag: str) -> int:
    """Untag every contact in `contacts`; returns how many lost the tag. An unknown tag changes nothing."""
    name = _one_tag(tag)
    tag_id = ContactTag.objects.filter(sub_account=sub_account, name=name).values_list("pk", flat=True).first()
    if tag_id is None:
        return 0
    removed = []
    now = timezone.now()
    for chunk in chunks(_locked_ids(sub_account, contacts)):
        links = TaggedContact.objects.filter(sub_account=sub_account, tag_id=tag_id, content_object_id__in=chunk)
        untagged = list(links.values_list("content_object_id", flat=True))
        if untagged:
            Contact.objects.for_account(sub_account).filter(pk__in=untagged).update(updated_at=now)
            links.delete()
            removed += untagged
    _emit_tag_changes(sub_account, removed, removed=name)
    return len(removed)


def _emit_tag_changes(sub_account: SubAccount, ids: list[str], *, added: str = "", removed: str = "") -> None:
    """One `contact.updated` per contact whose tags a bulk action changed, and its history entry: bulk is no
    way around webhooks or history. Every chunk's entries share one action."""
    action = current_action()
    for chunk in chunks(ids):
        contacts = (
            Contact.objects.for_account(sub_account).filter(pk__in=chunk).select_related("sub_account").with_tags()
        )
        data = [contact_to_dict(contact) for contact in contacts]
        changes = [
            {
                "tags": {
                    "from": sorted(set(item["tags"]) - {added} if added else {*item["tags"], removed}),
                    "to": item["tags"],
                }
            }
            for item in data
        ]
        contact_changes_record(
            sub_account=sub_account, type="contact.updated", data=data, changes=changes, action=action
        )


def _validated_note(note: ContactChange) -> ContactChange:
    note.full_clean(exclude=["sub_account"], validate_unique=False, validate_constraints=False)
    return note


@transaction.atomic
def note_create(*, contact: Contact, body: str) -> ContactChange:
    """Add a note to `contact`, written by whoever acts (current_action). Under the contact's lock: a note
    added while the contact is being deleted would outlive the erasure of its history."""
    contact = _locked(contact)
    note = _validated_note(
        entry_new(sub_account_id=contact.sub_account_id, contact_id=contact.pk, kind=Kind.NOTE, body=body)
    )
    note.save(force_insert=True)
    event_emit(sub_account=contact.sub_account, type="note.created", data=note_to_dict(note))
    return note


def _own_note(note: ContactChange) -> ContactChange:
    """The note re-read under its row lock, if whoever acts wrote it: NotYours otherwise."""
    note = locked_row(ContactChange.objects.for_account(note.sub_account_id).notes(), note.pk)
    if not note.written_by(current_action()):
        raise NotYours()
    return note


@transaction.atomic
def note_update(*, note: ContactChange, body: str = UNSET) -> ContactChange:
    """Change the text of one's own note. The same text again, or none, changes nothing."""
    note = _own_note(note)
    if not model_update(note, given(body=body), clean=_validated_note):
        return note
    note.edited_at = timezone.now()
    note.save(update_fields=["body", "edited_at"])
    event_emit(sub_account=SubAccount(pk=note.sub_account_id), type="note.updated", data=note_to_dict(note))
    return note


@transaction.atomic
def note_delete(*, note: ContactChange) -> None:
    note = _own_note(note)
    ContactChange.objects.for_account(note.sub_account_id).filter(pk=note.pk).delete()
    event_emit(sub_account=SubAccount(pk=note.sub_account_id), type="note.deleted", data=note_to_dict(note))


def _undo_tags(change: dict, current: list[str]) -> list[str]:
    """The tags with one change undone: those it added removed, those it removed put back; the changes
    made since, to other tags, stay."""
    before, after = set(change.get("from") or []), set(change.get("to") or [])
    return sorted((set(current) - (after - before)) | (before - after))


@transaction.atomic
def contact_change_revert(
    *, contact: Contact, change_id: str, field: str, if_match: list[str] | None = None
) -> Contact:
    """Undo what one history entry did to one field, through contact_update (so If-Match and the no-op rule
    hold), recorded as source `revert` with the entry's id as its `ref`.

    `field`: `name`, `email`, `phone` (back to the entry's `from`), `tags` (what the entry added removed and
    what it removed put back), `custom_fields` (every key the entry changed back) or `custom_fields.<key>`.
    """
    contact = _locked(contact)
    entry = (
        ContactChange.objects.for_account(contact.sub_account_id)
        .of_contact(contact.pk)
        .filter(pk=change_id, kind__in=[Kind.CREATED, Kind.CHANGED])
        .first()
    )
    if entry is None:
        raise NotFound("This contact has no such change.")
    name, _, key = field.partition(".")
    change = entry.changes.get(name)
    if change is None or (key and name != "custom_fields"):
        raise ValidationError({"field": [f"This change did not change {field}."]})
    if name == "tags":
        values = {"tags": _undo_tags(change, contact.tag_names)}
    elif name == "custom_fields":
        before, after = change.get("from") or {}, change.get("to") or {}
        keys = [key] if key else [k for k in {*before, *after} if before.get(k) != after.get(k)]
        if key and before.get(key) == after.get(key):
            raise ValidationError({"field": [f"This change did not change {field}."]})
        values = {"custom_fields": {k: before.get(k) for k in keys}}
    else:
        values = {name: change.get("from")}
    with acting(source="revert", ref=entry.id):
        return contact_update(contact=contact, if_match=if_match, **values)


def contact_row_clean(contact: Contact, tags=UNSET) -> list[str] | None:
    """The validation every contact write runs (model validators and normalizers, the tag rules), for a
    write that saves in bulk (the import): ValidationError keyed by field, or the normalized tags."""
    return _validate(contact, tags)


def tag_ids_ensure(*, sub_account_id: int, names: list[str]) -> set[int]:
    """The ids of the sub-account's tags called `names`, creating the missing ones (see _tag_ids)."""
    return _tag_ids(sub_account_id, names)
