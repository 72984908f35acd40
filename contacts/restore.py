"""Putting a contact back as a snapshot recorded it: what undoing a merge does to the contacts merged away."""

from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_datetime

from accounts.models import SubAccount
from contacts.identities import match_keys_refresh
from contacts.models import Contact, ContactIdentity
from contacts.services import _set_tags
from contacts_site.errors import EmailTaken


def contact_snapshot(contact: Contact) -> dict:
    """Everything a contact is, besides its conversations: its API dict and its secondary identities."""
    from contacts.representation import contact_to_dict

    identities = ContactIdentity.objects.for_account(contact.sub_account_id).filter(contact_id=contact.pk)
    return {
        "contact": contact_to_dict(contact),
        "identities": [list(row) for row in identities.order_by("pk").values_list("kind", "value", "merge_id")],
    }


@transaction.atomic
def contact_restore(*, sub_account: SubAccount, snapshot: dict) -> Contact:
    """Recreate a deleted contact as `snapshot` (contact_snapshot) recorded it: same id, fields, tags, custom
    fields, secondary identities and timestamps (so the same ETag). Its conversations are the caller's to move
    back. EmailTaken if another contact holds its email meanwhile."""
    data = snapshot["contact"]
    contact = Contact(
        id=data["id"],
        sub_account=sub_account,
        name=data["name"],
        email=data["email"],
        phone=data["phone"],
        custom_fields=data["custom_fields"],
    )
    try:
        with transaction.atomic():
            contact.save(force_insert=True)
    except IntegrityError:
        holder = contact.email_conflict()
        if holder:
            raise EmailTaken(holder.pk, holder.name) from None
        raise
    timestamps = {"created_at": parse_datetime(data["created_at"]), "updated_at": parse_datetime(data["updated_at"])}
    Contact.objects.for_account(sub_account).filter(pk=contact.pk).update(**timestamps)
    _set_tags(contact, data["tags"], is_new=True)
    ContactIdentity.objects.bulk_create(
        ContactIdentity(sub_account=sub_account, contact=contact, kind=kind, value=value, merge_id=merge_id)
        for kind, value, merge_id in snapshot["identities"]
    )
    match_keys_refresh(contact)
    return contact
