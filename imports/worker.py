"""The job loop of `manage.py worker`: import and export jobs are rows claimed with SELECT … FOR UPDATE
SKIP LOCKED under a lease (as webhook deliveries are). A worker renews its lease with each chunk it
commits; one that dies stops renewing, and when the lease runs out another worker claims the job and
resumes it after its last committed chunk."""

import logging
import threading

from django.db import close_old_connections, connection, transaction
from django.db.models import F
from django.utils import timezone

from imports.export import export_run
from imports.models import ExportJob, ImportJob
from imports.revert import import_revert_run
from imports.runner import import_run, lease_duration

logger = logging.getLogger(__name__)

MAX_CLAIMS = 5


def job_claim(model):
    """Lease one runnable job of `model` (any sub-account's: the one read that crosses tenants)."""
    now = timezone.now()
    with transaction.atomic():
        claimed = (
            model.objects.unscoped()
            .claimable(now)
            .select_for_update(skip_locked=True)
            .order_by("created_at")
            .values_list("pk", "sub_account_id")
            .first()
        )
        if claimed is None:
            return None
        pk, sub_account_id = claimed
        model.objects.for_account(sub_account_id).filter(pk=pk).update(
            lease_until=now + lease_duration(), claims=F("claims") + 1
        )
    return model.objects.for_account(sub_account_id).select_related("sub_account").get(pk=pk)


def _given_up(job) -> bool:
    """A run claimed MAX_CLAIMS times without finishing keeps failing (a bug, a file storage cannot serve):
    it ends `failed` instead of being retried forever. A worker restart costs one claim."""
    if job.claims <= MAX_CLAIMS:
        return False
    type(job).objects.for_account(job.sub_account_id).filter(pk=job.pk).update(
        status="failed", lease_until=None, error=f"Gave up after {MAX_CLAIMS} attempts; see the worker's log."
    )
    return True


def job_run_one(*, should_stop=lambda: False) -> bool:
    """Claim and run one job (imports first, then exports); False when none was waiting."""
    job = job_claim(ImportJob)
    if job is not None:
        if _given_up(job):
            return True
        if job.status in (ImportJob.Status.REVERT_QUEUED, ImportJob.Status.REVERTING):
            import_revert_run(job, should_stop=should_stop)
        else:
            import_run(job, should_stop=should_stop)
        return True
    export = job_claim(ExportJob)
    if export is not None:
        if not _given_up(export):
            export_run(export)
        return True
    return False


class JobWorker:
    def __init__(self, *, poll_interval: float = 1.0, burst: bool = False):
        self.poll_interval = poll_interval
        self.burst = burst
        self.stopping = threading.Event()

    def stop(self) -> None:
        """Finish the chunk under way, hand the job back (it resumes elsewhere), then return from run()."""
        self.stopping.set()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                worked = job_run_one(should_stop=self.stopping.is_set)
            except Exception:
                if self.burst:
                    raise
                # The job's lease runs out and another try resumes it after its last committed chunk.
                logger.exception("Import/export job failed")
                close_old_connections()
                worked = False
                self.stopping.wait(self.poll_interval)
            if not worked:
                if self.burst:
                    return
                if not connection.in_atomic_block:
                    close_old_connections()
                self.stopping.wait(self.poll_interval)
