"""The Webhooks page of the staff app: admins add and edit endpoints, read the log, redeliver, rotate."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from webhooks.models import Delivery, Endpoint
from webhooks.services import event_emit
from webhooks.tests.factories import EndpointFactory
from webhooks.tests.receiver import Receiver
from webhooks.worker import Worker

pytestmark = pytest.mark.django_db

NEW = {"url": "https://hooks.example.com/in", "description": "CRM sync", "events": ["contact.created"], "enabled": "on"}


def test_an_agent_cannot_open_the_webhooks_page(staff_client):
    assert staff_client.get(reverse("webhooks:list")).status_code == HTTPStatus.FORBIDDEN


def test_an_agent_cannot_add_an_endpoint(staff_client):
    assert staff_client.post(reverse("webhooks:create"), NEW).status_code == HTTPStatus.FORBIDDEN
    assert not Endpoint.objects.unscoped().exists()


def test_an_admin_has_a_webhooks_link(admin_client_of_account):
    assert reverse("webhooks:list") in admin_client_of_account.get(reverse("contacts:list")).content.decode()


def test_adding_an_endpoint_shows_its_secret_once(admin_client_of_account, sub_account):
    response = admin_client_of_account.post(reverse("webhooks:create"), NEW)

    endpoint = Endpoint.objects.get(sub_account=sub_account)
    assert response.status_code == HTTPStatus.CREATED
    assert endpoint.secret in response.content.decode()
    assert (endpoint.url, endpoint.events, endpoint.description) == (NEW["url"], ["contact.created"], "CRM sync")
    assert (
        endpoint.secret
        not in admin_client_of_account.get(reverse("webhooks:detail", args=[endpoint.pk])).content.decode()
    )
    assert "no-cache" in response["Cache-Control"]


def test_a_bad_url_is_refused_next_to_its_field_keeping_what_was_typed(admin_client_of_account, settings):
    settings.WEBHOOKS_ALLOW_HTTP = False

    response = admin_client_of_account.post(reverse("webhooks:create"), {**NEW, "url": "http://hooks.example.com/in"})

    html = response.content.decode()
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Webhook URLs must use https." in html
    assert 'aria-invalid="true"' in html
    assert "CRM sync" in html
    assert not Endpoint.objects.unscoped().exists()


def test_an_endpoint_needs_at_least_one_event_type(admin_client_of_account):
    response = admin_client_of_account.post(reverse("webhooks:create"), {**NEW, "events": []})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Pick at least one event type." in response.content.decode()


def test_editing_changes_the_events_and_can_turn_sending_off(admin_client_of_account, sub_account):
    endpoint = EndpointFactory(sub_account=sub_account, events=["*"])

    response = admin_client_of_account.post(
        reverse("webhooks:edit", args=[endpoint.pk]), {"url": endpoint.url, "events": ["message.created"]}
    )

    assert response.status_code == HTTPStatus.FOUND
    endpoint.refresh_from_db()
    assert (endpoint.events, endpoint.enabled, endpoint.disabled_reason) == (
        ["message.created"],
        False,
        "Disabled by a user.",
    )


def test_the_list_shows_a_disabled_endpoint_with_its_reason(admin_client_of_account, sub_account):
    endpoint = EndpointFactory(sub_account=sub_account, enabled=False)
    Endpoint.objects.unscoped().filter(pk=endpoint.pk).update(
        disabled_reason="The endpoint answered 410 Gone on 2026-11-26."
    )

    html = admin_client_of_account.get(reverse("webhooks:list")).content.decode()

    assert endpoint.url in html
    assert "The endpoint answered 410 Gone on 2026-11-26." in html


def test_the_delivery_log_shows_status_answer_and_response(admin_client_of_account, sub_account):
    with Receiver(statuses=[503], body=b"maintenance window") as receiver:
        endpoint = EndpointFactory(sub_account=sub_account, url=receiver.url)
        event = event_emit(sub_account=sub_account, type="contact.created", data={})
        Worker(threads=1, once=True).run()

    html = admin_client_of_account.get(reverse("webhooks:detail", args=[endpoint.pk])).content.decode()

    assert event.id in html
    assert "HTTP 503" in html
    assert "maintenance window" in html
    assert "Next attempt" in html


def test_the_delivery_log_filters_by_status(admin_client_of_account, sub_account):
    endpoint = EndpointFactory(sub_account=sub_account)
    failed = event_emit(sub_account=sub_account, type="contact.created", data={})
    pending = event_emit(sub_account=sub_account, type="contact.updated", data={})
    Delivery.objects.unscoped().filter(event=failed).update(status=Delivery.Status.FAILED)

    html = admin_client_of_account.get(
        reverse("webhooks:detail", args=[endpoint.pk]), {"status": "failed"}
    ).content.decode()

    assert failed.id in html
    assert pending.id not in html


def test_redeliver_queues_the_delivery_again(admin_client_of_account, sub_account):
    endpoint = EndpointFactory(sub_account=sub_account)
    event = event_emit(sub_account=sub_account, type="contact.created", data={})
    delivery = Delivery.objects.unscoped().get(event=event)
    Delivery.objects.unscoped().filter(pk=delivery.pk).update(status=Delivery.Status.FAILED, next_attempt_at=None)

    response = admin_client_of_account.post(reverse("webhooks:redeliver", args=[delivery.pk]))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("webhooks:detail", args=[endpoint.pk])
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING


def test_send_test_event_queues_a_ping(admin_client_of_account, sub_account):
    endpoint = EndpointFactory(sub_account=sub_account)

    admin_client_of_account.post(reverse("webhooks:test", args=[endpoint.pk]))

    assert Delivery.objects.unscoped().get(endpoint=endpoint).event.type == "ping"


def test_rotating_shows_the_new_secret_once(admin_client_of_account, sub_account):
    endpoint = EndpointFactory(sub_account=sub_account)
    old_secret = endpoint.secret

    response = admin_client_of_account.post(reverse("webhooks:rotate", args=[endpoint.pk]))

    endpoint.refresh_from_db()
    html = response.content.decode()
    assert endpoint.secret != old_secret
    assert endpoint.secret in html
    assert old_secret not in html
    assert "also signs for the next 24 hours" in html


def test_deleting_an_endpoint_removes_it(admin_client_of_account, sub_account):
    endpoint = EndpointFactory(sub_account=sub_account)

    response = admin_client_of_account.post(reverse("webhooks:delete", args=[endpoint.pk]))

    assert response.status_code == HTTPStatus.FOUND
    assert not Endpoint.objects.unscoped().exists()


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("get", "detail"),
        ("get", "edit"),
        ("post", "edit"),
        ("get", "rotate"),
        ("post", "rotate"),
        ("get", "delete"),
        ("post", "delete"),
        ("post", "test"),
    ],
)
def test_another_sub_accounts_endpoint_is_not_found(admin_client_of_account, other_sub_account, method, name):
    endpoint = EndpointFactory(sub_account=other_sub_account)
    secret = endpoint.secret

    response = getattr(admin_client_of_account, method)(reverse(f"webhooks:{name}", args=[endpoint.pk]), NEW)

    assert response.status_code == HTTPStatus.NOT_FOUND
    endpoint.refresh_from_db()
    assert endpoint.secret == secret
    assert Delivery.objects.unscoped().count() == 0


def test_another_sub_accounts_delivery_cannot_be_redelivered(admin_client_of_account, other_sub_account):
    EndpointFactory(sub_account=other_sub_account)
    event = event_emit(sub_account=other_sub_account, type="contact.created", data={})

    response = admin_client_of_account.post(
        reverse("webhooks:redeliver", args=[Delivery.objects.unscoped().get(event=event).pk])
    )

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_a_nul_byte_in_an_endpoint_id_is_not_found(admin_client_of_account):
    assert admin_client_of_account.get("/webhooks/wh_%00x/").status_code == HTTPStatus.NOT_FOUND


def test_sending_the_same_add_form_twice_adds_one_endpoint(admin_client_of_account, sub_account):
    token = admin_client_of_account.get(reverse("webhooks:create")).context["form_token"]
    admin_client_of_account.post(reverse("webhooks:create"), {**NEW, "form_token": token})

    again = admin_client_of_account.post(reverse("webhooks:create"), {**NEW, "form_token": token})

    assert again.status_code == HTTPStatus.FOUND
    assert Endpoint.objects.for_account(sub_account).count() == 1


def test_sending_the_same_rotate_form_twice_rotates_once(admin_client_of_account, sub_account):
    endpoint = EndpointFactory(sub_account=sub_account)
    rotate = reverse("webhooks:rotate", args=[endpoint.pk])
    token = admin_client_of_account.get(rotate).context["form_token"]
    shown = admin_client_of_account.post(rotate, {"form_token": token})
    endpoint.refresh_from_db()
    secret_shown = endpoint.secret

    again = admin_client_of_account.post(rotate, {"form_token": token})

    endpoint.refresh_from_db()
    assert secret_shown in shown.content.decode()
    assert again.status_code == HTTPStatus.FOUND
    assert endpoint.secret == secret_shown
