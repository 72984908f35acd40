"""Another sub-account's webhooks and deliveries answer exactly like missing ones, and stay untouched."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from webhooks.models import Delivery, Endpoint
from webhooks.services import event_emit
from webhooks.tests.factories import EndpointFactory

pytestmark = pytest.mark.django_db


def _without_request_id(body: dict) -> dict:
    # Each answer has its own request id (X-Request-Id); everything else must be identical.
    return {"error": {k: v for k, v in body["error"].items() if k != "request_id"}}


@pytest.fixture
def foreign_endpoint(other_sub_account):
    endpoint = EndpointFactory(sub_account=other_sub_account, description="theirs")
    event_emit(sub_account=other_sub_account, type="contact.created", data={})
    return endpoint


@pytest.mark.parametrize(
    ("method", "suffix", "payload"),
    [
        ("get", "", None),
        ("patch", "", {"description": "mine now"}),
        ("put", "", {"description": "mine now"}),
        ("delete", "", None),
        ("get", "/deliveries", None),
        ("post", "/test", None),
        ("post", "/rotate-secret", None),
    ],
)
def test_another_sub_accounts_webhook_answers_like_a_missing_one(api_client, foreign_endpoint, method, suffix, payload):
    call = getattr(api_client, method)
    kwargs = {"format": "json"} if payload is not None else {}
    secret = foreign_endpoint.secret

    response = call(reverse("webhook-detail", args=[foreign_endpoint.pk]) + suffix, payload, **kwargs)
    missing = call(reverse("webhook-detail", args=["wh_01DOESNOTEXIST0000000000"]) + suffix, payload, **kwargs)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert _without_request_id(response.json()) == _without_request_id(missing.json())
    foreign_endpoint.refresh_from_db()
    assert (foreign_endpoint.description, foreign_endpoint.secret) == ("theirs", secret)
    assert Delivery.objects.unscoped().filter(endpoint=foreign_endpoint).count() == 1


@pytest.mark.parametrize(("method", "suffix"), [("get", ""), ("post", "/redeliver")])
def test_another_sub_accounts_delivery_answers_like_a_missing_one(api_client, foreign_endpoint, method, suffix):
    delivery = Delivery.objects.unscoped().get(endpoint=foreign_endpoint)
    call = getattr(api_client, method)

    response = call(reverse("delivery-detail", args=[delivery.pk]) + suffix)
    missing = call(reverse("delivery-detail", args=["dlv_01DOESNOTEXIST000000000"]) + suffix)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert _without_request_id(response.json()) == _without_request_id(missing.json())


def test_another_sub_accounts_webhooks_are_not_listed(api_client, foreign_endpoint):
    assert api_client.get(reverse("webhook-list")).json()["total"] == 0


def test_a_contact_change_is_never_sent_to_another_sub_accounts_endpoint(api_client, foreign_endpoint):
    api_client.post(reverse("contact-list"), {"name": "Ada"}, format="json")

    assert Delivery.objects.unscoped().filter(endpoint=foreign_endpoint).count() == 1  # only its own event
    assert Endpoint.objects.unscoped().count() == 1


@pytest.mark.parametrize("path", ["/api/v1/webhooks/wh_%00x", "/api/v1/deliveries/dlv_%00x/redeliver"])
def test_a_nul_byte_in_an_id_answers_json_404(api_client, path):
    response = api_client.get(path) if "redeliver" not in path else api_client.post(path)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["error"]["code"] == "not_found"
