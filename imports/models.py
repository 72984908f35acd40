"""Import and export jobs: rows in the database, claimed by the one worker (`manage.py worker`)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import SubAccount, TenantModel, TenantQuerySet
from contacts_site.ids import prefixed_id

# How long an import can be reverted after it finished.
UNDO_WINDOW = timedelta(days=7)


def new_import_id() -> str:
    return prefixed_id("imp")


def new_export_id() -> str:
    return prefixed_id("exp")


class JobQuerySet(TenantQuerySet):
    def claimable(self, now):
        """Jobs waiting for a worker, or whose worker stopped renewing its lease (it died: resume them)."""
        return self.filter(status__in=self.model.RUNNABLE).filter(
            models.Q(lease_until__isnull=True) | models.Q(lease_until__lt=now)
        )


class ImportJob(TenantModel):
    """One uploaded file and what to do with it: checked (dry run), then committed, perhaps reverted."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded"  # previewed; no options checked yet
        CHECK_QUEUED = "check_queued"
        CHECKING = "checking"
        CHECKED = "checked"  # a dry run finished: counts and row errors are those of `checked_fingerprint`
        QUEUED = "queued"
        RUNNING = "running"
        COMPLETED = "completed"
        CANCELLED = "cancelled"
        FAILED = "failed"
        REVERT_QUEUED = "revert_queued"
        REVERTING = "reverting"
        REVERTED = "reverted"

    RUNNABLE = (
        Status.CHECK_QUEUED,
        Status.CHECKING,
        Status.QUEUED,
        Status.RUNNING,
        Status.REVERT_QUEUED,
        Status.REVERTING,
    )

    id = models.CharField(primary_key=True, max_length=32, default=new_import_id, editable=False)
    sub_account = models.ForeignKey(SubAccount, on_delete=models.CASCADE, related_name="+", db_index=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    api_key_id = models.IntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=255, blank=True, default="")
    file = models.CharField(max_length=255)  # a name in the default storage
    file_name = models.CharField(max_length=255, blank=True, default="")
    file_size = models.BigIntegerField(default=0)
    file_sha256 = models.CharField(max_length=64)
    encoding = models.CharField(max_length=32)
    delimiter = models.CharField(max_length=1)
    header = models.JSONField(default=list)
    options = models.JSONField(default=dict)  # what the last dry run was asked (mapping included)
    checked_fingerprint = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UPLOADED)
    cancel_requested = models.BooleanField(default=False)
    # Progress of the run under way (or the last one): rows of the file, not counting the header.
    rows_total = models.IntegerField(null=True, blank=True)
    rows_done = models.IntegerField(default=0)  # the resume cursor, committed with each chunk's writes
    counts = models.JSONField(default=dict)  # created / updated / unchanged / errors
    dry_run_counts = models.JSONField(default=dict)
    revert_report = models.JSONField(default=dict)
    error = models.TextField(blank=True, default="")
    lease_until = models.DateTimeField(null=True, blank=True)
    claims = models.IntegerField(default=0)  # claims of the run under way: a run that keeps failing is given up
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["sub_account", "-created_at"], name="importjob_account_created"),
            models.Index(fields=["status", "lease_until"], name="importjob_claim"),
        ]

    def __str__(self) -> str:
        return f"{self.id} ({self.file_name})"

    @property
    def revertible_until(self):
        return self.finished_at + UNDO_WINDOW if self.finished_at else None

    @property
    def can_revert(self) -> bool:
        return (
            self.status in (self.Status.COMPLETED, self.Status.CANCELLED)
            and self.finished_at is not None
            and timezone.now() < self.revertible_until
        )


class ImportRowError(TenantModel):
    """A row that was not imported (or would not be, in a dry run): where, why, and the row as it was."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors", db_index=False)
    sub_account = models.ForeignKey(SubAccount, on_delete=models.CASCADE, related_name="+", db_index=False)
    dry_run = models.BooleanField()
    row_number = models.IntegerField()  # 1-based as a spreadsheet shows it: the header is row 1
    column = models.CharField(max_length=255, blank=True, default="")
    message = models.TextField()
    cells = models.JSONField(default=list)

    objects = TenantQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["sub_account", "job", "dry_run", "row_number"], name="importrowerror_job_row")]


class ImportChunk(TenantModel):
    """What one committed chunk did, for the revert: the contacts it created, and the state before of those
    it updated. Written in the chunk's transaction, so it is exactly what the chunk changed."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="chunks", db_index=False)
    sub_account = models.ForeignKey(SubAccount, on_delete=models.CASCADE, related_name="+", db_index=False)
    first_row = models.IntegerField()
    written_at = models.DateTimeField()  # the updated_at every contact the chunk wrote got
    created_ids = models.JSONField(default=list)
    # [{"id", "name", "email", "phone", "custom_fields", "tags"}] as they were before the chunk
    updated_before = models.JSONField(default=list)

    objects = TenantQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["sub_account", "job", "first_row"], name="importchunk_job_row")]


class ExportJob(TenantModel):
    """A large export, written to storage by the worker and downloaded when ready."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        COMPLETED = "completed"
        FAILED = "failed"

    RUNNABLE = (Status.QUEUED, Status.RUNNING)

    id = models.CharField(primary_key=True, max_length=32, default=new_export_id, editable=False)
    sub_account = models.ForeignKey(SubAccount, on_delete=models.CASCADE, related_name="+", db_index=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    format = models.CharField(max_length=8)  # csv | jsonl
    bom = models.BooleanField(default=False)
    filters = models.JSONField(default=dict)  # the list's query parameters
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    file = models.CharField(max_length=255, blank=True, default="")
    rows_done = models.IntegerField(default=0)
    error = models.TextField(blank=True, default="")
    lease_until = models.DateTimeField(null=True, blank=True)
    claims = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["sub_account", "-created_at"], name="exportjob_account_created"),
            models.Index(fields=["status", "lease_until"], name="exportjob_claim"),
        ]
