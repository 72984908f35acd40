from http import HTTPStatus

import pytest
from django.urls import reverse

from contacts.models import Contact, ContactIdentity
from contacts.tests.factories import ContactFactory
from webhooks.models import Event

pytestmark = pytest.mark.django_db

UPSERT_URL = reverse("contact-upsert")
BATCH_URL = reverse("contact-upsert-batch")


def _events(sub_account, type_):
    return Event.objects.for_account(sub_account).filter(type=type_).count()


def test_an_upsert_of_a_new_email_creates_the_contact_and_answers_201(api_client, sub_account):
    response = api_client.post(UPSERT_URL, {"name": "Ada", "email": "Ada@Example.com"}, format="json")

    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    assert body["result"] == "created"
    assert body["contact"]["email"] == "ada@example.com"
    assert body["changes"]["email"] == {"from": None, "to": "ada@example.com"}
    assert response["ETag"]


def test_an_upsert_matching_an_email_in_other_case_updates_that_contact(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada", email="ada@example.com")

    response = api_client.post(UPSERT_URL, {"email": "ADA@example.com", "name": "Ada Lovelace"}, format="json")

    assert response.status_code == HTTPStatus.OK
    assert response.json()["result"] == "updated"
    assert response.json()["contact"]["id"] == contact.pk
    assert response.json()["changes"] == {"name": {"from": "Ada", "to": "Ada Lovelace"}}


def test_an_upsert_that_changes_nothing_writes_nothing_and_emits_no_event(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada", email="ada@example.com")
    updated_at = contact.updated_at

    response = api_client.post(UPSERT_URL, {"email": "ada@example.com", "name": "Ada"}, format="json")

    assert response.status_code == HTTPStatus.OK
    assert response.json() | {"contact": None} == {"result": "unchanged", "changes": {}, "contact": None}
    assert Contact.objects.for_account(sub_account).get().updated_at == updated_at
    assert _events(sub_account, "contact.updated") == 0


def test_an_upsert_matches_a_phone_written_nationally(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Bo", email=None, phone="+14155552671")

    response = api_client.post(
        UPSERT_URL, {"match": ["phone"], "phone": "(415) 555-2671", "custom_fields": {"plan": "pro"}}, format="json"
    )

    assert response.json()["result"] == "updated"
    assert response.json()["contact"]["id"] == contact.pk


def test_an_upsert_whose_email_and_phone_match_two_contacts_answers_409_naming_both(api_client, sub_account):
    by_email = ContactFactory(sub_account=sub_account, email="a@example.com")
    by_phone = ContactFactory(sub_account=sub_account, email="b@example.com", phone="+14155552671")

    response = api_client.post(
        UPSERT_URL, {"email": "a@example.com", "phone": "+14155552671", "name": "Who"}, format="json"
    )

    assert response.status_code == HTTPStatus.CONFLICT
    conflicts = response.json()["error"]["conflicts"]
    assert {item["contact_id"] for item in conflicts} == {by_email.pk, by_phone.pk}
    assert Contact.objects.for_account(sub_account).count() == 2


def test_an_upsert_without_a_value_to_match_by_is_a_400_naming_match(api_client):
    response = api_client.post(UPSERT_URL, {"name": "Nobody"}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "match" in response.json()["error"]["fields"]


def test_an_upsert_creating_a_contact_without_a_name_is_a_400(api_client):
    response = api_client.post(UPSERT_URL, {"email": "x@example.com"}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "name" in response.json()["error"]["fields"]


def test_an_upsert_finds_a_contact_by_a_secondary_email_and_keeps_its_own(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada", email="ada@example.com")
    ContactIdentity.objects.create(sub_account=sub_account, contact=contact, kind="email", value="old@example.com")

    response = api_client.post(UPSERT_URL, {"email": "old@example.com", "name": "Ada L"}, format="json")

    assert response.json()["contact"]["id"] == contact.pk
    assert response.json()["contact"]["email"] == "ada@example.com"


def test_an_upsert_with_an_idempotency_key_replays_its_answer(api_client, sub_account):
    headers = {"HTTP_IDEMPOTENCY_KEY": "upsert-1"}
    first = api_client.post(UPSERT_URL, {"name": "Ada", "email": "ada@example.com"}, format="json", **headers)
    second = api_client.post(UPSERT_URL, {"name": "Ada", "email": "ada@example.com"}, format="json", **headers)

    assert first.status_code == second.status_code == HTTPStatus.CREATED
    assert second["Idempotent-Replayed"] == "true"


def test_a_batch_answers_each_item_in_request_order_with_207(api_client, sub_account):
    ContactFactory(sub_account=sub_account, name="Old", email="old@example.com")
    items = [
        {"name": "New", "email": "new@example.com"},
        {"email": "old@example.com", "name": "Old Renamed"},
        {"email": "bad@example.com", "phone": "not a phone", "name": "Bad"},
    ]

    response = api_client.post(BATCH_URL, {"items": items}, format="json")

    assert response.status_code == HTTPStatus.MULTI_STATUS
    data = response.json()["data"]
    assert [item["status"] for item in data] == [201, 200, 400]
    assert [item.get("result") for item in data] == ["created", "updated", None]
    assert "phone" in data[2]["error"]["fields"]


def test_a_batch_coalesces_two_items_for_one_person(api_client, sub_account):
    items = [
        {"name": "Ada", "email": "ada@example.com"},
        {"name": "Ada", "email": "ADA@example.com", "tags": ["vip"]},
    ]

    response = api_client.post(BATCH_URL, {"items": items}, format="json")

    data = response.json()["data"]
    assert [item["result"] for item in data] == ["created", "updated"]
    assert data[0]["contact"]["id"] == data[1]["contact"]["id"]
    assert Contact.objects.for_account(sub_account).count() == 1


def test_a_refused_item_of_a_batch_leaves_the_others_written(api_client, sub_account):
    items = [{"email": "nameless@example.com"}, {"name": "Named", "email": "named@example.com"}]

    response = api_client.post(BATCH_URL, {"items": items}, format="json")

    assert [item["status"] for item in response.json()["data"]] == [400, 201]
    assert list(Contact.objects.for_account(sub_account).values_list("email", flat=True)) == ["named@example.com"]


def test_a_batch_of_more_than_100_items_is_a_400(api_client):
    items = [{"name": f"N{i}", "email": f"n{i}@example.com"} for i in range(101)]

    response = api_client.post(BATCH_URL, {"items": items}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_an_upsert_matched_by_email_writes_a_new_phone(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada", email="ada@example.com", phone=None)

    response = api_client.post(UPSERT_URL, {"email": "ada@example.com", "phone": "+14155552671"}, format="json")

    assert response.json()["result"] == "updated"
    assert response.json()["changes"] == {"phone": {"from": None, "to": "+14155552671"}}
    assert Contact.objects.for_account(sub_account).get(pk=contact.pk).phone == "+14155552671"
