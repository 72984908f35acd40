"""The Import page in a real browser: upload, preview and mapping, dry run with its errors, commit with a
progress bar that updates by itself, revert. The worker is the real job loop (imports.worker.JobWorker),
run in a thread of this process against the live server's database."""

import threading

import pytest
from playwright.sync_api import expect

from contacts.models import Contact
from imports.worker import JobWorker
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)

CSV = "Name,E-mail,Phone,Plan\nAda Lovelace,ada@example.com,(415) 555-2671,pro\nBob,not-an-email,,free\n"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def worker():
    """Start the worker on demand; stopped at the end of the test."""
    workers = []

    def start():
        job_worker = JobWorker(poll_interval=0.2)
        thread = threading.Thread(target=job_worker.run, daemon=True)
        thread.start()
        workers.append((job_worker, thread))

    yield start
    for job_worker, thread in workers:
        job_worker.stop()
        thread.join(timeout=10)


def test_an_import_from_upload_to_revert_with_its_progress_bar(signed_in, sub_account, worker):
    page = signed_in
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Import").click()
    assert axe_violations(page) == []
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "contacts.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    page.get_by_role("button", name="Upload and preview").click()

    expect(page.get_by_role("heading", name="Import of contacts.csv")).to_be_visible()
    expect(page.get_by_role("cell", name="ada@example.com")).to_be_visible()
    expect(page.get_by_label("E-mail")).to_have_value("email")
    page.get_by_label("Tags for every imported contact").fill("import-2026-12")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Run a dry run").click()

    progress = page.get_by_role("progressbar")
    expect(progress).to_be_visible()  # queued: the bar is there before the worker starts
    assert axe_violations(page) == []
    worker()
    expect(page.get_by_role("heading", name="Dry run: nothing was written")).to_be_visible()
    expect(page.get_by_role("cell", name="Enter a valid email address.")).to_be_visible()
    assert not Contact.objects.for_account(sub_account).exists()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Import now").click()
    expect(page.get_by_role("heading", name="Imported")).to_be_visible()
    ada = Contact.objects.for_account(sub_account).with_tags().get()
    assert (ada.phone, ada.tag_names, ada.custom_fields) == ("+14155552671", ["import-2026-12"], {"Plan": "pro"})
    assert axe_violations(page) == []

    page.get_by_role("button", name="Revert this import").click()
    expect(page.get_by_text("Revert: 1 contacts deleted")).to_be_visible()
    assert not Contact.objects.for_account(sub_account).exists()


def test_the_progress_bar_polls_until_the_run_ends_then_shows_the_results(
    signed_in, sub_account, worker, settings, monkeypatch
):
    from imports import runner, services
    from imports.tests.conftest import upload

    monkeypatch.setattr(runner, "CHUNK_ROWS", 1)
    job = upload(sub_account, "name,email\n" + "".join(f"P{n},p{n}@example.com\n" for n in range(30)))
    services.import_check(job=job, options={})
    signed_in.goto(f"{signed_in.base}/imports/{job.pk}/")
    progress = signed_in.get_by_role("progressbar")
    expect(progress).to_have_attribute("value", "0")
    worker()
    expect(signed_in.get_by_role("heading", name="Dry run: nothing was written")).to_be_visible(timeout=20_000)
