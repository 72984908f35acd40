"""Signatures per Standard Webhooks, checked with the independent `standardwebhooks` library."""

import base64
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from webhooks.delivery import delivery_attempt, http_client
from webhooks.models import Delivery
from webhooks.services import endpoint_rotate_secret, event_emit
from webhooks.signing import secret_generate, signed_headers
from webhooks.tests.factories import EndpointFactory

pytestmark = pytest.mark.django_db

BODY = '{"id":"evt_1","type":"contact.created","data":{"name":"Ada"}}'


def _headers(secret: str, *, msg_id: str = "evt_1", timestamp: int | None = None, body: str = BODY) -> dict:
    timestamp = timestamp if timestamp is not None else int(timezone.now().timestamp())
    return signed_headers(live_secrets=[secret], msg_id=msg_id, timestamp=timestamp, body=body)


def _deliver_once(event):
    with http_client() as client:
        delivery_attempt(
            Delivery.objects.unscoped().select_related("event", "endpoint").get(event=event), client=client
        )


def test_a_secret_is_whsec_and_32_random_bytes_in_base64():
    secret = secret_generate()

    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert secret != secret_generate()


def test_a_signed_message_verifies_with_the_standardwebhooks_library():
    secret = secret_generate()

    assert Webhook(secret).verify(BODY, _headers(secret))["data"] == {"name": "Ada"}


def test_a_changed_body_fails_verification():
    secret = secret_generate()
    headers = _headers(secret)

    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY.replace("Ada", "Eve"), headers)


def test_a_changed_timestamp_fails_verification():
    secret = secret_generate()
    headers = _headers(secret)
    headers["webhook-timestamp"] = str(int(headers["webhook-timestamp"]) - 1)

    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY, headers)


def test_a_changed_id_fails_verification():
    secret = secret_generate()
    headers = _headers(secret)
    headers["webhook-id"] = "evt_2"

    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY, headers)


def test_another_secret_fails_verification():
    with pytest.raises(WebhookVerificationError):
        Webhook(secret_generate()).verify(BODY, _headers(secret_generate()))


def test_a_delivery_is_signed_with_the_event_id_and_the_exact_body_sent(sub_account, receiver):
    endpoint = EndpointFactory(sub_account=sub_account, url=receiver.url)
    event = event_emit(sub_account=sub_account, type="contact.created", data={"id": "ct_1"})

    _deliver_once(event)

    (request,) = receiver.received
    assert request.webhook_id == event.id
    assert request.body == event.payload.encode()
    assert Webhook(endpoint.secret).verify(request.body, request.headers)["id"] == event.id


def test_after_a_rotation_both_the_old_and_the_new_secret_verify(sub_account, receiver):
    endpoint = EndpointFactory(sub_account=sub_account, url=receiver.url)
    old_secret = endpoint.secret
    endpoint = endpoint_rotate_secret(endpoint=endpoint)
    event = event_emit(sub_account=sub_account, type="contact.created", data={})

    _deliver_once(event)

    (request,) = receiver.received
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    assert Webhook(endpoint.secret).verify(request.body, request.headers)
    assert Webhook(old_secret).verify(request.body, request.headers)


def test_the_old_secret_stops_signing_24_hours_after_a_rotation(sub_account, receiver):
    endpoint = endpoint_rotate_secret(endpoint=EndpointFactory(sub_account=sub_account, url=receiver.url))
    old_secret = endpoint.previous_secret
    endpoint.previous_secret_expires_at = timezone.now() - timedelta(seconds=1)
    endpoint.save()
    event = event_emit(sub_account=sub_account, type="contact.created", data={})

    _deliver_once(event)

    (request,) = receiver.received
    assert len(request.headers["webhook-signature"].split(" ")) == 1
    assert Webhook(endpoint.secret).verify(request.body, request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old_secret).verify(request.body, request.headers)
