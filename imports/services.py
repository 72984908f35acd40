"""Writes of the imports app: upload, dry run, commit, cancel, revert, export. Keyword-only and atomic; the
work itself runs in the worker (imports.runner, imports.revert, imports.export)."""

import hashlib

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accounts.models import SubAccount
from contacts.validators import MAX_CUSTOM_FIELD_KEY_LENGTH, normalize_tags
from contacts_site.errors import Conflict
from contacts_site.updates import locked_row
from imports import csvio
from imports.models import ExportJob, ImportJob
from imports.runner import options_fingerprint

MATCH_BY = ("email", "phone", "id", "none")
BLANK = ("keep", "clear")
TAGS_MODE = ("add", "replace")
FIELD_TARGETS = ("name", "email", "phone", "tags", "id", "skip")
CUSTOM_FIELD_TARGET = "custom_fields."
CHECK_FIRST = "Run a dry run with these options first; a commit runs only what a dry run checked."


def import_upload(
    *, sub_account: SubAccount, file, user_id: int | None = None, api_key_id: int | None = None, actor_label: str = ""
) -> ImportJob:
    """Store an uploaded CSV (streamed to storage, never read whole) and read what its preview shows."""
    job = ImportJob(sub_account=sub_account, created_by_id=user_id, api_key_id=api_key_id, actor_label=actor_label)
    digest = hashlib.sha256()
    for block in file.chunks():
        digest.update(block)
    file.seek(0)
    try:
        encoding, delimiter, header, _ = csvio.sniff(file)
    except csvio.FileProblem as problem:
        raise ValidationError({"file": [str(problem)]}) from None
    file.seek(0)
    job.file = default_storage.save(f"imports/{sub_account.pk}/{job.pk}.csv", file)
    job.file_name = (getattr(file, "name", "") or "")[:255]
    job.file_size = getattr(file, "size", 0) or 0
    job.file_sha256 = digest.hexdigest()
    job.encoding, job.delimiter, job.header = encoding, delimiter, header
    job.options = default_options(header, region=sub_account.default_phone_region)
    job.save()
    return job


def import_preview(*, job: ImportJob) -> list[list[str]]:
    """The first rows of the stored file (as many as the preview shows); none if the file cannot be read."""
    try:
        with default_storage.open(job.file, "rb") as binary:
            return csvio.sniff(binary)[3]
    except (OSError, csvio.FileProblem):
        return []


def default_options(header: list[str], *, region: str) -> dict:
    return {
        "mapping": csvio.suggest_mapping(header),
        "match_by": "email",
        "blank": "keep",
        "tags_mode": "add",
        "default_region": region,
        "add_tags": [],
    }


def import_options_clean(*, job: ImportJob, options: dict) -> dict:
    """The options of a dry run, complete and valid (ValidationError keyed by option otherwise)."""
    merged = {**default_options(job.header, region=job.sub_account.default_phone_region), **options}
    errors = {}
    mapping = merged["mapping"]
    if not isinstance(mapping, list) or len(mapping) != len(job.header):
        errors["mapping"] = [f"Give one target per column: {len(job.header)} in this file."]
    else:
        targets = [target for target in mapping if target != "skip"]
        for target in mapping:
            key = target.removeprefix(CUSTOM_FIELD_TARGET) if isinstance(target, str) else None
            if target in FIELD_TARGETS:
                continue
            if not isinstance(target, str) or not target.startswith(CUSTOM_FIELD_TARGET) or not key:
                errors["mapping"] = [
                    f"“{target}” is not a target: name, email, phone, tags, id, custom_fields.<key> or skip."
                ]
            elif len(key) > MAX_CUSTOM_FIELD_KEY_LENGTH:
                errors["mapping"] = [f"Custom field keys must be 1–{MAX_CUSTOM_FIELD_KEY_LENGTH} characters."]
        if "mapping" not in errors and len(targets) != len(set(targets)):
            errors["mapping"] = ["Two columns cannot go to the same field."]
        if (
            "mapping" not in errors
            and merged["match_by"] in ("email", "phone", "id")
            and merged["match_by"] not in mapping
        ):
            errors["match_by"] = [f"No column is mapped to {merged['match_by']}, so nothing can match by it."]
    for name, choices in (("match_by", MATCH_BY), ("blank", BLANK), ("tags_mode", TAGS_MODE)):
        if merged[name] not in choices:
            errors[name] = [f"One of: {', '.join(choices)}."]
    if merged["default_region"] not in phonenumbers.SUPPORTED_REGIONS:
        errors["default_region"] = ["A phone region code such as US, GB, DE."]
    try:
        merged["add_tags"] = normalize_tags(merged["add_tags"])
    except ValidationError as error:
        errors["add_tags"] = error.messages
    if errors:
        raise ValidationError(errors)
    return {name: merged[name] for name in ("mapping", "match_by", "blank", "tags_mode", "default_region", "add_tags")}


def _locked(job: ImportJob) -> ImportJob:
    return locked_row(ImportJob.objects.for_account(job.sub_account_id).select_related("sub_account"), job.pk)


@transaction.atomic
def import_check(*, job: ImportJob, options: dict) -> ImportJob:
    """Queue a dry run of the file with `options`: what would be created, updated, left alone, refused."""
    job = _locked(job)
    if job.status not in (ImportJob.Status.UPLOADED, ImportJob.Status.CHECKED, ImportJob.Status.FAILED):
        raise Conflict(f"This import is {job.status}; a dry run is for an import not yet committed.")
    job.options = import_options_clean(job=job, options=options)
    job.status = ImportJob.Status.CHECK_QUEUED
    job.checked_fingerprint, job.rows_done, job.dry_run_counts, job.error, job.claims = "", 0, {}, "", 0
    job.save()
    return job


@transaction.atomic
def import_commit(*, job: ImportJob, fingerprint: str) -> ImportJob:
    """Queue the import of what the last dry run checked. `fingerprint` is that dry run's: a commit whose
    file or options differ from what was checked is refused."""
    job = _locked(job)
    if job.status != ImportJob.Status.CHECKED:
        raise Conflict(f"This import is {job.status}; only a checked import (a finished dry run) can be committed.")
    if (
        not fingerprint
        or fingerprint != job.checked_fingerprint
        or fingerprint != options_fingerprint(job.file_sha256, job.options)
    ):
        raise Conflict("The file or options differ from the dry run that was checked. " + CHECK_FIRST)
    job.status = ImportJob.Status.QUEUED
    job.rows_done, job.counts, job.claims = 0, {}, 0
    job.save()
    return job


@transaction.atomic
def import_cancel(*, job: ImportJob) -> ImportJob:
    """Stop a dry run or an import. Rows already committed stay, and can be reverted."""
    job = _locked(job)
    if job.status == ImportJob.Status.CHECK_QUEUED:
        job.status = ImportJob.Status.UPLOADED
    elif job.status == ImportJob.Status.QUEUED:
        job.status, job.finished_at = ImportJob.Status.CANCELLED, timezone.now()
    elif job.status in (ImportJob.Status.CHECKING, ImportJob.Status.RUNNING):
        job.cancel_requested = True  # the worker stops before its next chunk
    else:
        raise Conflict(f"This import is {job.status}; only a queued or running one can be cancelled.")
    job.save()
    return job


@transaction.atomic
def import_revert(*, job: ImportJob) -> ImportJob:
    """Queue the revert: created contacts removed, updated ones restored, unless they changed since."""
    job = _locked(job)
    if not job.can_revert:
        raise Conflict("Only an import that finished in the last 7 days, and is not reverted, can be reverted.")
    job.status, job.claims = ImportJob.Status.REVERT_QUEUED, 0
    job.save()
    return job


def export_create(*, sub_account: SubAccount, format: str, bom: bool, filters: dict, user_id: int | None = None):
    """Queue a background export of the contacts matching `filters` (the list's query parameters)."""
    return ExportJob.objects.create(
        sub_account=sub_account, format=format, bom=bom, filters=filters, created_by_id=user_id
    )
