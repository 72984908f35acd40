"""The import and export API: /api/v1/imports, /api/v1/exports and /api/v1/contacts/export."""

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from accounts.api import TenantScopedViewSet
from contacts.api import LIST_PARAMETERS
from contacts.models import Contact
from contacts_site.api import error_responses, list_envelope_schema
from contacts_site.errors import Conflict
from contacts_site.pagination import page_parameters, paginated_response
from imports import services
from imports.export import FORMATS, export_lines, export_queryset
from imports.failed_rows import failed_rows_lines
from imports.models import ExportJob, ImportJob, ImportRowError
from imports.serializers import (
    ExportParams,
    ExportSchemaSerializer,
    ImportCommitSerializer,
    ImportOptionsSerializer,
    ImportSchemaSerializer,
    ImportUploadSerializer,
    RowErrorSchemaSerializer,
    export_to_dict,
    import_to_dict,
    row_error_to_dict,
)

ImportListSchema = list_envelope_schema("ImportList", ImportSchemaSerializer)
RowErrorListSchema = list_envelope_schema("ImportRowErrorList", RowErrorSchemaSerializer)
ExportListSchema = list_envelope_schema("ExportList", ExportSchemaSerializer)
PAGE_PARAMETERS = page_parameters(default_limit=25, cursor=False)
EXPORT_PARAMETERS = [
    OpenApiParameter("format", OpenApiTypes.STR, enum=["csv", "jsonl"], description="Default csv"),
    OpenApiParameter("bom", OpenApiTypes.STR, enum=["true", "false"], description="A UTF-8 BOM for Excel (CSV)"),
]
CSV_RESPONSE = OpenApiResponse(OpenApiTypes.STR, description="CSV, UTF-8")


class FormatIsTheFileFormat(DefaultContentNegotiation):
    """On the export doors `?format=csv|jsonl` names the file's format, not one of DRF's renderers (which would
    answer 404 for a format it has no renderer for): answers, errors included, are JSON as everywhere else."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _actor_label(request) -> str:
    key = request.auth
    return f"{key.name} ({key.prefix}…)" if hasattr(key, "prefix") else getattr(key, "name", "")


def _export_params(request) -> dict:
    params = ExportParams(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data


def _filters(request, sub_account):
    filterset = export_queryset(sub_account, request.query_params)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset


def streamed_export(queryset, *, format: str, bom: bool, filename: str) -> StreamingHttpResponse:
    """The export as a download, written as it is read: memory stays flat whatever the count."""
    lines = (line.encode() for line in export_lines(queryset, format=format, bom=bom))
    response = StreamingHttpResponse(lines, content_type=FORMATS[format])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{format}"'
    return response


def failed_rows_response(job: ImportJob, *, dry_run: bool) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        (line.encode() for line in failed_rows_lines(job, dry_run=dry_run)), content_type=FORMATS["csv"]
    )
    response["Content-Disposition"] = f'attachment; filename="{job.pk}-failed-rows.csv"'
    return response


class ImportViewSet(TenantScopedViewSet):
    """Imports of a CSV file: upload (preview), dry run, commit, progress, cancel, revert."""

    model = ImportJob
    lookup_url_kwarg = "import_id"
    lookup_value_regex = r"[^/\x00]+"

    def scope_queryset(self, queryset):
        return queryset.select_related("sub_account")

    def _options(self) -> dict:
        serializer = ImportOptionsSerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(parameters=PAGE_PARAMETERS, responses={200: ImportListSchema, **error_responses(400, 401)})
    def list(self, request):
        """The sub-account's imports, newest first."""
        return paginated_response(request, self.get_queryset().order_by("-created_at", "-id"), import_to_dict)

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={201: ImportSchemaSerializer, **error_responses(400, 401, 413, 415)},
    )
    def create(self, request):
        """Upload a CSV file. The answer previews it: detected encoding and delimiter, the header, the first 20
        rows and a suggested mapping (`options.mapping`). Nothing is imported until a dry run and a commit."""
        serializer = ImportUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = services.import_upload(
            sub_account=self.sub_account,
            file=serializer.validated_data["file"],
            api_key_id=getattr(request.auth, "pk", None),
            actor_label=_actor_label(request),
        )
        location = f"{request.build_absolute_uri('/api/v1/imports/')}{job.pk}"
        return Response(
            import_to_dict(job, preview=services.import_preview(job=job)), status=201, headers={"Location": location}
        )

    def get_parsers(self):
        # Called before `action` is set: the collection route's POST is the upload, the one multipart door.
        if getattr(self, "action_map", {}).get("post") == "create":
            return [MultiPartParser()]
        return super().get_parsers()

    @extend_schema(responses={200: ImportSchemaSerializer, **error_responses(401, 404)})
    def retrieve(self, request, import_id=None):
        """The import with its progress (`rows_done` of `rows_total`), counts and a preview of the file."""
        job = self.get_object()
        return Response(import_to_dict(job, preview=services.import_preview(job=job)))

    @extend_schema(
        request=ImportOptionsSerializer,
        responses={202: ImportSchemaSerializer, **error_responses(400, 401, 404, 409, 415)},
        operation_id="imports_dry_run",
    )
    @action(detail=True, methods=["post"], url_path="dry-run")
    def dry_run(self, request, import_id=None):
        """Check the whole file with these options, writing nothing: would-create / would-update / unchanged /
        error counts and the row errors. Runs in the background; poll the import until `status` is `checked`."""
        job = services.import_check(job=self.get_object(), options=self._options())
        return Response(import_to_dict(job), status=202)

    @extend_schema(
        request=ImportCommitSerializer,
        responses={202: ImportSchemaSerializer, **error_responses(400, 401, 404, 409, 415)},
    )
    @action(detail=True, methods=["post"])
    def commit(self, request, import_id=None):
        """Import what the last dry run checked. Give its `dry_run.fingerprint`: a commit whose file or options
        differ from the dry run's is refused (409)."""
        job = self.get_object()  # another sub-account's import is not found, whatever the body
        serializer = ImportCommitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = services.import_commit(job=job, fingerprint=serializer.validated_data["fingerprint"])
        return Response(import_to_dict(job), status=202)

    @extend_schema(request=None, responses={202: ImportSchemaSerializer, **error_responses(401, 404, 409)})
    @action(detail=True, methods=["post"])
    def cancel(self, request, import_id=None):
        """Stop the dry run or import before its next chunk; rows already imported stay (and can be reverted)."""
        return Response(import_to_dict(services.import_cancel(job=self.get_object())), status=202)

    @extend_schema(request=None, responses={202: ImportSchemaSerializer, **error_responses(401, 404, 409)})
    @action(detail=True, methods=["post"])
    def revert(self, request, import_id=None):
        """Undo the import (within 7 days): created contacts deleted, updated ones restored, unless they changed
        since; those are listed in `revert_report`."""
        return Response(import_to_dict(services.import_revert(job=self.get_object())), status=202)

    @extend_schema(
        parameters=[
            OpenApiParameter("dry_run", OpenApiTypes.STR, enum=["true", "false"], description="Default true"),
            *PAGE_PARAMETERS,
        ],
        responses={200: RowErrorListSchema, **error_responses(400, 401, 404)},
    )
    @action(detail=True, methods=["get"])
    def errors(self, request, import_id=None):
        """The row errors of the dry run (or, with `dry_run=false`, of the commit), by row."""
        job = self.get_object()
        errors = ImportRowError.objects.for_account(self.sub_account).filter(job=job, dry_run=_dry_run_param(request))
        return paginated_response(request, errors.order_by("row_number", "id"), row_error_to_dict)

    @extend_schema(
        parameters=[OpenApiParameter("dry_run", OpenApiTypes.STR, enum=["true", "false"], description="Default true")],
        responses={(200, "text/csv"): CSV_RESPONSE, **error_responses(400, 401, 404)},
        operation_id="imports_failed_rows",
    )
    @action(detail=True, methods=["get"], url_path="failed-rows")
    def failed_rows(self, request, import_id=None):
        """The failing rows as CSV: the file's header and cells plus an `error` column. Fix and import again."""
        return failed_rows_response(self.get_object(), dry_run=_dry_run_param(request))


def _dry_run_param(request) -> bool:
    value = request.query_params.get("dry_run", "true")
    if value not in ("true", "false"):
        raise ValidationError({"dry_run": ["true or false."]})
    return value == "true"


class ContactExportViewSet(TenantScopedViewSet):
    model = Contact
    content_negotiation_class = FormatIsTheFileFormat

    @extend_schema(
        parameters=[*LIST_PARAMETERS, *EXPORT_PARAMETERS],
        responses={
            (200, "text/csv"): CSV_RESPONSE,
            (200, "application/x-ndjson"): OpenApiResponse(OpenApiTypes.STR, description="One contact per line"),
            **error_responses(400, 401),
        },
        operation_id="contacts_export",
    )
    def list(self, request):
        """Export the contacts the list would show with the same parameters (search, tag, custom_field, sort),
        streamed: columns id, name, email, phone, tags, custom_fields.<key>…, created_at, updated_at,
        last_conversation, conversation_count. For very large exports, `POST /exports` runs in the background."""
        params = _export_params(request)
        filterset = _filters(request, self.sub_account)
        return streamed_export(filterset.qs, format=params["format"], bom=params["bom"] == "true", filename="contacts")


class ExportViewSet(TenantScopedViewSet):
    """Background exports: queued with the list's filters, written by the worker, downloaded when ready."""

    model = ExportJob
    content_negotiation_class = FormatIsTheFileFormat
    lookup_url_kwarg = "export_id"
    lookup_value_regex = r"[^/\x00]+"

    @extend_schema(parameters=PAGE_PARAMETERS, responses={200: ExportListSchema, **error_responses(400, 401)})
    def list(self, request):
        return paginated_response(request, self.get_queryset().order_by("-created_at", "-id"), export_to_dict)

    @extend_schema(
        request=None,
        parameters=[*LIST_PARAMETERS, *EXPORT_PARAMETERS],
        responses={202: ExportSchemaSerializer, **error_responses(400, 401)},
    )
    def create(self, request):
        """Queue an export of the contacts matching the list's query parameters (given in the query string)."""
        params = _export_params(request)
        _filters(request, self.sub_account)
        job = services.export_create(
            sub_account=self.sub_account,
            format=params["format"],
            bom=params["bom"] == "true",
            filters={key: request.query_params.getlist(key) for key in request.query_params if key not in params},
        )
        return Response(export_to_dict(job), status=202)

    @extend_schema(responses={200: ExportSchemaSerializer, **error_responses(401, 404)})
    def retrieve(self, request, export_id=None):
        return Response(export_to_dict(self.get_object()))

    @extend_schema(responses={(200, "text/csv"): CSV_RESPONSE, **error_responses(401, 404, 409)})
    @action(detail=True, methods=["get"])
    def download(self, request, export_id=None):
        """The export's file, once `status` is `completed` (409 before)."""
        return export_file_response(self.get_object())


def export_file_response(job: ExportJob) -> FileResponse:
    if job.status != ExportJob.Status.COMPLETED:
        raise Conflict("This export is not ready yet.")
    return FileResponse(
        default_storage.open(job.file, "rb"),
        as_attachment=True,
        filename=f"contacts-{job.pk}.{job.format}",
        content_type=FORMATS[job.format],
    )
