"""The staff pages of import and export: upload → preview and mapping → dry run → commit → progress →
cancel or revert; the contact list's "Export" button. Every write goes through imports.services."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views import View
from django.views.generic import TemplateView

from accounts.mixins import SubAccountMixin
from contacts.views import ListState
from contacts_site.errors import Conflict
from contacts_site.forms import add_domain_error
from imports import services
from imports.api import export_file_response, failed_rows_response, streamed_export
from imports.export import export_queryset
from imports.forms import ImportOptionsForm, ImportUploadForm
from imports.models import ExportJob, ImportJob, ImportRowError

ERRORS_SHOWN = 50
DRY_RUN_STATUSES = (
    ImportJob.Status.UPLOADED,
    ImportJob.Status.CHECK_QUEUED,
    ImportJob.Status.CHECKING,
    ImportJob.Status.CHECKED,
    ImportJob.Status.FAILED,
)
RECENT_IMPORTS = 20


class ImportsMixin(SubAccountMixin):
    nav = "imports"
    model = ImportJob


class ImportListView(ImportsMixin, TemplateView):
    """Upload a file; the sub-account's recent imports."""

    template_name = "imports/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ImportUploadForm())
        context["imports"] = list(self.get_queryset().order_by("-created_at", "-id")[:RECENT_IMPORTS])
        context["exports"] = list(self.get_queryset(ExportJob).order_by("-created_at", "-id")[:RECENT_IMPORTS])
        return context

    def post(self, request, *args, **kwargs):
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = services.import_upload(
                    sub_account=self.sub_account,
                    file=form.cleaned_data["file"],
                    user_id=request.user.pk,
                    actor_label=request.user.get_username(),
                )
            except ValidationError as error:
                add_domain_error(form, error)
            else:
                return redirect("imports:detail", pk=job.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ImportDetailView(ImportsMixin, TemplateView):
    """One import: its preview and options form, its dry run, its progress. An htmx poll of `#progress` gets
    just the progress; when the run ends, the whole page is reloaded to show the results."""

    template_name = "imports/detail.html"

    def get(self, request, *args, **kwargs):
        job = self.get_object()
        if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "progress":
            response = self.response_class(request, "imports/_progress.html", {"job": job}, using=self.template_engine)
            if job.status not in ImportJob.RUNNABLE:
                response["HX-Refresh"] = "true"
            return response
        return self.render_to_response(self.get_context_data(job=job))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = context["job"]
        if "form" not in context:
            context["form"] = ImportOptionsForm(header=job.header, initial=ImportOptionsForm.initial_for(job.options))
        editable = job.status in (ImportJob.Status.UPLOADED, ImportJob.Status.CHECKED, ImportJob.Status.FAILED)
        dry_run = job.status == ImportJob.Status.CHECKED
        # The dry run's errors until the import is committed, the commit's after.
        shows_dry_run = job.status in DRY_RUN_STATUSES
        errors = self.get_queryset(ImportRowError).filter(job=job, dry_run=shows_dry_run)
        context.update(
            editable=editable,
            preview=services.import_preview(job=job) if editable else None,
            dry_run=dry_run,
            running=job.status in ImportJob.RUNNABLE,
            row_errors=list(errors.order_by("row_number", "id")[:ERRORS_SHOWN]),
            errors_of_dry_run=shows_dry_run,
        )
        return context

    def post(self, request, *args, **kwargs):
        """The dry run with the options of the form."""
        job = self.get_object()
        form = ImportOptionsForm(request.POST, header=job.header)
        if form.is_valid():
            try:
                services.import_check(job=job, options=form.options())
            except (ValidationError, Conflict) as error:
                add_domain_error(form, error)
            else:
                messages.success(request, "Dry run started: nothing is written until you import.")
                return redirect("imports:detail", pk=job.pk)
        return self.render_to_response(self.get_context_data(job=job, form=form), status=400)


class ImportActionView(ImportsMixin, View):
    """POST-only actions on an import (commit, cancel, revert); each redirects back to the import."""

    action = None
    DONE = {
        "commit": "Import started.",
        "cancel": "Cancelling: the import stops before its next chunk.",
        "revert": "Revert started.",
    }

    def post(self, request, *args, **kwargs):
        job = self.get_object()
        try:
            if self.action == "commit":
                services.import_commit(job=job, fingerprint=request.POST.get("fingerprint", ""))
            elif self.action == "cancel":
                services.import_cancel(job=job)
            else:
                services.import_revert(job=job)
        except Conflict as error:
            messages.error(request, error.message)
        else:
            messages.success(request, self.DONE[self.action])
        return redirect("imports:detail", pk=job.pk)


class FailedRowsView(ImportsMixin, View):
    def get(self, request, *args, **kwargs):
        return failed_rows_response(self.get_object(), dry_run=request.GET.get("dry_run", "true") == "true")


class ExportView(ImportsMixin, View):
    """The contact list's Export button: the list's current filter, streamed; a large one runs in the
    background and its page offers the download when ready."""

    def get(self, request, *args, **kwargs):
        state = ListState.from_data(request.GET)
        format = request.GET.get("format") if request.GET.get("format") in ("csv", "jsonl") else "csv"
        bom = request.GET.get("bom") == "true"
        filterset = export_queryset(self.sub_account, state.filter_data())
        filterset.is_valid()
        count = filterset.exact_total
        if count is None:
            count = filterset.qs.count()
        if count <= settings.EXPORT_STREAM_MAX_ROWS:
            return streamed_export(filterset.qs, format=format, bom=bom, filename="contacts")
        job = services.export_create(
            sub_account=self.sub_account, format=format, bom=bom, filters=state.filter_data(), user_id=request.user.pk
        )
        messages.success(
            request, f"{count:,} contacts: the export runs in the background; download it here when ready."
        )
        return redirect("imports:export-detail", pk=job.pk)


class ExportDetailView(ImportsMixin, TemplateView):
    model = ExportJob
    template_name = "imports/export_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["export"] = self.get_object()
        return context


class ExportDownloadView(ImportsMixin, View):
    model = ExportJob

    def get(self, request, *args, **kwargs):
        export = self.get_object()
        if export.status != ExportJob.Status.COMPLETED:
            return redirect("imports:export-detail", pk=export.pk)
        return export_file_response(export)
