"""`Idempotency-Key` on POST: Stripe's semantics, per sub-account, kept 24 hours."""

from datetime import timedelta
from http import HTTPStatus
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.idempotency import request_fingerprint
from accounts.models import IdempotencyKey
from contacts.models import Contact

pytestmark = pytest.mark.django_db

CONTACTS_URL = reverse("contact-list")
ADA = {"name": "Ada Lovelace", "email": "ada@example.com"}


def _post(client, body, key="key-1"):
    return client.post(CONTACTS_URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_repeat_with_the_same_key_and_body_replays_the_first_answer(api_client, sub_account):
    first = _post(api_client, ADA)

    repeat = _post(api_client, ADA)

    assert first.status_code == repeat.status_code == HTTPStatus.CREATED
    assert repeat.json() == first.json()
    assert repeat["Location"] == first["Location"]
    assert repeat["ETag"] == first["ETag"]
    assert repeat["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Contact.objects.for_account(sub_account).count() == 1


def test_the_same_body_with_keys_in_another_order_is_the_same_request(api_client, sub_account):
    _post(api_client, {"name": "Ada", "email": "ada@example.com"})

    repeat = api_client.post(
        CONTACTS_URL,
        '{"email": "ada@example.com",  "name": "Ada"}',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="key-1",
    )

    assert repeat.status_code == HTTPStatus.CREATED
    assert Contact.objects.for_account(sub_account).count() == 1


def test_the_same_key_with_a_different_body_answers_422(api_client, sub_account):
    _post(api_client, ADA)

    response = _post(api_client, {**ADA, "name": "Someone Else"})

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["error"]["code"] == "idempotency_mismatch"
    assert Contact.objects.for_account(sub_account).count() == 1


def test_a_repeat_while_the_first_is_still_running_answers_409(api_client, sub_account):
    # The row a first request holds while it runs: same key, same request, no answer yet.
    same_request = SimpleNamespace(method="POST", path=CONTACTS_URL, data=ADA)
    IdempotencyKey.objects.create(
        sub_account=sub_account, key="key-1", fingerprint=request_fingerprint(same_request), locked_at=timezone.now()
    )

    response = _post(api_client, ADA)

    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["error"]["code"] == "idempotency_in_progress"
    assert not Contact.objects.for_account(sub_account).exists()


def test_a_key_held_by_a_request_that_died_is_taken_over(api_client, sub_account, settings):
    stale = timezone.now() - settings.IDEMPOTENCY_LOCK_TIMEOUT - timedelta(seconds=1)
    IdempotencyKey.objects.create(sub_account=sub_account, key="key-1", fingerprint="whatever", locked_at=stale)

    response = _post(api_client, ADA)

    assert response.status_code == HTTPStatus.CREATED
    assert Contact.objects.for_account(sub_account).count() == 1


def test_a_key_older_than_24_hours_is_forgotten(api_client, sub_account):
    _post(api_client, ADA)
    IdempotencyKey.objects.filter(key="key-1").update(created_at=timezone.now() - timedelta(hours=24, seconds=1))
    Contact.objects.unscoped().all().delete()

    response = _post(api_client, ADA)

    assert response.status_code == HTTPStatus.CREATED
    assert "Idempotent-Replayed" not in response
    assert Contact.objects.for_account(sub_account).count() == 1


def test_keys_are_scoped_to_the_sub_account(api_client, other_api_client, sub_account, other_sub_account):
    _post(api_client, ADA)

    response = _post(other_api_client, {"name": "Other business's contact"})

    assert response.status_code == HTTPStatus.CREATED
    assert "Idempotent-Replayed" not in response
    assert Contact.objects.for_account(other_sub_account).count() == 1


def test_a_refused_request_is_replayed_as_refused(api_client, sub_account):
    first = _post(api_client, {"name": ""})

    repeat = _post(api_client, {"name": ""})

    assert first.status_code == repeat.status_code == HTTPStatus.BAD_REQUEST
    assert repeat.json()["error"]["fields"] == first.json()["error"]["fields"]
    assert repeat["Idempotent-Replayed"] == "true"


def test_a_server_error_frees_the_key_so_the_retry_runs(api_client, sub_account, monkeypatch):
    from contacts import services

    real_create = services.contact_create

    def fail_once(**kwargs):
        monkeypatch.setattr(services, "contact_create", real_create)
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "contact_create", fail_once)
    assert _post(api_client, ADA).status_code == HTTPStatus.INTERNAL_SERVER_ERROR

    retry = _post(api_client, ADA)

    assert retry.status_code == HTTPStatus.CREATED
    assert "Idempotent-Replayed" not in retry
    assert Contact.objects.for_account(sub_account).count() == 1


def test_without_a_key_every_post_creates(api_client, sub_account):
    api_client.post(CONTACTS_URL, {"name": "Ada"}, format="json")
    api_client.post(CONTACTS_URL, {"name": "Ada"}, format="json")

    assert Contact.objects.for_account(sub_account).count() == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "two words", "ключ"])
def test_a_malformed_key_is_refused(api_client, sub_account, key):
    response = _post(api_client, ADA, key=key)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Idempotency-Key" in response.json()["error"]["fields"]
    assert not Contact.objects.unscoped().exists()


def test_the_schema_documents_the_header_and_its_answers(anonymous_client):
    operation = anonymous_client.get("/api/schema/?format=json").json()["paths"][CONTACTS_URL]["post"]

    assert any(parameter["name"] == "Idempotency-Key" for parameter in operation["parameters"])
    assert {"409", "422"} <= set(operation["responses"])


def test_expired_keys_are_purged_by_the_command(api_client, sub_account):
    from io import StringIO

    from django.core.management import call_command

    _post(api_client, ADA, key="old")
    _post(api_client, {"name": "Bob"}, key="fresh")
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))
    out = StringIO()

    call_command("purge_idempotency_keys", stdout=out)

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]
    assert "Deleted 1 expired" in out.getvalue()
