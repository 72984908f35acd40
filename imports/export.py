"""Exporting contacts: CSV (optionally with a BOM for Excel) or JSON Lines, streamed with a flat memory
whatever the count; the same generators write a background export's file."""

import csv
import json
import tempfile

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from contacts.filters import ContactFilter
from contacts.models import Contact
from contacts.representation import contact_to_dict
from imports.csvio import Line, neutralise, tags_cell
from imports.models import ExportJob
from imports.runner import custom_field_text

FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}
ITERATOR_CHUNK = 2000
FIRST_COLUMNS = ["id", "name", "email", "phone", "tags"]
LAST_COLUMNS = ["created_at", "updated_at", "last_conversation", "conversation_count"]


def custom_field_keys(queryset) -> list[str]:
    """Every custom field key present among the contacts of `queryset`, sorted (a pass over one column)."""
    keys = set()
    for fields in queryset.order_by().values_list("custom_fields", flat=True).iterator(chunk_size=ITERATOR_CHUNK):
        keys.update(fields)
    return sorted(keys)


def _contacts(queryset):
    return queryset.with_tags().iterator(chunk_size=ITERATOR_CHUNK)


def csv_lines(queryset, *, bom: bool = False):
    """The CSV export of `queryset`, line by line; every cell neutralised against formula injection."""
    keys = custom_field_keys(queryset)
    writer = csv.writer(Line())
    header = [*FIRST_COLUMNS, *(f"custom_fields.{key}" for key in keys), *LAST_COLUMNS]
    yield ("\ufeff" if bom else "") + writer.writerow([neutralise(cell) for cell in header])
    for contact in _contacts(queryset):
        data = contact_to_dict(contact)
        cells = [data["id"], data["name"], data["email"] or "", data["phone"] or "", tags_cell(data["tags"])]
        fields = data["custom_fields"]
        cells += [custom_field_text(fields[key]) if key in fields else "" for key in keys]
        cells = [neutralise(cell, phone=index == 3) for index, cell in enumerate(cells)]
        cells += [data["created_at"], data["updated_at"], data["last_conversation"] or "", data["conversation_count"]]
        yield writer.writerow(cells)


def jsonl_lines(queryset):
    for contact in _contacts(queryset):
        yield json.dumps(contact_to_dict(contact), ensure_ascii=False) + "\n"


def export_lines(queryset, *, format: str, bom: bool = False):
    return csv_lines(queryset, bom=bom) if format == "csv" else jsonl_lines(queryset)


def export_queryset(sub_account, params) -> ContactFilter:
    """The list's FilterSet over the sub-account's contacts (call is_valid() before `qs`)."""
    return ContactFilter(params, queryset=Contact.objects.for_account(sub_account), sub_account=sub_account)


def export_run(job: ExportJob) -> None:
    """Write the export of the claimed `job` to storage (through a temporary file: memory stays flat)."""
    jobs = ExportJob.objects.for_account(job.sub_account_id)
    jobs.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    params = QueryDict(mutable=True)
    for name, value in job.filters.items():
        params.setlist(name, value if isinstance(value, list) else [value])
    filterset = export_queryset(job.sub_account, params)
    if not filterset.is_valid():
        jobs.filter(pk=job.pk).update(status=ExportJob.Status.FAILED, error="Invalid filter.", lease_until=None)
        return
    rows = 0
    with tempfile.TemporaryFile() as temporary:
        # One repeatable-read snapshot would be nicer on PostgreSQL; a transaction keeps the reads consistent
        # enough and the iterator's server-side cursor needs one there anyway.
        with transaction.atomic():
            for line in export_lines(filterset.qs, format=job.format, bom=job.bom):
                temporary.write(line.encode())
                rows += 1
        temporary.seek(0)
        name = default_storage.save(f"exports/{job.sub_account_id}/{job.pk}.{job.format}", File(temporary))
    jobs.filter(pk=job.pk).update(
        status=ExportJob.Status.COMPLETED,
        file=name,
        rows_done=rows - (1 if job.format == "csv" else 0),
        finished_at=timezone.now(),
        lease_until=None,
    )
