"""Attempts, retries with backoff, giving up, and turning endpoints off — against a real loopback receiver."""

from datetime import timedelta

import pytest
from django.utils import timezone

from webhooks.delivery import attempt_record, delivery_attempt, delivery_claim, http_client, retry_delay
from webhooks.models import Delivery, Endpoint
from webhooks.services import event_emit
from webhooks.tests.factories import EndpointFactory
from webhooks.tests.receiver import Receiver
from webhooks.worker import Worker

pytestmark = pytest.mark.django_db


def _deliver_due() -> list[Delivery.Status]:
    """One worker step per due delivery: claim, attempt, record."""
    outcomes = []
    with http_client() as client:
        while claimed := delivery_claim():
            for delivery in claimed:
                outcomes.append(attempt_record(delivery=delivery, result=delivery_attempt(delivery, client=client)))
    return outcomes


def _make_due(delivery: Delivery) -> None:
    Delivery.objects.unscoped().filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


@pytest.fixture
def endpoint_for(sub_account):
    def make(receiver, **kwargs):
        return EndpointFactory(sub_account=sub_account, url=receiver.url, **kwargs)

    return make


@pytest.fixture
def emit(sub_account):
    def emit_one():
        event = event_emit(sub_account=sub_account, type="contact.created", data={"id": "ct_1"})
        return Delivery.objects.unscoped().get(event=event)

    return emit_one


def test_a_2xx_answer_marks_the_delivery_succeeded_and_logs_the_attempt(receiver, endpoint_for, emit):
    endpoint_for(receiver)
    delivery = emit()

    assert _deliver_due() == [Delivery.Status.SUCCEEDED]

    delivery.refresh_from_db()
    (attempt,) = delivery.attempts.all()
    assert (delivery.status, delivery.next_attempt_at, delivery.attempt_count) == ("succeeded", None, 1)
    assert (attempt.status_code, attempt.response_excerpt, attempt.error, attempt.next_retry_at) == (
        200,
        "thanks",
        "",
        None,
    )
    assert attempt.duration_ms >= 0


def test_a_failed_attempt_is_retried_after_about_five_seconds(endpoint_for, emit):
    with Receiver(statuses=[500]) as receiver:
        endpoint_for(receiver)
        delivery = emit()
        before = timezone.now()

        _deliver_due()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert before + timedelta(seconds=4.5) <= delivery.next_attempt_at <= timezone.now() + timedelta(seconds=5.5)
    assert delivery.attempts.get().next_retry_at == delivery.next_attempt_at


def test_each_retry_waits_longer_than_the_one_before(settings):
    settings.WEBHOOKS_RETRY_SCHEDULE = [5, 300, 1800, 7200]

    delays = [retry_delay(n).total_seconds() for n in range(1, 5)]

    assert delays == sorted(delays)
    for delay, base in zip(delays, [5, 300, 1800, 7200], strict=True):
        assert base * 0.9 <= delay <= base * 1.1


def test_retry_delays_are_jittered(settings):
    settings.WEBHOOKS_RETRY_SCHEDULE = [1800]

    assert len({retry_delay(1) for _ in range(20)}) > 1


def test_the_default_schedule_retries_for_about_three_days():
    from contacts_site import settings as project_settings

    total = timedelta(seconds=sum(project_settings.WEBHOOKS_RETRY_SCHEDULE))

    assert timedelta(days=2.5) <= total <= timedelta(days=3.5)
    assert project_settings.WEBHOOKS_RETRY_SCHEDULE[:5] == [5, 300, 1800, 7200, 18000]


def test_a_delivery_that_runs_out_of_retries_is_marked_failed(settings, endpoint_for, emit):
    settings.WEBHOOKS_RETRY_SCHEDULE = [5, 5]
    with Receiver(statuses=[500, 502, 503]) as receiver:
        endpoint_for(receiver)
        delivery = emit()
        for _ in range(3):
            _make_due(delivery)
            _deliver_due()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.next_attempt_at is None
    assert [a.status_code for a in delivery.attempts.all()] == [500, 502, 503]
    assert delivery.attempts.last().next_retry_at is None


def test_a_receiver_failing_three_times_gets_one_more_successful_delivery_of_the_same_webhook_id(
    settings, endpoint_for, sub_account
):
    settings.WEBHOOKS_RETRY_SCHEDULE = [0.05] * 6
    with Receiver(statuses=[500, 500, 500]) as receiver:
        endpoint = endpoint_for(receiver)
        event = event_emit(sub_account=sub_account, type="contact.created", data={"id": "ct_1"})

        Worker(threads=1, poll_interval=0.05, burst=True).run()

    assert [r.webhook_id for r in receiver.received] == [event.id] * 4
    assert len(receiver.verified(endpoint.secret)) == 4
    delivery = Delivery.objects.unscoped().get(event=event)
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert [a.status_code for a in delivery.attempts.all()] == [500, 500, 500, 200]


def test_a_timeout_counts_as_a_failure(settings, endpoint_for, emit):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.2
    with Receiver(delay=1.0) as receiver:
        endpoint_for(receiver)
        delivery = emit()
        _deliver_due()

    attempt = delivery.attempts.get()
    assert attempt.status_code is None
    assert "Timed out" in attempt.error
    assert attempt.next_retry_at is not None


def test_a_refused_connection_counts_as_a_failure(sub_account, emit):
    with Receiver() as receiver:
        url = receiver.url
    EndpointFactory(sub_account=sub_account, url=url)  # nothing listens there any more
    delivery = emit()

    _deliver_due()

    attempt = delivery.attempts.get()
    assert attempt.status_code is None
    assert attempt.error
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING


def test_a_redirect_is_not_followed_and_counts_as_a_failure(endpoint_for, emit):
    with Receiver(statuses=[302]) as receiver:
        endpoint_for(receiver)
        delivery = emit()
        _deliver_due()

    assert len(receiver.received) == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING


def test_the_response_excerpt_keeps_the_first_kilobyte(endpoint_for, emit):
    with Receiver(body=b"x" * 5000) as receiver:
        endpoint_for(receiver)
        delivery = emit()
        _deliver_due()

    assert delivery.attempts.get().response_excerpt == "x" * 1024


def test_410_gone_disables_the_endpoint_and_fails_the_delivery(endpoint_for, emit):
    with Receiver(statuses=[410]) as receiver:
        endpoint = endpoint_for(receiver)
        delivery = emit()
        _deliver_due()

    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert not endpoint.enabled
    assert "410 Gone" in endpoint.disabled_reason


def test_a_disabled_endpoints_queued_deliveries_wait_until_it_is_enabled_again(receiver, endpoint_for, emit):
    endpoint = endpoint_for(receiver)
    delivery = emit()
    Endpoint.objects.unscoped().filter(pk=endpoint.pk).update(enabled=False)

    assert _deliver_due() == []

    Endpoint.objects.unscoped().filter(pk=endpoint.pk).update(enabled=True)
    assert _deliver_due() == [Delivery.Status.SUCCEEDED]
    assert receiver.received[0].webhook_id == delivery.event_id


def test_an_endpoint_failing_for_more_than_five_days_is_disabled_with_a_reason(endpoint_for, emit):
    with Receiver(statuses=[500]) as receiver:
        endpoint = endpoint_for(receiver)
        Endpoint.objects.unscoped().filter(pk=endpoint.pk).update(
            failing_since=timezone.now() - timedelta(days=5, hours=1)
        )
        emit()
        _deliver_due()

    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert endpoint.disabled_reason == "Every delivery failed for more than 5 days (last: HTTP 500)."


def test_an_endpoint_failing_for_a_day_stays_enabled(endpoint_for, emit):
    with Receiver(statuses=[500]) as receiver:
        endpoint = endpoint_for(receiver)
        Endpoint.objects.unscoped().filter(pk=endpoint.pk).update(failing_since=timezone.now() - timedelta(days=1))
        emit()
        _deliver_due()

    endpoint.refresh_from_db()
    assert endpoint.enabled


def test_a_success_ends_the_failure_streak(receiver, endpoint_for, emit):
    endpoint = endpoint_for(receiver)
    Endpoint.objects.unscoped().filter(pk=endpoint.pk).update(failing_since=timezone.now() - timedelta(days=4))
    emit()

    _deliver_due()

    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


def test_an_attempt_that_crashes_is_logged_as_an_internal_error_and_retried(monkeypatch, endpoint_for, emit, receiver):
    def broken(delivery, *, client):
        raise KeyError("bug")

    monkeypatch.setattr("webhooks.worker.delivery_attempt", broken)
    endpoint_for(receiver)
    delivery = emit()

    Worker(threads=1, once=True).run()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.attempts.get().error == "Internal error (KeyError)."
