"""Merging contacts into one, previewing it, and undoing it (docs/identity.md has the rules in a user's words).

A merge, under the row locks of every contact in it (taken in id order, as conversation writes take a contact's):
1. check the versions the caller read (`expected_versions`, the contacts' ETags): a change since → Conflict;
2. plan the result: the target's values win, its blanks filled from the sources newest first (or the value of
   the contact the caller chose, field by field); tags united; custom fields merged by key, the target's winning;
   every email and phone not kept as the contact's own stays as a secondary identity;
3. snapshot every contact (fields, tags, custom fields, identities, conversation ids) for the undo;
4. move the sources' conversations (their messages follow) to the target, delete the sources, leave a tombstone
   for each old id, write the target through `contacts.services.contact_update`, recompute its derived fields;
5. record the merge and emit `contact.merged`.
All inside `acting(source="merge", ref=<merge id>)`, so the history attributes every write to the merge.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.http import parse_etags

from accounts.models import SubAccount, tenant_delete
from contacts.history import Kind, history_record
from contacts.identities import match_keys_refresh, survivor_of
from contacts.models import Contact, ContactIdentity, MergedContact
from contacts.representation import contact_to_dict
from contacts.restore import contact_restore, contact_snapshot
from contacts.services import contact_count_adjust, contact_update, custom_fields_patch
from contacts.validators import MAX_TAGS
from contacts_site.actions import acting
from contacts_site.api import iso_datetime
from contacts_site.batching import chunks
from contacts_site.errors import Conflict, DomainError, EmailTaken, NotFound
from conversations.models import Conversation
from conversations.services import contact_activity_recompute
from identity.duplicates import pairs_rescore
from identity.models import Merge, new_merge_id
from webhooks.events import changes_between
from webhooks.services import event_emit

MAX_SOURCES = 10
# The fields a contact holds one value of: the caller may choose which contact's value wins, field by field.
CHOOSABLE_FIELDS = ("name", "email", "phone")


class MergeRefused(DomainError):
    """A merge that cannot be: a contact with itself, no sources, too many (a 400)."""


@dataclass
class MergePlan:
    target: Contact
    sources: list[Contact]  # newest first
    values: dict  # name, email, phone of the result
    value_from: dict  # field → the id of the contact whose value it is (None when no contact has one)
    tags: list[str]
    custom_fields: dict
    custom_field_from: dict
    secondary: list[tuple[str, str]]  # (kind, value) the target keeps besides its own
    conversation_count: int
    last_conversation: datetime | None
    versions: dict = field(default_factory=dict)

    def result(self) -> dict:
        """The contact the merge would leave, as the API shows a contact (timestamps as they are now)."""
        preview = contact_to_dict(self.target)
        preview.update(self.values, tags=self.tags, custom_fields=self.custom_fields)
        preview["conversation_count"] = self.conversation_count
        preview["last_conversation"] = iso_datetime(self.last_conversation)
        return preview

    def explanation(self) -> dict:
        return {
            "contact": self.result(),
            "fields": {name: {"value": self.values[name], "from": self.value_from[name]} for name in CHOOSABLE_FIELDS},
            "custom_fields": {
                key: {"value": value, "from": self.custom_field_from[key]} for key, value in self.custom_fields.items()
            },
            "secondary_identities": [{"kind": kind, "value": value} for kind, value in self.secondary],
            "conversations_moved": self.conversation_count - self.target.conversation_count,
            "versions": self.versions,
        }


def _refuse_shape(target_id: str, source_ids: list[str]) -> None:
    if not source_ids:
        raise MergeRefused("Name at least one contact to merge into this one.")
    if len(source_ids) > MAX_SOURCES:
        raise MergeRefused(f"At most {MAX_SOURCES} contacts can be merged at once.")
    if target_id in source_ids:
        raise MergeRefused("A contact cannot be merged with itself.")
    if len(set(source_ids)) != len(source_ids):
        raise MergeRefused("Each contact to merge must be named once.")


def _locked_participants(sub_account: SubAccount, target_id: str, source_ids: list[str]) -> dict[str, Contact]:
    """Every contact of the merge under its row lock, in id order. One already merged away is a Conflict naming
    where it went; one that is not there (or is another sub-account's) is NotFound."""
    ids = [target_id, *source_ids]
    contacts = {
        contact.pk: contact
        for contact in Contact.objects.for_account(sub_account)
        .filter(pk__in=ids)
        .select_for_update(of=("self",))
        .select_related("sub_account")
        .with_tags()
        .order_by("pk")
    }
    for contact_id in ids:
        if contact_id in contacts:
            continue
        tombstone = survivor_of(sub_account.pk, contact_id)
        if tombstone is not None:
            raise Conflict(
                f"Contact {contact_id} was already merged into {tombstone.survivor_id}.",
                conflicts=[{"contact_id": contact_id, "merged_into": tombstone.survivor_id}],
            )
        raise NotFound(f"No contact {contact_id} in this sub-account.")
    return contacts


def _check_versions(contacts: dict[str, Contact], expected_versions: dict[str, str]) -> None:
    unknown = sorted(set(expected_versions) - set(contacts))
    if unknown:
        raise ValidationError({"expected_versions": [f"Not a contact of this merge: {', '.join(unknown)}."]})
    stale = [
        contact_id
        for contact_id, version in expected_versions.items()
        if not contacts[contact_id].matches_etags(parse_etags(version) or [f'"{version}"'])
    ]
    if stale:
        raise Conflict(
            "A contact changed since you read it; preview the merge again.",
            conflicts=[{"contact_id": contact_id, "version": contacts[contact_id].etag} for contact_id in stale],
        )


def _plan(target: Contact, sources: list[Contact], choices: dict[str, str]) -> MergePlan:
    participants = {contact.pk: contact for contact in [target, *sources]}
    bad = {name: ["Not a field of the merge."] for name in choices if name not in CHOOSABLE_FIELDS}
    bad |= {
        name: ["Not a contact of this merge."]
        for name, contact_id in choices.items()
        if name in CHOOSABLE_FIELDS and contact_id not in participants
    }
    if bad:
        raise ValidationError({"fields": [f"{name}: {messages[0]}" for name, messages in bad.items()]})
    sources = sorted(sources, key=lambda contact: (contact.updated_at, contact.pk), reverse=True)
    in_order = [target, *sources]
    values, value_from = {}, {}
    for name in CHOOSABLE_FIELDS:
        chosen = participants.get(choices.get(name, ""))
        holder = chosen or next((contact for contact in in_order if getattr(contact, name)), None)
        values[name] = getattr(holder, name) if holder else None
        value_from[name] = holder.pk if holder and values[name] else None
    custom_fields, custom_field_from = {}, {}
    for contact in reversed(in_order):  # the newest source, then the target, written last, win
        for key, value in contact.custom_fields.items():
            custom_fields[key], custom_field_from[key] = value, contact.pk
    tags = sorted({tag for contact in in_order for tag in contact.tag_names})
    if len(tags) > MAX_TAGS:
        raise ValidationError(
            {"tags": [f"Together these contacts have {len(tags)} tags; a contact can have {MAX_TAGS}."]}
        )
    secondary = []
    for contact in in_order:
        for kind, value in [("email", contact.email), ("phone", contact.phone), *_identities(contact)]:
            if value and value != values[kind] and (kind, value) not in secondary:
                secondary.append((kind, value))
    last = [contact.last_conversation for contact in in_order if contact.last_conversation]
    return MergePlan(
        target=target,
        sources=sources,
        values=values,
        value_from=value_from,
        tags=tags,
        custom_fields=custom_fields,
        custom_field_from=custom_field_from,
        secondary=secondary,
        conversation_count=sum(contact.conversation_count for contact in in_order),
        last_conversation=max(last) if last else None,
        versions={contact.pk: contact.etag for contact in in_order},
    )


def _identities(contact: Contact) -> list[tuple[str, str]]:
    rows = ContactIdentity.objects.for_account(contact.sub_account_id).filter(contact_id=contact.pk)
    return list(rows.order_by("pk").values_list("kind", "value"))


def _conversation_ids(sub_account_id: int, contact_id: str) -> list[str]:
    conversations = Conversation.objects.for_account(sub_account_id).filter(contact_id=contact_id)
    return list(conversations.order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def contact_merge(
    *,
    sub_account: SubAccount,
    target_id: str,
    source_ids: list[str],
    expected_versions: dict[str, str] | None = None,
    choices: dict[str, str] | None = None,
    preview: bool = False,
) -> tuple[MergePlan, Merge | None]:
    """Merge `source_ids` into `target_id` (or, with `preview`, only say what that would give: nothing is
    written). Returns the plan and the recorded merge."""
    _refuse_shape(target_id, source_ids)
    contacts = _locked_participants(sub_account, target_id, source_ids)
    _check_versions(contacts, expected_versions or {})
    target = contacts[target_id]
    plan = _plan(target, [contacts[pk] for pk in source_ids], choices or {})
    if preview:
        return plan, None
    merge_id = new_merge_id()
    with acting(source="merge", ref=merge_id):
        merge = _merge(plan, merge_id)
    return plan, merge


def _merge(plan: MergePlan, merge_id: str) -> Merge:
    target, sources = plan.target, plan.sources
    sub_account = target.sub_account
    before = {
        "target": {**contact_snapshot(target), "conversation_ids": _conversation_ids(sub_account.pk, target.pk)},
        "sources": [
            {**contact_snapshot(source), "conversation_ids": _conversation_ids(sub_account.pk, source.pk)}
            for source in sources
        ],
    }
    source_ids = [source.pk for source in sources]
    Conversation.objects.for_account(sub_account).filter(contact_id__in=source_ids).update(contact_id=target.pk)
    # Deleted before the target is written: their emails are free for it to take.
    tenant_delete(Contact.objects.filter(pk__in=source_ids), sub_account_id=sub_account.pk)
    MergedContact.objects.bulk_create(
        MergedContact(id=pk, sub_account=sub_account, survivor_id=target.pk, merge_id=merge_id) for pk in source_ids
    )
    own = {("email", target.email), ("phone", target.phone), *_identities(target)}
    ContactIdentity.objects.bulk_create(
        ContactIdentity(sub_account=sub_account, contact=target, kind=kind, value=value, merge_id=merge_id)
        for kind, value in plan.secondary
        if (kind, value) not in own
    )
    # The values the target gives up become secondary identities above, so writing them cannot lose one.
    contact_update(
        contact=target,
        **plan.values,
        tags=plan.tags,
        custom_fields=custom_fields_patch(target.custom_fields, plan.custom_fields),
    )
    contact_activity_recompute(sub_account_id=sub_account.pk, contact_ids=[target.pk])
    contact_count_adjust(sub_account_id=sub_account.pk, delta=-len(sources))
    # The timeline's "merged" line; the sources' own history stays under their ids and shows on the
    # survivor's timeline while the merge stands (contacts.history: of_contact).
    history_record(
        sub_account_id=sub_account.pk,
        contact_id=target.pk,
        kind=Kind.MERGE,
        changes={"merged": [_named(source.name, source.pk) for source in sources]},
    )
    survivor = Contact.objects.for_account(sub_account).select_related("sub_account").with_tags().get(pk=target.pk)
    match_keys_refresh(survivor)
    pairs_rescore(sub_account.pk, [survivor.pk])
    after = contact_to_dict(survivor)
    changes = changes_between(before["target"]["contact"], after)
    merge = Merge.objects.create(
        id=merge_id,
        sub_account=sub_account,
        target_id=survivor.pk,
        source_ids=source_ids,
        before=before,
        after=after,
        changes=changes,
    )
    event_emit(
        sub_account=sub_account,
        type="contact.merged",
        data={
            "merge_id": merge_id,
            "contact": after,
            "sources": [snapshot["contact"] for snapshot in before["sources"]],
        },
        changes=changes,
    )
    return merge


def merges_forget(*, sub_account_id: int, contact_ids: list[str], **_signal) -> None:
    """Deleted contacts take along the merges into them: their snapshots hold the merged contacts' values,
    and history is never a back door to erased data (contacts.signals.contacts_erased)."""
    merges = Merge.objects.for_account(sub_account_id)
    for chunk in chunks(contact_ids):
        merges.filter(target_id__in=chunk).delete()


def _named(name: str, contact_id: str) -> str:
    return f"{name} ({contact_id})"


def _undo_blockers(merge: Merge, target: Contact | None) -> list[dict]:
    """What stops the undo: the target changed since the merge, or gone; a source's email taken by another."""
    if target is None:
        tombstone = survivor_of(merge.sub_account_id, merge.target_id)
        if tombstone is not None:
            return [{"reason": "target_merged", "contact_id": merge.target_id, "merged_into": tombstone.survivor_id}]
        return [{"reason": "target_deleted", "contact_id": merge.target_id}]
    blockers = [
        {"reason": "target_changed", "contact_id": target.pk, "field": name}
        for name in changes_between(merge.after, contact_to_dict(target))
    ]
    for snapshot in merge.before["sources"]:
        email = snapshot["contact"]["email"]
        holder = Contact.objects.for_account(merge.sub_account_id).filter(email=email).exclude(pk=target.pk).first()
        if email and holder is not None:
            blockers.append({"reason": "email_taken", "contact_id": holder.pk, "email": email})
    return blockers


@transaction.atomic
def merge_undo(*, sub_account: SubAccount, merge_id: str) -> Merge:
    """Put every contact of the merge back as it was: the sources with their fields, tags, identities and
    conversations (same ids), the target as before the merge. Refused (Conflict, saying what blocks it) once
    the target changed since the merge, after the undo window, or a second time."""
    merge = Merge.objects.for_account(sub_account).select_for_update().filter(pk=merge_id).first()
    if merge is None:
        raise NotFound("No merge with this id in this sub-account.")
    if merge.undone_at is not None:
        raise Conflict("This merge was already undone.", conflicts=[{"reason": "already_undone"}])
    if not merge.can_be_undone:
        raise Conflict(
            "A merge can be undone for 30 days; this one is older.", conflicts=[{"reason": "undo_window_closed"}]
        )
    target = (
        Contact.objects.for_account(sub_account)
        .select_for_update(of=("self",))
        .select_related("sub_account")
        .with_tags()
        .filter(pk=merge.target_id)
        .first()
    )
    blockers = _undo_blockers(merge, target)
    if blockers:
        raise Conflict("The merge cannot be undone: the contacts changed since (see conflicts).", conflicts=blockers)
    with acting(source="revert", ref=merge.pk):
        _undo(merge, target)
    return merge


def _undo(merge: Merge, target: Contact) -> None:
    sub_account = target.sub_account
    before = merge.before["target"]["contact"]
    ContactIdentity.objects.for_account(sub_account).filter(contact_id=target.pk, merge_id=merge.pk).delete()
    try:
        contact_update(
            contact=target,
            name=before["name"],
            email=before["email"],
            phone=before["phone"],
            tags=before["tags"],
            custom_fields=custom_fields_patch(target.custom_fields, before["custom_fields"]),
        )
        restored = [contact_restore(sub_account=sub_account, snapshot=snapshot) for snapshot in merge.before["sources"]]
    except EmailTaken as taken:  # checked above; a write that slipped in between the check and this
        raise Conflict(
            "The merge cannot be undone: the contacts changed since (see conflicts).",
            conflicts=[{"reason": "email_taken", "contact_id": taken.contact_id}],
        ) from None
    conversations = Conversation.objects.for_account(sub_account).filter(contact_id=target.pk)
    for snapshot in merge.before["sources"]:
        conversations.filter(pk__in=snapshot["conversation_ids"]).update(contact_id=snapshot["contact"]["id"])
    contact_ids = [target.pk, *(contact.pk for contact in restored)]
    history_record(
        sub_account_id=sub_account.pk,
        contact_id=target.pk,
        kind=Kind.MERGE,
        changes={"unmerged": [_named(contact.name, contact.pk) for contact in restored]},
    )
    for contact in restored:
        history_record(
            sub_account_id=sub_account.pk,
            contact_id=contact.pk,
            kind=Kind.MERGE,
            changes={"unmerged_from": _named(target.name, target.pk)},
        )
    contact_activity_recompute(sub_account_id=sub_account.pk, contact_ids=contact_ids)
    MergedContact.objects.for_account(sub_account).filter(merge_id=merge.pk).delete()
    contact_count_adjust(sub_account_id=sub_account.pk, delta=len(restored))
    match_keys_refresh(target)
    pairs_rescore(sub_account.pk, contact_ids)
    merge.undone_at = timezone.now()
    merge.save(update_fields=["undone_at"])
    contacts = Contact.objects.for_account(sub_account).select_related("sub_account").with_tags()
    event_emit(
        sub_account=sub_account,
        type="contact.unmerged",
        data={
            "merge_id": merge.pk,
            "contact": contact_to_dict(contacts.get(pk=target.pk)),
            "sources": [
                contact_to_dict(contact) for contact in contacts.filter(pk__in=merge.source_ids).order_by("pk")
            ],
        },
    )
