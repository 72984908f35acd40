"""The first page of the contact page's timeline panel (contacts/_timeline.html), so that the panel is one
include in the contact page and needs nothing from its view."""

from django import template

from contacts.forms import NoteForm
from contacts.history import ContactChange
from contacts.timeline import timeline_page
from contacts_site.actions import current_action

register = template.Library()


@register.simple_tag
def timeline_first_page(contact, note_form=None) -> dict:
    """The newest entries, where the next page starts, and the note box (`note_form`: one refused, shown again)."""
    # The contact was read through the page's tenant wall; its entries are read within its sub-account.
    entries = ContactChange.objects.for_account(contact.sub_account_id).of_contact(contact.pk).newest_first()
    items, next_before = timeline_page(entries, action=current_action())
    return {"items": items, "next": next_before, "note_form": note_form or NoteForm()}
