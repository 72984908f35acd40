from datetime import timedelta

from django.db import models
from django.utils import timezone

from accounts.models import SubAccount, TenantModel, TenantQuerySet
from contacts.models import Contact
from contacts_site.ids import prefixed_id

# How long a merge can be undone (docs/identity.md).
UNDO_WINDOW = timedelta(days=30)


def new_merge_id() -> str:
    return prefixed_id("mrg")


class MergeQuerySet(TenantQuerySet):
    def of_contact(self, contact_id: str):
        """The merges into this contact, newest first."""
        return self.filter(target_id=contact_id).order_by("-created_at", "-id")


class Merge(TenantModel):
    """One merge of up to ten contacts into a target: what each was before (for the undo) and what the target
    became (an undo is refused once the target has changed since)."""

    id = models.CharField(primary_key=True, max_length=32, default=new_merge_id, editable=False)
    sub_account = models.ForeignKey(SubAccount, on_delete=models.CASCADE, related_name="+", db_index=False)
    # Not a foreign key: a merge outlives its target being merged away in turn (or deleted), and says so when
    # asked to undo.
    target_id = models.CharField(max_length=32)
    source_ids = models.JSONField()
    # {"target": snapshot, "sources": [snapshot, …]}, each a contacts.restore.contact_snapshot plus
    # "conversation_ids"; "after": the target's API dict right after the merge.
    before = models.JSONField()
    after = models.JSONField()
    changes = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    objects = MergeQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["sub_account", "target_id", "-created_at"], name="merge_account_target")]

    def __str__(self) -> str:
        return self.id

    @property
    def undo_until(self):
        return self.created_at + UNDO_WINDOW

    @property
    def can_be_undone(self) -> bool:
        return self.undone_at is None and timezone.now() < self.undo_until


class DuplicatePair(TenantModel):
    """A pair of the sub-account's contacts scoring at least the default threshold: the stored list behind
    `GET /duplicates` and the staff page, kept up to date by identity.duplicates.duplicate_list_refresh.
    `first_id` < `second_id`. Deleting (or merging away) either contact deletes the pair."""

    sub_account = models.ForeignKey(SubAccount, on_delete=models.CASCADE, related_name="+", db_index=False)
    # Named relations, not "+": accounts.tenancy.tenant_delete cascades through the relations a model lists,
    # and Django leaves hidden ones out of that list.
    first = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="duplicate_pairs_first", db_index=False)
    second = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="duplicate_pairs_second", db_index=False)
    score = models.FloatField()
    reasons = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sub_account", "first", "second"], name="duplicatepair_unique"),
        ]
        indexes = [
            models.Index(fields=["sub_account", "-score", "first", "second"], name="duplicatepair_best_first"),
            models.Index(fields=["sub_account", "second"], name="duplicatepair_second"),
        ]


class DuplicateScan(TenantModel):
    """How far the sub-account's stored pairs are up to date: contacts changed since `scanned_from` are
    rescored at the next read of the list (None: rescore everything)."""

    sub_account = models.OneToOneField(SubAccount, on_delete=models.CASCADE, related_name="+", primary_key=True)
    scanned_from = models.DateTimeField(null=True, blank=True)
    # The contacts of the overlap window already scored, with the `updated_at` they were scored at: the next
    # read skips them unless they changed again (so a steady stream of writes is scored once, not per read).
    scored = models.JSONField(default=dict)
