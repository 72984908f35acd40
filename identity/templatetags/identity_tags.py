"""The contact page's identity panel: its possible duplicates and the merges into it that can be undone.

A template tag, so the contact page (in `contacts`, below this app) shows it without importing this app."""

from django import template

from identity.duplicates import DEFAULT_THRESHOLD, duplicates_of
from identity.models import Merge

register = template.Library()

CANDIDATES_ON_CONTACT_PAGE = 5
MERGES_ON_CONTACT_PAGE = 5


@register.inclusion_tag("identity/_panel.html")
def identity_panel(contact):
    merges = Merge.objects.for_account(contact.sub_account_id).of_contact(contact.pk)[:MERGES_ON_CONTACT_PAGE]
    return {
        "contact": contact,
        "candidates": duplicates_of(contact, min_score=DEFAULT_THRESHOLD, limit=CANDIDATES_ON_CONTACT_PAGE),
        "merges": list(merges),
    }


REASON_LABELS = {
    "same_email": "same email",
    "same_phone": "same phone",
    "similar_name": "similar name",
    "same_name_same_email_domain": "same name, same email domain",
    "same_name_same_phone_prefix": "same name, same phone prefix",
    "same_name": "same name only",
}


@register.filter
def reason_labels(reasons: list[str]) -> str:
    return "; ".join(REASON_LABELS.get(reason, reason) for reason in reasons)
