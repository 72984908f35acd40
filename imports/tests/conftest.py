import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports import services
from imports.models import ImportJob
from imports.worker import JobWorker


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files go to a directory of each test's own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


def upload(sub_account, content: str | bytes, *, name: str = "contacts.csv", encoding: str = "utf-8") -> ImportJob:
    data = content.encode(encoding) if isinstance(content, str) else content
    return services.import_upload(sub_account=sub_account, file=SimpleUploadedFile(name, data, "text/csv"))


def work() -> None:
    """The worker's loop, run in this process against the test database until no job is left."""
    JobWorker(burst=True).run()


def refreshed(job: ImportJob) -> ImportJob:
    return ImportJob.objects.for_account(job.sub_account_id).get(pk=job.pk)


def dry_run(job: ImportJob, **options) -> ImportJob:
    services.import_check(job=job, options=options)
    work()
    return refreshed(job)


def commit(job: ImportJob) -> ImportJob:
    job = refreshed(job)
    services.import_commit(job=job, fingerprint=job.checked_fingerprint)
    work()
    return refreshed(job)


def import_csv(sub_account, content, **options) -> ImportJob:
    """Upload, dry-run and commit `content` with `options`: the whole path a user takes."""
    job = dry_run(upload(sub_account, content), **options)
    assert job.status == ImportJob.Status.CHECKED, job.error
    return commit(job)
