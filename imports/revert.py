"""Reverting an import: each committed chunk undone in its own transaction, newest first.

A contact the import created is deleted, one it updated gets back its state before: but only if
nothing changed it since (its updated_at is still the one the import gave it, and no conversation was
added to a contact it created). Those that changed are listed in the job's revert report instead.
"""

from django.db import transaction
from django.utils import timezone

from accounts.models import tenant_delete
from contacts.history import Kind, contact_histories_record
from contacts.models import Contact
from contacts.services import contact_count_adjust
from contacts_site.actions import acting
from contacts_site.batching import chunks
from imports.models import ImportChunk, ImportJob
from imports.runner import contact_state, lease_duration
from imports.writes import contacts_upsert, tags_rewrite
from webhooks.events import changes_between
from webhooks.services import event_emit

# The ids listed in the report; beyond this, only counted (a job row is not the place for a million ids).
REPORT_LIMIT = 1000
CHUNK_IDS = 900  # below SQLite's bound on a statement's parameters


def _note(report: dict, contact_id: str, reason: str) -> None:
    report["not_reverted_count"] += 1
    if len(report["not_reverted"]) < REPORT_LIMIT:
        report["not_reverted"].append({"id": contact_id, "reason": reason})


def _revert_created(job: ImportJob, chunk: ImportChunk, report: dict) -> None:
    contacts = Contact.objects.for_account(job.sub_account_id)
    for ids in chunks(chunk.created_ids, CHUNK_IDS):
        current = list(
            contacts.filter(pk__in=ids)
            .select_for_update(of=("self",))
            .values_list("pk", "updated_at", "conversation_count")
        )
        doomed = []
        for contact_id, updated_at, conversation_count in current:
            if updated_at != chunk.written_at:
                _note(report, contact_id, "changed since the import")
            elif conversation_count:
                _note(report, contact_id, "has conversations since the import")
            else:
                doomed.append(contact_id)
        report["already_deleted"] += len(ids) - len(current)
        if doomed:
            # Erases what their history says of them, and records the deletion (docs/timeline.md).
            contact_histories_record(
                sub_account_id=job.sub_account_id, kind=Kind.DELETED, entries=[(pk, {}) for pk in doomed]
            )
            deleted = tenant_delete(contacts.filter(pk__in=doomed), sub_account_id=job.sub_account_id)
            contact_count_adjust(sub_account_id=job.sub_account_id, delta=-deleted)
            report["deleted"] += deleted


def _revert_updated(job: ImportJob, chunk: ImportChunk, report: dict, now) -> None:
    contacts = Contact.objects.for_account(job.sub_account_id)
    for states in chunks(chunk.updated_before, CHUNK_IDS):
        befores = {state["id"]: state for state in states}
        current = {
            contact.pk: contact
            for contact in contacts.filter(pk__in=list(befores)).select_for_update(of=("self",)).with_tags()
        }
        emails = [state["email"] for state in befores.values() if state["email"]]
        holders = dict(contacts.filter(email__in=emails).values_list("email", "id")) if emails else {}
        restored, tag_changes, history = [], [], []
        for contact_id, before in befores.items():
            contact = current.get(contact_id)
            if contact is None:
                report["already_deleted"] += 1
            elif contact.updated_at != chunk.written_at:
                _note(report, contact_id, "changed since the import")
            elif before["email"] and holders.get(before["email"], contact_id) != contact_id:
                _note(report, contact_id, "its email before the import now belongs to another contact")
            else:
                tags_now = contact.tag_names
                history.append((contact_id, changes_between(contact_state(contact, tags_now), before)))
                for name in ("name", "email", "phone", "custom_fields"):
                    setattr(contact, name, before[name])
                contact.updated_at = now
                restored.append(contact)
                if tags_now != before["tags"]:
                    tag_changes.append((contact_id, tags_now, before["tags"]))
        contacts_upsert(restored)
        tags_rewrite(sub_account_id=job.sub_account_id, changes=tag_changes)
        contact_histories_record(sub_account_id=job.sub_account_id, kind=Kind.CHANGED, entries=history)
        report["restored"] += len(restored)


def import_revert_run(job: ImportJob, *, should_stop=lambda: False) -> bool:
    """Revert the claimed `job`, chunk by chunk (a restarted worker goes on with the chunks left).
    Returns False if the worker is stopping and the job was left for the next one."""
    jobs = ImportJob.objects.for_account(job.sub_account_id)
    jobs.filter(pk=job.pk).update(status=ImportJob.Status.REVERTING)
    report = {"deleted": 0, "restored": 0, "already_deleted": 0, "not_reverted_count": 0, "not_reverted": []}
    report.update(job.revert_report or {})
    chunks = ImportChunk.objects.for_account(job.sub_account_id).filter(job=job)
    with acting(
        source="revert", ref=job.pk, user_id=job.created_by_id, api_key_id=job.api_key_id, actor_label=job.actor_label
    ):
        for chunk_id in list(chunks.order_by("-first_row").values_list("pk", flat=True)):
            if should_stop():
                jobs.filter(pk=job.pk).update(lease_until=None)
                return False
            with transaction.atomic():
                chunk = chunks.get(pk=chunk_id)
                _revert_created(job, chunk, report)
                _revert_updated(job, chunk, report, timezone.now())
                chunks.filter(pk=chunk_id).delete()  # done: a resumed revert does not do it twice
                jobs.filter(pk=job.pk).update(revert_report=report, lease_until=timezone.now() + lease_duration())
        with transaction.atomic():
            jobs.filter(pk=job.pk).update(status=ImportJob.Status.REVERTED, lease_until=None, revert_report=report)
            if report["deleted"] or report["restored"]:
                event_emit(
                    sub_account=job.sub_account,
                    type="import.reverted",
                    data={"id": job.pk, **{key: value for key, value in report.items() if key != "not_reverted"}},
                )
    return True
