"""Signals for the apps above `contacts`, which it may not import (the layers point one way)."""

from django.dispatch import Signal

# Sent (sender=Contact, sub_account_id=…, contact_ids=[…]) inside the transaction that deletes contacts,
# after their history was erased: `contact_ids` are the deleted contacts and those merged into them. An app
# keeping personal values of these contacts elsewhere erases them here (identity: the merges' snapshots).
contacts_erased = Signal()
