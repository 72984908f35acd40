"""One description of the JSON: endpoints and deliveries answer what their schema serializers document."""

import pytest

from contacts_site.tests.json_shapes import shape_mismatches
from webhooks.serializers import (
    DeliveryDetailSchemaSerializer,
    DeliverySchemaSerializer,
    EndpointSchemaSerializer,
    EndpointWithSecretSchemaSerializer,
)
from webhooks.services import event_emit
from webhooks.tests.factories import EndpointFactory
from webhooks.tests.receiver import Receiver
from webhooks.worker import Worker

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhooks"


def test_an_endpoint_answers_exactly_the_documented_fields(api_client, sub_account):
    endpoint = EndpointFactory(sub_account=sub_account, description="CRM sync")

    answer = api_client.get(f"{URL}/{endpoint.pk}").json()

    assert shape_mismatches(answer, EndpointSchemaSerializer()) == []


def test_a_created_endpoint_answers_the_documented_fields_with_its_secret(api_client):
    answer = api_client.post(URL, {"url": "https://hooks.example.com/in", "events": ["*"]}, format="json").json()

    assert shape_mismatches(answer, EndpointWithSecretSchemaSerializer()) == []


def test_a_delivery_with_a_failed_attempt_answers_exactly_the_documented_fields(api_client, sub_account):
    with Receiver(statuses=[500], body=b"down") as receiver:
        endpoint = EndpointFactory(sub_account=sub_account, url=receiver.url)
        event_emit(sub_account=sub_account, type="contact.created", data={"id": "ct_1"})
        Worker(threads=1, once=True).run()

    (delivery,) = api_client.get(f"{URL}/{endpoint.pk}/deliveries").json()["data"]
    detail = api_client.get(f"/api/v1/deliveries/{delivery['id']}").json()

    assert len(delivery["attempts"]) == 1
    assert shape_mismatches(delivery, DeliverySchemaSerializer()) == []
    assert shape_mismatches(detail, DeliveryDetailSchemaSerializer()) == []
