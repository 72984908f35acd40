"""A contact as every door shows it: the API's answers and the webhook events carry the same dict."""

from contacts.history import ContactChange
from contacts.models import Contact
from contacts_site.api import iso_datetime


def contact_to_dict(contact: Contact) -> dict:
    """The contact as the API returns it. A plain function: ModelSerializer costs ~10× more per object."""
    return {
        "id": contact.id,
        "name": contact.name,
        "email": contact.email,
        "phone": contact.phone,
        "tags": contact.tag_names,
        "custom_fields": contact.custom_fields,
        "created_at": iso_datetime(contact.created_at),
        "updated_at": iso_datetime(contact.updated_at),
        "last_conversation": iso_datetime(contact.last_conversation),
        "conversation_count": contact.conversation_count,
    }


def actor_to_dict(entry: ContactChange) -> dict:
    return {"user_id": entry.user_id, "api_key_id": entry.api_key_id, "label": entry.actor_label}


def entry_to_dict(entry: ContactChange) -> dict:
    """A timeline entry as the API returns it. `body` is a note's text (empty for other kinds)."""
    return {
        "id": entry.id,
        "contact_id": entry.contact_id,
        "kind": entry.kind,
        "changes": entry.changes,
        "body": entry.body,
        "source": entry.source,
        "actor": actor_to_dict(entry),
        "action_id": entry.action_id,
        "ref": entry.ref,
        "created_at": iso_datetime(entry.created_at),
        "edited_at": iso_datetime(entry.edited_at),
    }


def note_to_dict(note: ContactChange) -> dict:
    """A note as the API returns it and its webhook events carry."""
    return {
        "id": note.id,
        "contact_id": note.contact_id,
        "body": note.body,
        "author": actor_to_dict(note),
        "source": note.source,
        "created_at": iso_datetime(note.created_at),
        "edited_at": iso_datetime(note.edited_at),
    }


def field_value_to_dict(entry: ContactChange, field: str) -> dict:
    """One value a field has had (the history of one field): the change of `entry` to `field`."""
    change = entry.changes[field]
    return {
        "change_id": entry.id,
        "field": field,
        "from": change.get("from"),
        "to": change.get("to"),
        "source": entry.source,
        "actor": actor_to_dict(entry),
        "action_id": entry.action_id,
        "ref": entry.ref,
        "created_at": iso_datetime(entry.created_at),
    }
