"""Every statement the import and export doors (API, pages, worker after its claim) run on a tenant table
names its sub-account (contacts_site/tests/tenant_sql.py)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.tests.factories import ContactFactory
from contacts_site.tests.tenant_sql import TENANT_TABLES, statements_without_tenant
from imports import services
from imports.models import ExportJob
from imports.tests.conftest import refreshed, upload, work

pytestmark = pytest.mark.django_db

CSV = "name,email,tags\nAda,ada@example.com,vip\nBob,bob@example.com,\nBad,bad,\n"


def captured(call) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = call()
    if response is not None:
        assert response.status_code < 400, getattr(response, "content", b"")[:500]
        if response.streaming:
            b"".join(response.streaming_content)
    return [query["sql"] for query in queries.captured_queries]


def assert_tenant_named(statements):
    assert any(TENANT_TABLES.search(sql) for sql in statements)
    assert statements_without_tenant(statements) == []


@pytest.fixture
def checked(sub_account):
    ContactFactory(sub_account=sub_account, name="Ada", email="ada@example.com", tags=["old"])
    job = upload(sub_account, CSV)
    services.import_check(job=job, options={"tags_mode": "replace"})
    work()
    return refreshed(job)


API_CALLS = {
    "list imports": lambda job: ("get", "/api/v1/imports", None),
    "read an import": lambda job: ("get", f"/api/v1/imports/{job.pk}", None),
    "its row errors": lambda job: ("get", f"/api/v1/imports/{job.pk}/errors", None),
    "its failing rows": lambda job: ("get", f"/api/v1/imports/{job.pk}/failed-rows", None),
    "a dry run": lambda job: ("post", f"/api/v1/imports/{job.pk}/dry-run", {}),
    "a commit": lambda job: ("post", f"/api/v1/imports/{job.pk}/commit", {"fingerprint": job.checked_fingerprint}),
    "export contacts": lambda job: ("get", "/api/v1/contacts/export?tag=old&format=jsonl", None),
    "queue an export": lambda job: ("post", "/api/v1/exports?search=ada", None),
    "list exports": lambda job: ("get", "/api/v1/exports", None),
}


@pytest.mark.parametrize("name", API_CALLS)
def test_every_statement_of_an_import_or_export_call_names_the_sub_account(api_client, checked, name):
    method, path, body = API_CALLS[name](checked)
    assert_tenant_named(captured(lambda: getattr(api_client, method)(path, body, format="json")))


def test_an_upload_names_the_sub_account(api_client):
    file = SimpleUploadedFile("c.csv", CSV.encode())
    assert_tenant_named(captured(lambda: api_client.post("/api/v1/imports", {"file": file}, format="multipart")))


def test_the_worker_names_the_sub_account_after_its_claim_in_a_commit_and_a_revert(checked):
    services.import_commit(job=checked, fingerprint=checked.checked_fingerprint)
    statements = captured(lambda: work())
    after_claim = [sql for sql in statements if TENANT_TABLES.search(sql)]
    claims = [sql for sql in after_claim if statements_without_tenant([sql])]
    # Only the claims cross tenants (the documented escape hatch): one per job kind looked at.
    assert all("FOR UPDATE SKIP LOCKED" in sql or "SKIP LOCKED" in sql or "LIMIT 1" in sql for sql in claims)
    services.import_revert(job=refreshed(checked))
    statements = [sql for sql in captured(lambda: work()) if TENANT_TABLES.search(sql)]
    assert all("LIMIT 1" in sql for sql in statements_without_tenant(statements))


def test_a_background_export_names_the_sub_account_after_its_claim(sub_account):
    ContactFactory(sub_account=sub_account, name="Ada", email="ada@example.com")
    services.export_create(sub_account=sub_account, format="csv", bom=True, filters={"tag": []})
    statements = [sql for sql in captured(lambda: work()) if TENANT_TABLES.search(sql)]
    assert all("LIMIT 1" in sql for sql in statements_without_tenant(statements))
    assert ExportJob.objects.for_account(sub_account).get().status == "completed"


PAGES = {
    "the import page": lambda job: ("get", "/imports/", None),
    "an import": lambda job: ("get", f"/imports/{job.pk}/", None),
    "a dry run": lambda job: (
        "post",
        f"/imports/{job.pk}/",
        {
            "column_0": "name",
            "column_1": "email",
            "column_2": "tags",
            "match_by": "email",
            "blank": "keep",
            "tags_mode": "add",
            "default_region": "US",
            "add_tags": "",
        },
    ),
    "a commit": lambda job: ("post", f"/imports/{job.pk}/commit/", {"fingerprint": job.checked_fingerprint}),
    "the failing rows": lambda job: ("get", f"/imports/{job.pk}/failed-rows.csv", None),
    "the export button": lambda job: ("get", "/imports/export/?tag=vip", None),
}


@pytest.mark.parametrize("name", PAGES)
def test_every_statement_of_an_import_page_names_the_sub_account(staff_client, checked, name):
    method, path, data = PAGES[name](checked)
    statements = captured(lambda: getattr(staff_client, method)(path, data))
    assert statements_without_tenant(statements) == []
