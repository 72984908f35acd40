"""The outbox: every committed change is one event, with its deliveries; a rolled-back one is none."""

import json
from http import HTTPStatus

import pytest
from django.db import transaction
from django.urls import reverse

from contacts.models import Contact
from contacts.services import contact_create, contact_update
from contacts.tests.factories import ContactFactory
from webhooks.models import Delivery, Event
from webhooks.services import event_emit
from webhooks.tests.factories import EndpointFactory

pytestmark = pytest.mark.django_db

CONTACTS_URL = reverse("contact-list")


def _payloads(event_type: str | None = None) -> list[dict]:
    events = Event.objects.unscoped().order_by("created_at", "id")
    if event_type:
        events = events.filter(type=event_type)
    return [json.loads(event.payload) for event in events]


def test_creating_a_contact_emits_contact_created_with_the_api_representation(api_client, sub_account):
    response = api_client.post(
        CONTACTS_URL, {"name": "Ada", "email": "ada@example.com", "tags": ["vip"]}, format="json"
    )

    (payload,) = _payloads()
    assert payload["type"] == "contact.created"
    assert payload["data"] == response.json()
    assert payload["sub_account"] == sub_account.slug
    assert payload["id"].startswith("evt_")
    assert "changes" not in payload


def test_updating_a_contact_names_only_the_changed_fields(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada", email="ada@example.com", tags=["vip"])

    response = api_client.patch(
        reverse("contact-detail", args=[contact.pk]), {"name": "Ada L.", "tags": ["vip", "new"]}, format="json"
    )

    (payload,) = _payloads("contact.updated")
    assert payload["data"] == response.json()
    assert payload["changes"] == {
        "name": {"from": "Ada", "to": "Ada L."},
        "tags": {"from": ["vip"], "to": ["new", "vip"]},
    }


def test_an_update_that_changes_nothing_emits_nothing(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada", tags=["vip"])

    response = api_client.patch(
        reverse("contact-detail", args=[contact.pk]), {"name": "  Ada ", "tags": ["VIP"]}, format="json"
    )

    assert response.status_code == HTTPStatus.OK
    assert not Event.objects.unscoped().filter(type="contact.updated").exists()


def test_a_custom_field_change_reports_the_whole_field_before_and_after(sub_account):
    contact = ContactFactory(sub_account=sub_account, custom_fields={"plan": "free", "seats": 1})

    contact_update(contact=contact, custom_fields={"plan": "pro"})

    (payload,) = _payloads("contact.updated")
    assert payload["changes"] == {
        "custom_fields": {"from": {"plan": "free", "seats": 1}, "to": {"plan": "pro", "seats": 1}}
    }


def test_deleting_a_contact_emits_its_id_and_last_known_state(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada", email="ada@example.com", tags=["vip"])
    last_seen = api_client.get(reverse("contact-detail", args=[contact.pk])).json()

    api_client.delete(reverse("contact-detail", args=[contact.pk]))

    (payload,) = _payloads("contact.deleted")
    assert payload["data"]["id"] == contact.pk
    assert payload["data"] == last_seen


def test_a_rolled_back_write_emits_no_event(sub_account):
    EndpointFactory(sub_account=sub_account)

    with pytest.raises(RuntimeError), transaction.atomic():
        contact_create(sub_account=sub_account, name="Ada")
        raise RuntimeError("the surrounding work failed")

    assert not Contact.objects.unscoped().exists()
    assert not Event.objects.unscoped().exists()
    assert not Delivery.objects.unscoped().exists()


def test_a_refused_write_emits_no_event(api_client, sub_account):
    ContactFactory(sub_account=sub_account, email="ada@example.com")
    Event.objects.unscoped().all().delete()

    response = api_client.post(CONTACTS_URL, {"name": "Ada", "email": "ADA@example.com"}, format="json")

    assert response.status_code == HTTPStatus.CONFLICT
    assert not Event.objects.unscoped().exists()


def test_an_event_is_queued_once_for_each_enabled_endpoint_that_wants_it(sub_account, other_sub_account):
    wants_all = EndpointFactory(sub_account=sub_account, events=["*"])
    wants_it = EndpointFactory(sub_account=sub_account, events=["contact.created"])
    EndpointFactory(sub_account=sub_account, events=["contact.deleted"])
    EndpointFactory(sub_account=sub_account, events=["*"], enabled=False)
    EndpointFactory(sub_account=other_sub_account, events=["*"])

    event = event_emit(sub_account=sub_account, type="contact.created", data={"id": "ct_1"})

    assert set(Delivery.objects.unscoped().filter(event=event).values_list("endpoint", flat=True)) == {
        wants_all.pk,
        wants_it.pk,
    }


def test_a_new_delivery_is_due_at_once(sub_account):
    EndpointFactory(sub_account=sub_account)

    event = event_emit(sub_account=sub_account, type="contact.created", data={})

    delivery = Delivery.objects.unscoped().get(event=event)
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.next_attempt_at == event.created_at


def test_an_unknown_event_type_is_a_programming_error(sub_account):
    with pytest.raises(ValueError, match="Unknown event type"):
        event_emit(sub_account=sub_account, type="contact.exploded", data={})


def test_a_bulk_delete_emits_one_contact_deleted_per_contact_with_its_last_state(sub_account):
    from contacts.services import contacts_delete

    EndpointFactory(sub_account=sub_account, events=["contact.deleted"])
    doomed = [ContactFactory(sub_account=sub_account, tags=["old"]) for _ in range(3)]
    kept = ContactFactory(sub_account=sub_account)

    contacts_delete(sub_account=sub_account, queryset=Contact.objects.unscoped().exclude(pk=kept.pk))

    payloads = _payloads("contact.deleted")
    assert sorted(p["data"]["id"] for p in payloads) == sorted(c.pk for c in doomed)
    assert all(p["data"]["tags"] == ["old"] for p in payloads)
    assert Delivery.objects.unscoped().count() == 3


def test_tagging_contacts_in_bulk_emits_contact_updated_for_each_one_that_changed(sub_account):
    from contacts.services import contact_bulk_add_tag

    untagged = ContactFactory(sub_account=sub_account, tags=["b2b"])
    ContactFactory(sub_account=sub_account, tags=["vip"])  # already has it: no change, no event

    contact_bulk_add_tag(sub_account=sub_account, contacts=Contact.objects.unscoped().all(), tag="VIP")

    (payload,) = _payloads("contact.updated")
    assert payload["data"]["id"] == untagged.pk
    assert payload["changes"] == {"tags": {"from": ["b2b"], "to": ["b2b", "vip"]}}


def test_untagging_contacts_in_bulk_emits_contact_updated_for_each_one_that_changed(sub_account):
    from contacts.services import contact_bulk_remove_tag

    tagged = ContactFactory(sub_account=sub_account, tags=["vip", "b2b"])
    ContactFactory(sub_account=sub_account, tags=["b2b"])

    contact_bulk_remove_tag(sub_account=sub_account, contacts=Contact.objects.unscoped().all(), tag="vip")

    (payload,) = _payloads("contact.updated")
    assert payload["data"]["id"] == tagged.pk
    assert payload["changes"] == {"tags": {"from": ["b2b", "vip"], "to": ["b2b"]}}


def test_a_bulk_delete_given_a_bare_sub_account_still_names_it_in_the_events(sub_account):
    """The admin's delete action passes `SubAccount(pk=…)` without loading it."""
    from accounts.models import SubAccount
    from contacts.services import contacts_delete

    ContactFactory(sub_account=sub_account)

    contacts_delete(sub_account=SubAccount(pk=sub_account.pk), queryset=Contact.objects.unscoped().all())

    (payload,) = _payloads("contact.deleted")
    assert payload["sub_account"] == sub_account.slug == "acme"


def test_a_bulk_delete_by_tag_deletes_and_reports_every_matching_contact(sub_account):
    from contacts.services import contacts_delete

    vips = [ContactFactory(sub_account=sub_account, tags=["vip"]) for _ in range(3)]
    ContactFactory(sub_account=sub_account, tags=["other"])

    deleted = contacts_delete(
        sub_account=sub_account, queryset=Contact.objects.for_account(sub_account).tagged(["vip"])
    )

    assert deleted == 3
    assert sorted(p["data"]["id"] for p in _payloads("contact.deleted")) == sorted(c.pk for c in vips)
    assert Contact.objects.unscoped().count() == 1
