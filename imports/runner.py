"""Running an import job: the dry run and the commit are one code path, and only the commit writes.

The file is streamed in chunks of rows. Each chunk of a commit is one transaction: the contacts it
matches are locked and read, every row is validated by the contact rules (`contact_row_clean`, the
validation every contact write runs), the changes are written set-based (imports.writes), and the row
cursor, the counts, the row errors and the chunk's undo log are saved with them. A worker that dies
loses only its open chunk; the next one resumes after the last committed chunk, so no row is imported
twice.
"""

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from contacts.history import Kind, contact_histories_record, initial_values
from contacts.models import Contact, CustomFieldDefinition
from contacts.services import contact_count_adjust, contact_row_clean
from contacts.validators import normalize_phone
from contacts_site.actions import acting
from contacts_site.errors import EmailTaken
from contacts_site.validation import normalize_text
from imports import csvio
from imports.models import ImportChunk, ImportJob, ImportRowError
from imports.writes import contacts_upsert, tags_rewrite
from webhooks.events import changes_between
from webhooks.services import event_emit

logger = logging.getLogger(__name__)

CHUNK_ROWS = getattr(settings, "IMPORTS_CHUNK_ROWS", 2000)
COUNTED_AS = {"create": "created", "update": "updated", "unchanged": "unchanged", "error": "errors"}


class Stop(Exception):
    """The worker is stopping: leave the job for the next one (it resumes after the last chunk)."""


def options_fingerprint(file_sha256: str, options: dict) -> str:
    """What a commit must match: the file's hash and the options of the dry run that checked it."""
    return hashlib.sha256(json.dumps([file_sha256, options], sort_keys=True).encode()).hexdigest()


def custom_field_text(value) -> str:
    """A custom field value as a CSV cell shows it (numbers and booleans as JSON, text as it is)."""
    return value if isinstance(value, str) else json.dumps(value)


def file_sha256(name: str) -> str:
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as binary:
        for block in iter(lambda: binary.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Row:
    number: int
    cells: list[str]
    given: dict = field(default_factory=dict)  # name / email / phone / id: text, or None to clear
    custom_fields: dict = field(default_factory=dict)
    tags: list[str] | None = None
    keys: dict = field(default_factory=dict)  # normalized email / phone / id, for matching and duplicates
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)


@dataclass
class Plan:
    row: Row
    action: str  # create / update / unchanged / error
    contact: Contact | None = None
    tags_before: list[str] = field(default_factory=list)
    tags_after: list[str] | None = None
    before: dict | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)


def contact_state(contact: Contact, tags: list[str]) -> dict:
    """What an import writes of a contact: the state its undo log keeps, and its history compares."""
    return {
        "id": contact.pk,
        "name": contact.name,
        "email": contact.email,
        "phone": contact.phone,
        "custom_fields": dict(contact.custom_fields),
        "tags": list(tags),
    }


class ImportRun:
    """One pass over the file of `job`: a dry run (`write=False`) or the commit."""

    def __init__(self, job: ImportJob, *, write: bool, should_stop: Callable[[], bool] = lambda: False):
        self.job = job
        self.write = write
        self.should_stop = should_stop
        self.sub_account = job.sub_account
        options = job.options
        self.mapping: list[str] = options["mapping"]
        self.match_by: str = options["match_by"]
        self.clear_blanks = options["blank"] == "clear"
        self.replace_tags = options["tags_mode"] == "replace"
        self.region: str = options["default_region"]
        self.add_tags: list[str] = options["add_tags"]
        # The sub-account's typed custom fields, read once for the pass (each row is validated against them).
        self.definitions = CustomFieldDefinition.objects.for_account(self.sub_account).by_key()
        self.header = job.header
        self.columns: dict[str, str] = {}  # target → the column it comes from, as errors name it
        for index, target in enumerate(self.mapping):
            if target != "skip":
                self.columns.setdefault(target, self._column(index))
                if target.startswith("custom_fields."):
                    self.columns.setdefault("custom_fields", self._column(index))
        self.unique_kinds = ["email"] + ([self.match_by] if self.match_by in ("phone", "id") else [])
        # Hashes, not the keys themselves: a million emails as strings would be ~100 MB more worker memory.
        self.seen = {kind: set() for kind in self.unique_kinds}
        self.counts = dict((job.counts if write else job.dry_run_counts) or {})
        for name in ("created", "updated", "unchanged", "errors"):
            self.counts.setdefault(name, 0)

    def _column(self, index: int) -> str:
        return self.header[index][:255] if index < len(self.header) else f"column {index + 1}"

    # Reading a row -------------------------------------------------------------------------------

    def parse(self, number: int, cells: list[str]) -> Row:
        row = Row(number=number, cells=cells)
        values = [csvio.unneutralise(cell) for cell in cells]
        if any(value.strip() for value in values[len(self.mapping) :]):
            row.errors.append(("", f"This row has {len(values)} cells; the header has {len(self.mapping)}."))
        for index, target in enumerate(self.mapping):
            if target == "skip":
                continue
            raw = values[index] if index < len(values) else ""
            blank = not raw.strip()
            if blank and not self.clear_blanks:
                continue  # a blank cell leaves the field as it is
            if target.startswith("custom_fields."):
                row.custom_fields[target.removeprefix("custom_fields.")] = None if blank else raw
            elif target == "tags":
                row.tags = [] if blank else csvio.tags_from_cell(raw)
            elif target == "name":
                row.given["name"] = raw
            else:
                row.given[target] = None if blank else raw.strip()
        email, phone, contact_id = row.given.get("email"), row.given.get("phone"), row.given.get("id")
        row.given.pop("id", None)
        if email:
            row.keys["email"] = normalize_text(email).strip().lower()
        if phone:
            try:
                row.given["phone"] = row.keys["phone"] = normalize_phone(phone, self.region)
            except ValidationError as error:
                row.errors.append((self.columns["phone"], error.messages[0]))
        if contact_id:
            row.keys["id"] = contact_id
        for kind in self.unique_kinds:
            key = row.keys.get(kind)
            if not key:
                continue
            digest = hash(key)
            if digest in self.seen[kind]:
                row.errors.append((self.columns[kind], f"Duplicate: an earlier row of this file has this {kind}."))
            else:
                self.seen[kind].add(digest)
        return row

    # Deciding what a row does --------------------------------------------------------------------

    def _existing(self, rows: list[Row], *, lock: bool) -> tuple[dict, dict]:
        contacts = Contact.objects.for_account(self.sub_account)
        matches: dict[str, list[Contact]] = {}
        if self.match_by != "none":
            keys = [row.keys[self.match_by] for row in rows if row.keys.get(self.match_by)]
            lookup = {"email": "email", "phone": "phone", "id": "pk"}[self.match_by]
            if keys:
                found = contacts.filter(**{f"{lookup}__in": keys}).with_tags().order_by("pk")
                if lock:
                    found = found.select_for_update(of=("self",))
                for contact in found:
                    matches.setdefault(getattr(contact, lookup), []).append(contact)
        emails = [row.keys["email"] for row in rows if row.keys.get("email")]
        holders = dict(contacts.filter(email__in=emails).values_list("email", "id")) if emails else {}
        return matches, holders

    def _merged_custom_fields(self, stored: dict, given: dict) -> dict:
        merged = dict(stored)
        for key, value in given.items():
            if value is None:
                merged.pop(key, None)
            elif key in merged and custom_field_text(merged[key]) == value:
                continue  # an exported number or boolean re-imported as text is the value stored
            else:
                merged[key] = value
        return merged

    def _model_errors(self, error: ValidationError) -> list[tuple[str, str]]:
        return [
            (self.columns.get(name, name), message)
            for name, messages in error.message_dict.items()
            for message in messages[:1]
        ]

    def decide(self, row: Row, matches: dict, holders: dict) -> Plan:
        if row.errors:
            return Plan(row, "error", errors=row.errors)
        target = None
        key = row.keys.get(self.match_by)
        if key:
            found = matches.get(key, [])
            if len(found) > 1:
                message = f"{len(found)} contacts have this phone number: match by email or id instead."
                return Plan(row, "error", errors=[(self.columns["phone"], message)])
            if found:
                target = found[0]
            elif self.match_by == "id":
                return Plan(row, "error", errors=[(self.columns["id"], "No contact with this id.")])
        if target is not None:
            contact, tags_before = target, target.tag_names
            before = contact_state(contact, tags_before)
        else:
            contact, tags_before, before = Contact(sub_account=self.sub_account), [], None
        for name, value in row.given.items():
            setattr(contact, name, value)
        if row.custom_fields:
            contact.custom_fields = self._merged_custom_fields(contact.custom_fields, row.custom_fields)
        # Only the keys this row writes are held to their definitions' types (docs/workspace.md).
        contact.custom_fields_written = set(row.custom_fields or {})
        contact.custom_field_definitions_preloaded = self.definitions
        base = row.tags if self.replace_tags and row.tags is not None else [*tags_before, *(row.tags or [])]
        try:
            tags_after = contact_row_clean(contact, [*base, *self.add_tags])
        except ValidationError as error:
            return Plan(row, "error", errors=self._model_errors(error))
        if contact.email and holders.get(contact.email, contact.pk) != contact.pk:
            return Plan(row, "error", errors=[(self.columns.get("email", "email"), EmailTaken.message)])
        if before is None:
            return Plan(row, "create", contact=contact, tags_after=tags_after)
        if contact_state(contact, tags_after) == before:
            return Plan(row, "unchanged", contact=contact)
        return Plan(row, "update", contact=contact, tags_before=tags_before, tags_after=tags_after, before=before)

    # One chunk -----------------------------------------------------------------------------------

    def _chunk(self, rows: list[Row], cursor: int) -> None:
        for attempt in range(3):
            try:
                with transaction.atomic():
                    self._chunk_once(rows, cursor)
                return
            except IntegrityError:
                # A concurrent writer took an email between our check and our insert: decide again.
                if attempt == 2:
                    raise
                logger.info("Import %s: chunk at row %s retried after a conflict", self.job.pk, rows[0].number)

    def _chunk_once(self, rows: list[Row], cursor: int) -> None:
        matches, holders = self._existing([row for row in rows if not row.errors], lock=self.write)
        plans = [self.decide(row, matches, holders) for row in rows]
        counts = dict(self.counts)
        for plan in plans:
            counts[COUNTED_AS[plan.action]] += 1
        if self.write:
            self._write(plans, first_row=rows[0].number)
        ImportRowError.objects.bulk_create(
            [
                ImportRowError(
                    job=self.job,
                    sub_account=self.sub_account,
                    dry_run=not self.write,
                    row_number=plan.row.number,
                    column=column,
                    message=message,
                    # PostgreSQL's jsonb cannot hold NUL: such a cell is an error anyway, shown replaced.
                    cells=[cell.replace("\x00", "\ufffd") for cell in plan.row.cells],
                )
                for plan in plans
                for column, message in plan.errors
            ],
            batch_size=500,
        )
        progress = {"rows_done": cursor, "lease_until": timezone.now() + lease_duration()}
        progress["counts" if self.write else "dry_run_counts"] = counts
        ImportJob.objects.for_account(self.sub_account).filter(pk=self.job.pk).update(**progress)
        self.counts = counts

    def _write(self, plans: list[Plan], *, first_row: int) -> None:
        now = timezone.now()
        written, tag_changes, created_ids, updated_before = [], [], [], []
        created_history, updated_history = [], []  # the contacts' timeline entries (docs/timeline.md)
        for plan in plans:
            if plan.action not in ("create", "update"):
                continue
            contact = plan.contact
            after = contact_state(contact, plan.tags_after)
            if plan.action == "create":
                contact.created_at = now
                created_ids.append(contact.pk)
                created_history.append((contact.pk, initial_values(after)))
            else:
                updated_before.append(plan.before)
                updated_history.append((contact.pk, changes_between(plan.before, after)))
            contact.updated_at = now
            written.append(contact)
            if plan.tags_after != plan.tags_before:
                tag_changes.append((contact.pk, plan.tags_before, plan.tags_after))
        if not written:
            return
        contacts_upsert(written)
        tags_rewrite(sub_account_id=self.sub_account.pk, changes=tag_changes)
        if created_ids:
            contact_count_adjust(sub_account_id=self.sub_account.pk, delta=len(created_ids))
        contact_histories_record(sub_account_id=self.sub_account.pk, kind=Kind.CREATED, entries=created_history)
        contact_histories_record(sub_account_id=self.sub_account.pk, kind=Kind.CHANGED, entries=updated_history)
        ImportChunk.objects.create(
            job=self.job,
            sub_account=self.sub_account,
            first_row=first_row,
            written_at=now,
            created_ids=created_ids,
            updated_before=updated_before,
        )

    # The pass ------------------------------------------------------------------------------------

    def run(self) -> None:
        job = self.job
        resume_from = job.rows_done
        if resume_from == 0:
            ImportRowError.objects.for_account(self.sub_account).filter(job=job, dry_run=not self.write).delete()
        with default_storage.open(job.file, "rb") as binary:
            pending: list[Row] = []
            index = 0
            for number, cells in csvio.read_rows(binary, encoding=job.encoding, delimiter=job.delimiter):
                row = self.parse(number, cells)  # also for skipped rows: they rebuild the duplicate check
                index += 1
                if index <= resume_from:
                    continue
                pending.append(row)
                if len(pending) >= CHUNK_ROWS:
                    self._between_chunks()
                    self._chunk(pending, index)
                    pending = []
            if pending:
                self._between_chunks()
                self._chunk(pending, index)

    def _between_chunks(self) -> None:
        if self.should_stop():
            raise Stop()
        if ImportJob.objects.for_account(self.sub_account).filter(pk=self.job.pk, cancel_requested=True).exists():
            raise Cancelled()


class Cancelled(Exception):
    """Someone cancelled the import: the chunks committed so far stay (and can be reverted)."""


def lease_duration() -> timedelta:
    return timedelta(seconds=getattr(settings, "IMPORTS_LEASE_SECONDS", 120))


def import_run(job: ImportJob, *, should_stop: Callable[[], bool] = lambda: False) -> None:
    """Run the claimed `job`'s dry run or commit to its end (or until cancelled, or the worker stops)."""
    write = job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
    jobs = ImportJob.objects.for_account(job.sub_account_id)
    running = ImportJob.Status.RUNNING if write else ImportJob.Status.CHECKING
    if job.status != running:
        jobs.filter(pk=job.pk).update(status=running)
        job.status = running
    try:
        if job.rows_done == 0:
            if file_sha256(job.file) != job.file_sha256:
                raise csvio.FileProblem("The stored file is not the one that was uploaded and checked.")
            if job.rows_total is None:
                with default_storage.open(job.file, "rb") as binary:
                    job.rows_total = csvio.row_count(binary, encoding=job.encoding, delimiter=job.delimiter)
                jobs.filter(pk=job.pk).update(rows_total=job.rows_total)
        with acting(
            source="import",
            ref=job.pk,
            user_id=job.created_by_id,
            api_key_id=job.api_key_id,
            actor_label=job.actor_label,
        ):
            ImportRun(job, write=write, should_stop=should_stop).run()
    except Stop:
        jobs.filter(pk=job.pk).update(lease_until=None)
        return
    except Cancelled:
        _finish(job, ImportJob.Status.CANCELLED if write else ImportJob.Status.UPLOADED, write=write)
        return
    except csvio.FileProblem as problem:
        jobs.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, error=str(problem), lease_until=None)
        return
    _finish(job, ImportJob.Status.COMPLETED if write else ImportJob.Status.CHECKED, write=write)


@transaction.atomic
def _finish(job: ImportJob, status: str, *, write: bool) -> None:
    jobs = ImportJob.objects.for_account(job.sub_account_id)
    job = jobs.select_for_update().select_related("sub_account").get(pk=job.pk)
    update = {"status": status, "lease_until": None, "cancel_requested": False}
    if status == ImportJob.Status.CHECKED:
        update["checked_fingerprint"] = options_fingerprint(job.file_sha256, job.options)
    if write:
        update["finished_at"] = timezone.now()
        counts = job.counts
        # One summary, and only when something changed: a re-import that changes nothing emits nothing.
        if counts.get("created") or counts.get("updated"):
            event_emit(
                sub_account=job.sub_account,
                type="import.completed",
                data={
                    "id": job.pk,
                    "status": status,
                    "file_name": job.file_name,
                    "rows_total": job.rows_total,
                    "rows_done": job.rows_done,
                    **{name: counts.get(name, 0) for name in ("created", "updated", "unchanged", "errors")},
                },
            )
    jobs.filter(pk=job.pk).update(**update)
