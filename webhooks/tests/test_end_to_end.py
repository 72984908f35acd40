"""Real receivers on loopback and real worker processes: the issue's "done when" list."""

import signal
from collections import Counter

import pytest
from django.db import transaction

from contacts.services import contact_create, contact_delete, contact_update, note_create, note_delete, note_update
from conversations.services import conversation_create, conversation_update, message_create
from identity.services import contact_merge, merge_undo
from webhooks.events import EVENT_TYPES
from webhooks.models import Delivery
from webhooks.services import event_emit
from webhooks.tests.factories import EndpointFactory
from webhooks.tests.receiver import Receiver
from webhooks.tests.workers import start_worker, stop, wait_until_all_succeeded
from webhooks.worker import Worker

pytestmark = pytest.mark.django_db(transaction=True)

THOUSAND = 1000


def _emit_many(sub_account, count: int) -> set[str]:
    with transaction.atomic():
        return {event_emit(sub_account=sub_account, type="contact.updated", data={"n": n}).id for n in range(count)}


def test_every_event_type_is_delivered_signed_and_verifies(sub_account, receiver):
    endpoint = EndpointFactory(sub_account=sub_account, url=receiver.url, events=["*"])
    contact = contact_create(sub_account=sub_account, name="Ada", email="ada@example.com")
    contact_update(contact=contact, name="Ada Lovelace")
    conversation = conversation_create(sub_account=sub_account, contact=contact, channel="email")
    conversation_update(conversation=conversation, status="pending")
    message_create(conversation=conversation, body="Hello", direction="inbound", sender="contact")
    note = note_create(contact=contact, body="Called back")
    note_update(note=note, body="Called back twice")
    note_delete(note=note)
    twin = contact_create(sub_account=sub_account, name="Ada L", email="ada.l@example.com")
    _, merge = contact_merge(sub_account=sub_account, target_id=contact.pk, source_ids=[twin.pk])
    merge_undo(sub_account=sub_account, merge_id=merge.pk)
    contact_delete(contact=contact)

    Worker(threads=1, once=True).run()

    bodies = receiver.verified(endpoint.secret)
    assert len(bodies) == len(receiver.received) == 12
    assert [body["type"] for body in sorted(bodies, key=lambda b: b["created_at"])] == [
        "contact.created",
        "contact.updated",
        "conversation.created",
        "conversation.updated",
        "message.created",
        "note.created",
        "note.updated",
        "note.deleted",
        "contact.created",
        "contact.merged",
        "contact.unmerged",
        "contact.deleted",
    ]
    # The import summaries are delivered in imports/tests/test_import_events.py (they need an import).
    assert set(EVENT_TYPES) - {"import.completed", "import.reverted"} == {body["type"] for body in bodies}


def test_a_worker_killed_mid_run_and_restarted_loses_none_of_1000_events(sub_account):
    # Slow enough (≥ 2.5 s for the lot with 4 threads) that the kill always lands mid-run.
    with Receiver(delay=0.01) as receiver:
        endpoint = EndpointFactory(sub_account=sub_account, url=receiver.url)
        event_ids = _emit_many(sub_account, THOUSAND)

        doomed = start_worker(lease_seconds=2)
        receiver.wait_for(100, timeout=60)
        stop(doomed, signal.SIGKILL)  # no chance to finish or record anything in flight
        delivered_before_kill = len(receiver.received)
        assert delivered_before_kill < THOUSAND, "the worker finished before it could be killed"

        restarted = start_worker(lease_seconds=2)
        try:
            wait_until_all_succeeded(THOUSAND)
        finally:
            stop(restarted)

    received = Counter(request.webhook_id for request in receiver.received)
    assert set(received) == event_ids
    # At-least-once: only what was in flight at the kill may have arrived twice.
    assert sum(received.values()) - THOUSAND <= 4
    assert len(receiver.verified(endpoint.secret)) == len(receiver.received)


def test_two_workers_deliver_1000_events_with_none_delivered_twice(sub_account, receiver):
    EndpointFactory(sub_account=sub_account, url=receiver.url)
    event_ids = _emit_many(sub_account, THOUSAND)

    workers = [start_worker("--burst"), start_worker("--burst")]
    for worker in workers:
        assert worker.wait(120) == 0, worker.stderr.read().decode()

    received = Counter(request.webhook_id for request in receiver.received)
    assert set(received) == event_ids
    assert max(received.values()) == 1
    assert Delivery.objects.unscoped().filter(status=Delivery.Status.SUCCEEDED).count() == THOUSAND


def test_a_stopped_worker_finishes_and_records_its_attempts_in_flight(sub_account):
    with Receiver(delay=0.5) as receiver:
        EndpointFactory(sub_account=sub_account, url=receiver.url)
        _emit_many(sub_account, 4)
        worker = start_worker("--threads", "4")
        receiver.wait_for(4, timeout=30)

        stop(worker, signal.SIGTERM)

    assert worker.returncode == 0
    assert Delivery.objects.unscoped().filter(status=Delivery.Status.SUCCEEDED).count() == 4
