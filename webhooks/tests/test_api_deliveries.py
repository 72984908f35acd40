"""The delivery log, test pings and redelivery through the API."""

from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from webhooks.delivery import delivery_claim
from webhooks.models import Delivery, Endpoint
from webhooks.services import event_emit
from webhooks.tests.factories import EndpointFactory
from webhooks.tests.receiver import Receiver
from webhooks.worker import Worker

pytestmark = pytest.mark.django_db

URL = reverse("webhook-list")


def _deliver():
    Worker(threads=1, once=True).run()


def test_the_delivery_log_shows_each_attempt_with_status_duration_excerpt_and_next_retry(api_client, sub_account):
    with Receiver(statuses=[500], body=b"database down") as receiver:
        endpoint = EndpointFactory(sub_account=sub_account, url=receiver.url)
        event = event_emit(sub_account=sub_account, type="contact.created", data={})
        _deliver()

    body = api_client.get(reverse("webhook-deliveries", args=[endpoint.pk])).json()

    (delivery,) = body["data"]
    assert (delivery["event_id"], delivery["event_type"], delivery["status"]) == (
        event.id,
        "contact.created",
        "pending",
    )
    (attempt,) = delivery["attempts"]
    assert attempt["status_code"] == 500
    assert attempt["response_excerpt"] == "database down"
    assert attempt["duration_ms"] >= 0
    assert attempt["next_retry_at"] == delivery["next_attempt_at"] is not None
    assert set(attempt) == {"attempted_at", "status_code", "duration_ms", "response_excerpt", "error", "next_retry_at"}


def test_the_delivery_log_can_be_filtered_by_status(api_client, sub_account):
    endpoint = EndpointFactory(sub_account=sub_account)
    event_emit(sub_account=sub_account, type="contact.created", data={})
    event_emit(sub_account=sub_account, type="contact.created", data={})
    Delivery.objects.unscoped().filter(pk=Delivery.objects.unscoped().first().pk).update(status=Delivery.Status.FAILED)

    assert api_client.get(reverse("webhook-deliveries", args=[endpoint.pk]), {"status": "failed"}).json()["total"] == 1
    assert api_client.get(reverse("webhook-deliveries", args=[endpoint.pk]), {"status": "pending"}).json()["total"] == 1


def test_an_unknown_status_filter_is_refused(api_client, sub_account):
    endpoint = EndpointFactory(sub_account=sub_account)

    response = api_client.get(reverse("webhook-deliveries", args=[endpoint.pk]), {"status": "lost"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "status" in response.json()["error"]["fields"]


def test_a_delivery_shows_the_payload_that_was_sent(api_client, sub_account):
    EndpointFactory(sub_account=sub_account)
    event = event_emit(sub_account=sub_account, type="contact.created", data={"id": "ct_1"})
    delivery = Delivery.objects.unscoped().get(event=event)

    body = api_client.get(reverse("delivery-detail", args=[delivery.pk])).json()

    assert body["payload"]["id"] == event.id
    assert body["payload"]["data"] == {"id": "ct_1"}


def test_the_test_action_sends_a_signed_ping_to_that_endpoint_alone(api_client, sub_account, receiver):
    endpoint = EndpointFactory(sub_account=sub_account, url=receiver.url, events=["contact.deleted"])
    EndpointFactory(sub_account=sub_account, url=receiver.url + "/other", events=["*"])

    response = api_client.post(reverse("webhook-test", args=[endpoint.pk]))
    _deliver()

    assert response.status_code == HTTPStatus.ACCEPTED
    assert response.json()["event_type"] == "ping"
    (ping,) = receiver.verified(endpoint.secret)
    assert ping["type"] == "ping"
    assert ping["data"]["webhook_id"] == endpoint.pk


def test_a_disabled_endpoint_cannot_be_tested(api_client, sub_account):
    endpoint = EndpointFactory(sub_account=sub_account, enabled=False)

    response = api_client.post(reverse("webhook-test", args=[endpoint.pk]))

    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["error"]["code"] == "conflict"


def test_redelivering_a_failed_delivery_sends_it_again_with_the_same_webhook_id(api_client, sub_account, settings):
    settings.WEBHOOKS_RETRY_SCHEDULE = []
    with Receiver(statuses=[500]) as receiver:
        endpoint = EndpointFactory(sub_account=sub_account, url=receiver.url)
        event = event_emit(sub_account=sub_account, type="contact.created", data={})
        _deliver()
        delivery = Delivery.objects.unscoped().get(event=event)
        assert delivery.status == Delivery.Status.FAILED

        response = api_client.post(reverse("delivery-redeliver", args=[delivery.pk]))
        _deliver()

    assert response.status_code == HTTPStatus.ACCEPTED
    assert response.json()["status"] == "pending"
    assert [request.webhook_id for request in receiver.received] == [event.id, event.id]
    assert len(receiver.verified(endpoint.secret)) == 2
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert [a.status_code for a in delivery.attempts.all()] == [500, 200]


def test_a_delivery_in_flight_cannot_be_redelivered(api_client, sub_account):
    EndpointFactory(sub_account=sub_account)
    event_emit(sub_account=sub_account, type="contact.created", data={})
    (delivery,) = delivery_claim(now=timezone.now())

    response = api_client.post(reverse("delivery-redeliver", args=[delivery.pk]))

    assert response.status_code == HTTPStatus.CONFLICT


def test_a_delivery_to_a_disabled_endpoint_cannot_be_redelivered(api_client, sub_account):
    endpoint = EndpointFactory(sub_account=sub_account)
    event = event_emit(sub_account=sub_account, type="contact.created", data={})
    Endpoint.objects.unscoped().filter(pk=endpoint.pk).update(enabled=False)

    response = api_client.post(reverse("delivery-redeliver", args=[Delivery.objects.unscoped().get(event=event).pk]))

    assert response.status_code == HTTPStatus.CONFLICT
