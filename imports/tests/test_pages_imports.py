from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from imports.models import ExportJob, ImportJob
from imports.tests.conftest import refreshed, upload, work

pytestmark = pytest.mark.django_db

CSV = "name,email,plan\nAda,ada@example.com,pro\nBob,bad,\n"


def test_uploading_a_file_leads_to_its_preview_and_mapping(staff_client, sub_account):
    response = staff_client.post("/imports/", {"file": SimpleUploadedFile("c.csv", CSV.encode())})
    job = ImportJob.objects.for_account(sub_account).get()
    assert response.status_code == HTTPStatus.FOUND
    page = staff_client.get(f"/imports/{job.pk}/").content.decode()
    assert "ada@example.com" in page and "Run a dry run" in page


def test_an_empty_upload_shows_the_reason(staff_client):
    response = staff_client.post("/imports/", {"file": SimpleUploadedFile("c.csv", b"")})
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_dry_run_commit_and_revert_from_the_page(staff_client, sub_account):
    job = upload(sub_account, CSV)
    options = {
        "column_0": "name",
        "column_1": "email",
        "column_2": "custom_fields.plan",
        "match_by": "email",
        "blank": "keep",
        "tags_mode": "add",
        "default_region": "US",
        "add_tags": "batch",
    }
    assert staff_client.post(f"/imports/{job.pk}/", options).status_code == HTTPStatus.FOUND
    work()
    page = staff_client.get(f"/imports/{job.pk}/").content.decode()
    assert "Dry run: nothing was written" in page and "Enter a valid email address." in page
    staff_client.post(f"/imports/{job.pk}/commit/", {"fingerprint": refreshed(job).checked_fingerprint})
    work()
    assert Contact.objects.for_account(sub_account).with_tags().get().tag_names == ["batch"]
    staff_client.post(f"/imports/{job.pk}/revert/")
    work()
    assert refreshed(job).status == "reverted"
    assert not Contact.objects.for_account(sub_account).exists()


def test_the_progress_poll_answers_the_progress_and_reloads_when_done(staff_client, sub_account):
    job = upload(sub_account, CSV)
    headers = {"HX-Request": "true", "HX-Target": "progress"}
    response = staff_client.get(f"/imports/{job.pk}/", headers=headers)
    assert b"<progress" in response.content
    assert response["HX-Refresh"] == "true"


def test_the_export_button_downloads_the_filtered_list(staff_client, sub_account):
    ContactFactory(sub_account=sub_account, name="Ada", email="ada@example.com", tags=["vip"])
    ContactFactory(sub_account=sub_account, name="Bob", email="bob@example.com")
    response = staff_client.get("/imports/export/?tag=vip")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 2 and "ada@example.com" in lines[1]


def test_a_large_export_runs_in_the_background(staff_client, sub_account, settings):
    settings.EXPORT_STREAM_MAX_ROWS = 0
    ContactFactory(sub_account=sub_account, name="Ada", email="ada@example.com")
    response = staff_client.get("/imports/export/")
    export = ExportJob.objects.for_account(sub_account).get()
    assert response.url == f"/imports/exports/{export.pk}/"
    work()
    download = staff_client.get(f"/imports/exports/{export.pk}/download/")
    assert b"ada@example.com" in b"".join(download.streaming_content)


def test_another_sub_accounts_import_page_is_not_found(staff_client, other_sub_account):
    job = upload(other_sub_account, CSV)
    for path in ("", "failed-rows.csv"):
        assert staff_client.get(f"/imports/{job.pk}/{path}").status_code == HTTPStatus.NOT_FOUND
    for path in ("commit/", "cancel/", "revert/"):
        assert staff_client.post(f"/imports/{job.pk}/{path}").status_code == HTTPStatus.NOT_FOUND
