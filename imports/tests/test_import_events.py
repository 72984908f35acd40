"""The import summaries reach a webhook receiver signed, like every other event type."""

import pytest

from imports import services
from imports.tests.conftest import import_csv, work
from webhooks.tests.factories import EndpointFactory
from webhooks.tests.receiver import Receiver
from webhooks.worker import Worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def loopback_targets(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOKS_ALLOW_HTTP = True


def test_an_import_and_its_revert_are_delivered_as_one_summary_each(sub_account):
    with Receiver() as receiver:
        endpoint = EndpointFactory(sub_account=sub_account, url=receiver.url, events=["*"])
        job = import_csv(sub_account, "name,email\nAda,ada@example.com\nBob,bob@example.com\nBad,bad\n")
        services.import_revert(job=job)
        work()
        Worker(threads=1, once=True).run()
        bodies = receiver.verified(endpoint.secret)
    completed, reverted = sorted(bodies, key=lambda body: body["created_at"])
    assert completed["type"] == "import.completed"
    assert completed["data"] == {
        "id": job.pk,
        "status": "completed",
        "file_name": "contacts.csv",
        "rows_total": 3,
        "rows_done": 3,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "errors": 1,
    }
    assert reverted["type"] == "import.reverted"
    assert (reverted["data"]["id"], reverted["data"]["deleted"]) == (job.pk, 2)
