"""Leases: a claimed delivery belongs to one worker until it is recorded or its lease runs out."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from webhooks.delivery import AttemptResult, attempt_record, delivery_attempt, delivery_claim, http_client
from webhooks.models import Delivery
from webhooks.services import event_emit
from webhooks.tests.factories import EndpointFactory

pytestmark = pytest.mark.django_db


def _emit(sub_account, count: int = 1) -> list[Delivery]:
    events = [event_emit(sub_account=sub_account, type="contact.created", data={"n": n}) for n in range(count)]
    return list(Delivery.objects.unscoped().filter(event__in=events))


def _result(status_code: int) -> AttemptResult:
    return AttemptResult(attempted_at=timezone.now(), duration_ms=1, status_code=status_code)


def test_a_claimed_delivery_is_not_claimed_again_while_its_lease_runs(sub_account):
    EndpointFactory(sub_account=sub_account)
    (delivery,) = _emit(sub_account)

    (claimed,) = delivery_claim()

    assert claimed.pk == delivery.pk
    assert delivery_claim() == []


def test_a_claim_lasts_the_lease_setting(settings, sub_account):
    settings.WEBHOOKS_LEASE_SECONDS = 30
    EndpointFactory(sub_account=sub_account)
    _emit(sub_account)
    now = timezone.now()

    (claimed,) = delivery_claim(now=now)

    assert claimed.next_attempt_at == now + timedelta(seconds=30)
    assert claimed.lease_token


def test_a_delivery_whose_worker_died_is_claimed_again_after_the_lease_expires(settings, sub_account, receiver):
    settings.WEBHOOKS_LEASE_SECONDS = 60
    EndpointFactory(sub_account=sub_account, url=receiver.url)
    (delivery,) = _emit(sub_account)
    delivery_claim()  # a worker claims it, then is killed before it sends anything

    assert delivery_claim(now=timezone.now() + timedelta(seconds=59)) == []
    (reclaimed,) = delivery_claim(now=timezone.now() + timedelta(seconds=61))
    with http_client() as client:
        attempt_record(delivery=reclaimed, result=delivery_attempt(reclaimed, client=client))

    reclaimed.refresh_from_db()
    assert reclaimed.status == Delivery.Status.SUCCEEDED
    assert reclaimed.attempt_count == 2  # the killed attempt counts toward the retry schedule
    assert [r.webhook_id for r in receiver.received] == [delivery.event_id]


def test_a_worker_that_lost_its_lease_does_not_overwrite_the_new_holders_outcome(sub_account):
    EndpointFactory(sub_account=sub_account)
    _emit(sub_account)
    (slow,) = delivery_claim()
    (fast,) = delivery_claim(now=timezone.now() + timedelta(minutes=5))
    attempt_record(delivery=fast, result=_result(200))

    attempt_record(delivery=slow, result=_result(500))

    fast.refresh_from_db()
    assert fast.status == Delivery.Status.SUCCEEDED
    assert fast.next_attempt_at is None
    assert [a.status_code for a in fast.attempts.all()] == [200, 500]  # both attempts stay in the log


def test_deliveries_not_yet_due_are_not_claimed(sub_account):
    EndpointFactory(sub_account=sub_account)
    (delivery,) = _emit(sub_account)
    Delivery.objects.unscoped().filter(pk=delivery.pk).update(next_attempt_at=timezone.now() + timedelta(minutes=5))

    assert delivery_claim() == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_claimers_never_get_the_same_delivery(sub_account):
    EndpointFactory(sub_account=sub_account)
    _emit(sub_account, 120)
    claimed: list[str] = []
    lock = threading.Lock()

    def claimer():
        try:
            while batch := delivery_claim(limit=3):
                with lock:
                    claimed.extend(delivery.pk for delivery in batch)
        finally:
            connection.close()

    threads = [threading.Thread(target=claimer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(claimed) == 120
    assert len(set(claimed)) == 120


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SKIP LOCKED needs row locks, which only PostgreSQL has; SQLite serializes claims with BEGIN IMMEDIATE",
)
@pytest.mark.django_db(transaction=True)
def test_a_claim_skips_rows_another_worker_has_locked_instead_of_waiting(sub_account):
    EndpointFactory(sub_account=sub_account)
    first, second = sorted(_emit(sub_account, 2), key=lambda d: (d.next_attempt_at, d.pk))
    Delivery.objects.unscoped().filter(pk=second.pk).update(
        next_attempt_at=first.next_attempt_at + timedelta(milliseconds=1)
    )
    locked, release = threading.Event(), threading.Event()

    def other_worker_holding_the_first_row():
        try:
            with transaction.atomic():
                Delivery.objects.unscoped().select_for_update().get(pk=first.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=other_worker_holding_the_first_row)
    holder.start()
    try:
        assert locked.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # waiting on the lock would fail the test, not hang it
        claimed = delivery_claim(limit=2)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
        release.set()
        holder.join()

    assert [delivery.pk for delivery in claimed] == [second.pk]
