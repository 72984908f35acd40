"""Cancel, restart and revert, with the worker's real loop (imports.worker.JobWorker) run in this process
against the test database; a worker "killed" mid-chunk is an exception no handler catches, as a SIGKILL
would leave it: the open chunk's transaction rolled back, the job still claimed until its lease runs out."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contacts.models import Contact
from contacts.services import contact_update
from contacts.tests.factories import ContactFactory
from contacts_site.errors import Conflict
from imports import runner, services
from imports.models import ImportJob
from imports.tests.conftest import dry_run, import_csv, refreshed, upload, work
from webhooks.models import Event

pytestmark = pytest.mark.django_db

ROWS = "name,email\n" + "".join(f"Person {n},p{n}@example.com\n" for n in range(10))


class Killed(BaseException):
    """Not an Exception: nothing in the worker catches it, as nothing catches a SIGKILL."""


@pytest.fixture
def chunks_of_two(monkeypatch):
    monkeypatch.setattr(runner, "CHUNK_ROWS", 2)


def during_chunk(monkeypatch, number: int, action):
    """Run `action` when the worker starts its chunk `number` (1-based), in its transaction."""
    original = runner.ImportRun._chunk_once
    calls = {"n": 0}

    def chunk_once(self, rows, cursor):
        calls["n"] += 1
        if calls["n"] == number:
            action(self.job)
        return original(self, rows, cursor)

    monkeypatch.setattr(runner.ImportRun, "_chunk_once", chunk_once)


def checked(sub_account, content):
    job = dry_run(upload(sub_account, content))
    services.import_commit(job=job, fingerprint=job.checked_fingerprint)
    return job


def test_a_restarted_worker_resumes_after_the_last_committed_chunk(sub_account, monkeypatch, chunks_of_two):
    job = checked(sub_account, ROWS)

    def kill(job):
        raise Killed()

    during_chunk(monkeypatch, 3, kill)
    with pytest.raises(Killed):
        work()
    half = refreshed(job)
    assert (half.status, half.rows_done, half.counts["created"]) == ("running", 4, 4)
    assert Contact.objects.for_account(sub_account).count() == 4
    monkeypatch.undo()
    monkeypatch.setattr(runner, "CHUNK_ROWS", 2)
    # Nobody renews the dead worker's lease: once it runs out, the next worker claims the job.
    ImportJob.objects.for_account(sub_account).filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(1))
    work()
    done = refreshed(job)
    assert (done.status, done.rows_done, done.counts["created"], done.counts["errors"]) == ("completed", 10, 10, 0)
    assert Contact.objects.for_account(sub_account).count() == 10
    sub_account.refresh_from_db()
    assert sub_account.contact_count == 10


def test_a_job_whose_worker_holds_its_lease_is_not_claimed_twice(sub_account):
    job = checked(sub_account, ROWS)
    ImportJob.objects.for_account(sub_account).filter(pk=job.pk).update(
        status="running", lease_until=timezone.now() + timedelta(minutes=5)
    )
    work()
    assert refreshed(job).rows_done == 0


def test_a_resumed_import_still_reports_duplicates_of_rows_before_the_restart(sub_account, monkeypatch, chunks_of_two):
    job = checked(sub_account, "name,email\nA,a@example.com\nB,b@example.com\nC,c@example.com\nA2,a@example.com\n")

    def kill(job):
        raise Killed()

    during_chunk(monkeypatch, 2, kill)
    with pytest.raises(Killed):
        work()
    monkeypatch.undo()
    ImportJob.objects.for_account(sub_account).filter(pk=job.pk).update(lease_until=None)
    work()
    done = refreshed(job)
    assert (done.counts["created"], done.counts["errors"]) == (3, 1)


def test_a_cancelled_import_stops_before_its_next_chunk_and_keeps_what_it_did(sub_account, monkeypatch, chunks_of_two):
    job = checked(sub_account, ROWS)
    during_chunk(monkeypatch, 2, lambda job: services.import_cancel(job=job))
    work()
    cancelled = refreshed(job)
    assert (cancelled.status, cancelled.rows_done) == ("cancelled", 4)
    assert Contact.objects.for_account(sub_account).count() == 4
    assert cancelled.can_revert


def test_a_queued_import_is_cancelled_at_once(sub_account):
    job = checked(sub_account, ROWS)
    assert services.import_cancel(job=job).status == "cancelled"
    work()
    assert not Contact.objects.for_account(sub_account).exists()


def test_a_finished_import_cannot_be_cancelled(sub_account):
    job = import_csv(sub_account, ROWS)
    with pytest.raises(Conflict):
        services.import_cancel(job=job)


def test_revert_deletes_created_contacts_and_restores_updated_ones(sub_account):
    ContactFactory(sub_account=sub_account, name="Old name", email="p0@example.com", tags=["kept"])
    job = import_csv(sub_account, ROWS, tags_mode="replace", add_tags=["batch"])
    assert job.counts == {"created": 9, "updated": 1, "unchanged": 0, "errors": 0}
    services.import_revert(job=job)
    work()
    reverted = refreshed(job)
    assert reverted.status == "reverted"
    assert (reverted.revert_report["deleted"], reverted.revert_report["restored"]) == (9, 1)
    (old,) = Contact.objects.for_account(sub_account).with_tags()
    assert (old.name, old.tag_names) == ("Old name", ["kept"])
    sub_account.refresh_from_db()
    assert sub_account.contact_count == 1
    assert Event.objects.for_account(sub_account).filter(type="import.reverted").count() == 1


def test_revert_leaves_and_lists_contacts_changed_since(sub_account):
    job = import_csv(sub_account, ROWS)
    changed = Contact.objects.for_account(sub_account).get(email="p3@example.com")
    contact_update(contact=changed, name="Edited by hand")
    services.import_revert(job=job)
    work()
    report = refreshed(job).revert_report
    assert report["deleted"] == 9
    assert report["not_reverted"] == [{"id": changed.pk, "reason": "changed since the import"}]
    assert list(Contact.objects.for_account(sub_account).values_list("name", flat=True)) == ["Edited by hand"]


def test_an_import_older_than_seven_days_cannot_be_reverted(sub_account):
    job = import_csv(sub_account, ROWS)
    ImportJob.objects.for_account(sub_account).filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=8))
    with pytest.raises(Conflict):
        services.import_revert(job=refreshed(job))


def test_a_run_that_keeps_failing_is_given_up_after_five_claims(sub_account, monkeypatch):
    job = checked(sub_account, ROWS)

    def broken(self):
        raise RuntimeError("a bug")

    monkeypatch.setattr(runner.ImportRun, "run", broken)
    for _ in range(5):
        with pytest.raises(RuntimeError):
            work()
        ImportJob.objects.for_account(sub_account).filter(pk=job.pk).update(lease_until=None)
    work()
    failed = refreshed(job)
    assert (failed.status, failed.error) == ("failed", "Gave up after 5 attempts; see the worker's log.")
