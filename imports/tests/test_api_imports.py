from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contacts.models import Contact
from imports.tests.conftest import upload, work

pytestmark = pytest.mark.django_db

CSV = "Full Name;E-mail;Phone;Plan\nAda;ada@example.com;+14155552671;pro\nBob;not-an-email;;\n"


def post_file(client, content: bytes, name="contacts.csv"):
    return client.post("/api/v1/imports", {"file": SimpleUploadedFile(name, content, "text/csv")}, format="multipart")


def test_an_upload_answers_a_preview_and_a_suggested_mapping(api_client):
    response = post_file(api_client, CSV.encode())
    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    assert (body["encoding"], body["delimiter"], body["status"]) == ("utf-8", ";", "uploaded")
    assert body["options"]["mapping"] == ["name", "email", "phone", "custom_fields.Plan"]
    assert body["preview"][0] == ["Ada", "ada@example.com", "+14155552671", "pro"]


def test_an_upload_that_is_not_a_file_is_a_validation_error(api_client):
    response = api_client.post("/api/v1/imports", {"file": "text"}, format="multipart")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "file" in response.json()["error"]["fields"]


def test_an_empty_file_is_refused_with_a_reason(api_client):
    response = post_file(api_client, b"")
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_dry_run_then_commit_through_the_api(api_client, sub_account):
    job_id = post_file(api_client, CSV.encode()).json()["id"]
    response = api_client.post(f"/api/v1/imports/{job_id}/dry-run", {"add_tags": ["import-2026-12"]}, format="json")
    assert response.status_code == HTTPStatus.ACCEPTED
    work()
    checked = api_client.get(f"/api/v1/imports/{job_id}").json()
    assert checked["status"] == "checked"
    assert checked["dry_run"]["counts"] == {"created": 1, "updated": 0, "unchanged": 0, "errors": 1}
    errors = api_client.get(f"/api/v1/imports/{job_id}/errors").json()["data"]
    assert errors == [
        {
            "row": 3,
            "column": "E-mail",
            "message": "Enter a valid email address.",
            "cells": ["Bob", "not-an-email", "", ""],
        }
    ]
    response = api_client.post(
        f"/api/v1/imports/{job_id}/commit", {"fingerprint": checked["dry_run"]["fingerprint"]}, format="json"
    )
    assert response.status_code == HTTPStatus.ACCEPTED
    work()
    done = api_client.get(f"/api/v1/imports/{job_id}").json()
    assert (done["status"], done["rows_done"], done["rows_total"]) == ("completed", 2, 2)
    assert done["counts"]["created"] == 1
    ada = Contact.objects.for_account(sub_account).with_tags().get()
    assert (ada.custom_fields, ada.tag_names) == ({"Plan": "pro"}, ["import-2026-12"])


def test_a_commit_with_another_fingerprint_is_a_conflict(api_client):
    job_id = post_file(api_client, CSV.encode()).json()["id"]
    api_client.post(f"/api/v1/imports/{job_id}/dry-run", {}, format="json")
    work()
    response = api_client.post(f"/api/v1/imports/{job_id}/commit", {"fingerprint": "a" * 64}, format="json")
    assert response.status_code == HTTPStatus.CONFLICT


def test_a_commit_before_any_dry_run_is_a_conflict(api_client):
    job_id = post_file(api_client, CSV.encode()).json()["id"]
    response = api_client.post(f"/api/v1/imports/{job_id}/commit", {"fingerprint": "a" * 64}, format="json")
    assert response.status_code == HTTPStatus.CONFLICT


def test_unknown_options_are_refused(api_client):
    job_id = post_file(api_client, CSV.encode()).json()["id"]
    response = api_client.post(f"/api/v1/imports/{job_id}/dry-run", {"match": "email"}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_a_mapping_of_the_wrong_length_is_refused(api_client):
    job_id = post_file(api_client, CSV.encode()).json()["id"]
    response = api_client.post(f"/api/v1/imports/{job_id}/dry-run", {"mapping": ["name"]}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "mapping" in response.json()["error"]["fields"]


def test_the_failing_rows_download_is_a_csv_with_an_error_column(api_client):
    job_id = post_file(api_client, CSV.encode()).json()["id"]
    api_client.post(f"/api/v1/imports/{job_id}/dry-run", {}, format="json")
    work()
    response = api_client.get(f"/api/v1/imports/{job_id}/failed-rows")
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines == [
        "Full Name,E-mail,Phone,Plan,error",
        "Bob,not-an-email,,,Row 3: E-mail: Enter a valid email address.",
    ]


def test_another_sub_accounts_import_is_not_found(other_api_client, sub_account):
    job = upload(sub_account, CSV)
    for path in ("", "/errors", "/failed-rows"):
        assert other_api_client.get(f"/api/v1/imports/{job.pk}{path}").status_code == HTTPStatus.NOT_FOUND
    for path in ("/dry-run", "/commit", "/cancel", "/revert"):
        assert other_api_client.post(f"/api/v1/imports/{job.pk}{path}", {}, format="json").status_code == 404
