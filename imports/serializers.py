"""JSON ⇄ import and export jobs. The rules of an import's options live in imports.services."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contacts_site.api import QueryChoiceField, StrictCharField, StrictSerializer, iso_datetime
from imports.models import ExportJob, ImportJob, ImportRowError
from imports.services import BLANK, MATCH_BY, TAGS_MODE

MAPPING_TARGET_DESCRIPTION = "name, email, phone, tags, id, custom_fields.<key> or skip"


def _counts(counts: dict) -> dict:
    return {name: counts.get(name, 0) for name in ("created", "updated", "unchanged", "errors")}


def import_to_dict(job: ImportJob, *, preview: list[list[str]] | None = None) -> dict:
    data = {
        "id": job.id,
        "status": job.status,
        "file_name": job.file_name,
        "file_size": job.file_size,
        "file_sha256": job.file_sha256,
        "encoding": job.encoding,
        "delimiter": job.delimiter,
        "header": job.header,
        "options": job.options,
        "rows_total": job.rows_total,
        "rows_done": job.rows_done,
        "cancel_requested": job.cancel_requested,
        "dry_run": {
            "counts": _counts(job.dry_run_counts),
            "fingerprint": job.checked_fingerprint or None,
        },
        "counts": _counts(job.counts),
        "error": job.error or None,
        "revertible_until": iso_datetime(job.revertible_until) if job.can_revert else None,
        "revert_report": job.revert_report or None,
        "created_at": iso_datetime(job.created_at),
        "finished_at": iso_datetime(job.finished_at),
    }
    if preview is not None:
        data["preview"] = preview
    return data


def row_error_to_dict(error: ImportRowError) -> dict:
    return {"row": error.row_number, "column": error.column, "message": error.message, "cells": error.cells}


def export_to_dict(job: ExportJob) -> dict:
    return {
        "id": job.id,
        "status": job.status,
        "format": job.format,
        "bom": job.bom,
        "filters": job.filters,
        "rows_done": job.rows_done,
        "error": job.error or None,
        "created_at": iso_datetime(job.created_at),
        "finished_at": iso_datetime(job.finished_at),
    }


class StrictChoiceField(serializers.ChoiceField):
    """One of the choices, as a JSON string (not a number that happens to print as one)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class ImportUploadSerializer(StrictSerializer):
    file = serializers.FileField(help_text="A CSV file: UTF-8 (BOM or not), UTF-16 or Windows-1252; , ; tab or |")


@extend_schema_field({"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 80}})
class MappingField(serializers.ListField):
    child = StrictCharField(max_length=80)


class ImportOptionsSerializer(StrictSerializer):
    mapping = MappingField(required=False, help_text=f"One target per column: {MAPPING_TARGET_DESCRIPTION}")
    match_by = StrictChoiceField(MATCH_BY, required=False, help_text="How a row finds its contact (email)")
    blank = StrictChoiceField(BLANK, required=False, help_text="A blank cell keeps the field, or clears it (keep)")
    tags_mode = StrictChoiceField(TAGS_MODE, required=False, help_text="Tags added to the set, or replacing it")
    default_region = StrictCharField(
        min_length=2, max_length=2, required=False, help_text="Region of national phone numbers"
    )
    add_tags = serializers.ListField(
        child=StrictCharField(max_length=50), required=False, max_length=50, help_text="Tags given to every row"
    )


@extend_schema_field({"type": "string", "pattern": "^[0-9a-f]{64}$"})
class FingerprintField(serializers.RegexField):
    def __init__(self, **kwargs):
        super().__init__(
            r"^[0-9a-f]{64}\Z",
            error_messages={"invalid": "The dry run's fingerprint: 64 lowercase hex digits."},
            **kwargs,
        )

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ImportCommitSerializer(StrictSerializer):
    fingerprint = FingerprintField(help_text="`dry_run.fingerprint` of the dry run that checked this file")


class ImportSchemaSerializer(serializers.Serializer):
    """The shape of an import in the schema (the answers are built by import_to_dict)."""

    id = serializers.CharField()
    status = serializers.ChoiceField(ImportJob.Status.choices)
    file_name = serializers.CharField()
    file_size = serializers.IntegerField()
    file_sha256 = serializers.CharField()
    encoding = serializers.CharField()
    delimiter = serializers.CharField()
    header = serializers.ListField(child=serializers.CharField())
    options = serializers.DictField()
    rows_total = serializers.IntegerField(allow_null=True)
    rows_done = serializers.IntegerField()
    cancel_requested = serializers.BooleanField()
    dry_run = serializers.DictField()
    counts = serializers.DictField(child=serializers.IntegerField())
    error = serializers.CharField(allow_null=True)
    revertible_until = serializers.CharField(allow_null=True)
    revert_report = serializers.DictField(allow_null=True)
    created_at = serializers.CharField()
    finished_at = serializers.CharField(allow_null=True)
    preview = serializers.ListField(child=serializers.ListField(child=serializers.CharField()), required=False)


class RowErrorSchemaSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="1-based, as a spreadsheet shows it (the header is row 1)")
    column = serializers.CharField()
    message = serializers.CharField()
    cells = serializers.ListField(child=serializers.CharField())


class ExportSchemaSerializer(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.ChoiceField(ExportJob.Status.choices)
    format = serializers.CharField()
    bom = serializers.BooleanField()
    filters = serializers.DictField()
    rows_done = serializers.IntegerField()
    error = serializers.CharField(allow_null=True)
    created_at = serializers.CharField()
    finished_at = serializers.CharField(allow_null=True)


class ExportParams(serializers.Serializer):
    """The export's own query parameters (the list's filters are read by ContactFilter)."""

    format = QueryChoiceField(["csv", "jsonl"], default="csv")
    bom = QueryChoiceField(["true", "false"], default="false")
