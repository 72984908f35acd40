"""`/api/v1/webhooks`: create (secret shown once), read, change, delete, rotate the secret."""

from http import HTTPStatus

import pytest
from django.urls import reverse
from standardwebhooks import Webhook

from webhooks.models import Delivery, Endpoint
from webhooks.services import event_emit
from webhooks.tests.factories import EndpointFactory
from webhooks.worker import Worker

pytestmark = pytest.mark.django_db

URL = reverse("webhook-list")
VALID = {"url": "https://hooks.example.com/contacts", "events": ["contact.created", "contact.deleted"]}


def test_creating_a_webhook_answers_it_with_its_secret_once(api_client):
    response = api_client.post(URL, {**VALID, "description": "CRM sync"}, format="json")

    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert body["id"].startswith("wh_")
    assert response["Location"].endswith(reverse("webhook-detail", args=[body["id"]]))
    assert {k: body[k] for k in ("url", "events", "description", "enabled", "disabled_reason")} == {
        "url": VALID["url"],
        "events": VALID["events"],
        "description": "CRM sync",
        "enabled": True,
        "disabled_reason": None,
    }


def test_the_secret_is_never_shown_again(api_client):
    webhook_id = api_client.post(URL, VALID, format="json").json()["id"]

    assert "secret" not in api_client.get(reverse("webhook-detail", args=[webhook_id])).json()
    assert "secret" not in api_client.get(URL).json()["data"][0]
    assert (
        "secret"
        not in api_client.patch(
            reverse("webhook-detail", args=[webhook_id]), {"description": "x"}, format="json"
        ).json()
    )


def test_the_list_uses_the_shared_envelope_newest_first(api_client, sub_account):
    older = EndpointFactory(sub_account=sub_account)
    newer = EndpointFactory(sub_account=sub_account)

    body = api_client.get(URL, {"limit": 1}).json()

    assert body["total"] == 2
    assert body["has_more"] is True
    assert [item["id"] for item in body["data"]] == [newer.pk]
    assert older.pk != newer.pk


def test_event_types_are_stored_once_in_catalogue_order(api_client):
    response = api_client.post(
        URL, {"url": VALID["url"], "events": ["message.created", "contact.created", "message.created"]}, format="json"
    )

    assert response.json()["events"] == ["contact.created", "message.created"]


def test_a_star_subscribes_to_every_event_type(api_client):
    response = api_client.post(URL, {"url": VALID["url"], "events": ["contact.created", "*"]}, format="json")

    assert response.json()["events"] == ["*"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"events": ["contact.created"]}, "url"),
        ({"url": VALID["url"]}, "events"),
        ({**VALID, "events": []}, "events"),
        ({**VALID, "events": ["contact.exploded"]}, "events"),
        ({**VALID, "events": "contact.created"}, "events"),
        ({**VALID, "url": "not a url"}, "url"),
        ({**VALID, "url": "ftp://hooks.example.com/"}, "url"),
        ({**VALID, "url": 42}, "url"),
        ({**VALID, "enabled": "yes"}, "enabled"),
        ({**VALID, "description": "x" * 256}, "description"),
        ({**VALID, "secret": "whsec_mine"}, "secret"),
        ({**VALID, "colour": "red"}, "colour"),
    ],
)
def test_invalid_input_is_refused_naming_the_field(api_client, payload, field):
    response = api_client.post(URL, payload, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["code"] == "validation_error"
    assert field in response.json()["error"]["fields"]
    assert not Endpoint.objects.unscoped().exists()


def test_http_urls_are_refused_outside_development(api_client, settings):
    settings.WEBHOOKS_ALLOW_HTTP = False

    response = api_client.post(URL, {**VALID, "url": "http://hooks.example.com/x"}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["fields"]["url"] == ["Webhook URLs must use https."]


def test_a_loopback_url_is_refused_unless_private_targets_are_allowed(api_client, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False

    response = api_client.post(URL, {**VALID, "url": "https://127.0.0.1:8443/x"}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "url" in response.json()["error"]["fields"]


def test_patch_changes_only_the_fields_given(api_client, sub_account):
    endpoint = EndpointFactory(sub_account=sub_account, description="old", events=["contact.created"])

    response = api_client.patch(
        reverse("webhook-detail", args=[endpoint.pk]), {"events": ["contact.updated"]}, format="json"
    )

    assert response.status_code == HTTPStatus.OK
    assert response.json()["events"] == ["contact.updated"]
    assert response.json()["description"] == "old"


def test_turning_a_disabled_webhook_back_on_clears_the_reason(api_client, sub_account):
    endpoint = EndpointFactory(sub_account=sub_account, enabled=False)
    Endpoint.objects.unscoped().filter(pk=endpoint.pk).update(disabled_reason="The endpoint answered 410 Gone.")

    body = api_client.patch(reverse("webhook-detail", args=[endpoint.pk]), {"enabled": True}, format="json").json()

    assert (body["enabled"], body["disabled_reason"], body["disabled_at"]) == (True, None, None)


def test_turning_a_webhook_off_records_who_did_it(api_client, sub_account):
    endpoint = EndpointFactory(sub_account=sub_account)

    body = api_client.patch(reverse("webhook-detail", args=[endpoint.pk]), {"enabled": False}, format="json").json()

    assert body["enabled"] is False
    assert body["disabled_reason"] == "Disabled by a user."


def test_an_invalid_patch_changes_nothing(api_client, sub_account):
    endpoint = EndpointFactory(sub_account=sub_account, events=["contact.created"], description="keep")

    response = api_client.patch(
        reverse("webhook-detail", args=[endpoint.pk]), {"description": "new", "events": ["nope"]}, format="json"
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    endpoint.refresh_from_db()
    assert (endpoint.description, endpoint.events) == ("keep", ["contact.created"])


def test_deleting_a_webhook_removes_its_delivery_log(api_client, sub_account):
    endpoint = EndpointFactory(sub_account=sub_account)
    event_emit(sub_account=sub_account, type="contact.created", data={})

    assert api_client.delete(reverse("webhook-detail", args=[endpoint.pk])).status_code == HTTPStatus.NO_CONTENT

    assert not Endpoint.objects.unscoped().exists()
    assert not Delivery.objects.unscoped().exists()


def test_rotating_the_secret_answers_a_new_one_and_both_sign_for_a_while(api_client, sub_account, receiver):
    old_secret = api_client.post(URL, {"url": receiver.url, "events": ["*"]}, format="json").json()
    webhook_id = old_secret["id"]

    response = api_client.post(reverse("webhook-rotate-secret", args=[webhook_id]))
    event_emit(sub_account=sub_account, type="contact.created", data={})
    Worker(threads=1, once=True).run()

    assert response.status_code == HTTPStatus.OK
    new_secret = response.json()["secret"]
    assert new_secret.startswith("whsec_") and new_secret != old_secret["secret"]
    (request,) = receiver.received
    assert Webhook(new_secret).verify(request.body, request.headers)
    assert Webhook(old_secret["secret"]).verify(request.body, request.headers)


def test_webhooks_need_an_api_key(anonymous_client):
    response = anonymous_client.get(URL)

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["error"]["code"] == "unauthenticated"


def test_the_schema_documents_every_webhook_endpoint(anonymous_client):
    import yaml

    paths = yaml.safe_load(anonymous_client.get("/api/schema/").content)["paths"]

    assert set(paths["/api/v1/webhooks"]) >= {"get", "post"}
    assert set(paths["/api/v1/webhooks/{webhook_id}"]) >= {"get", "patch", "put", "delete"}
    assert "get" in paths["/api/v1/webhooks/{webhook_id}/deliveries"]
    assert "post" in paths["/api/v1/webhooks/{webhook_id}/test"]
    assert "post" in paths["/api/v1/webhooks/{webhook_id}/rotate-secret"]
    assert "get" in paths["/api/v1/deliveries/{delivery_id}"]
    assert "post" in paths["/api/v1/deliveries/{delivery_id}/redeliver"]


def test_an_unknown_event_type_is_refused_even_beside_the_wildcard(api_client):
    response = api_client.post(
        reverse("webhook-list"), {"url": "https://hooks.example.com/x", "events": ["*", "contact.typo"]}, format="json"
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "events" in response.json()["error"]["fields"]
