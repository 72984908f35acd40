import pytest
from django.core.management import call_command

from imports import services
from imports.tests.conftest import refreshed, upload

pytestmark = pytest.mark.django_db


def test_manage_py_worker_runs_the_queued_import_jobs(sub_account):
    job = upload(sub_account, "name,email\nAda,ada@example.com\n")
    services.import_check(job=job, options={})
    call_command("worker", "--burst", "--no-webhooks", "--poll-interval", "0.01")
    assert refreshed(job).status == "checked"
