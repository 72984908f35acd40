"""A merge and a duplicate candidate as the API answers them."""

from contacts.representation import contact_to_dict
from contacts_site.api import iso_datetime
from identity.duplicates import Candidate
from identity.models import Merge


def merge_to_dict(merge: Merge) -> dict:
    return {
        "id": merge.pk,
        "contact_id": merge.target_id,
        "source_ids": merge.source_ids,
        "created_at": iso_datetime(merge.created_at),
        "undo_until": iso_datetime(merge.undo_until),
        "undone_at": iso_datetime(merge.undone_at),
        "changes": merge.changes,
        "contact": merge.after,
    }


def candidate_to_dict(candidate: Candidate) -> dict:
    return {"contact": contact_to_dict(candidate.contact), "score": candidate.score, "reasons": candidate.reasons}
