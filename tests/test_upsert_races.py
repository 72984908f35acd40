"""One person, one contact under concurrency: 50 upserts of one new person at the same instant, with real
transactions and one connection per thread, create exactly one contact (SQLite and PostgreSQL)."""

import threading
from http import HTTPStatus

import pytest
from django.db import connections
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import api_key_create
from accounts.tests.factories import SubAccountFactory
from contacts.models import Contact
from webhooks.models import Event

pytestmark = pytest.mark.django_db(transaction=True)

CONCURRENT_UPSERTS = 50


@pytest.fixture
def racer():
    sub_account = SubAccountFactory(slug="upsert-racer", api_rate_limit=1_000_000)
    return sub_account, api_key_create(sub_account=sub_account, name="racer")[1]


def _upsert_at_once(raw_key: str, body: dict) -> list[int]:
    barrier = threading.Barrier(CONCURRENT_UPSERTS)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def run():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
        try:
            barrier.wait()
            statuses.append(client.post(reverse("contact-upsert"), body, format="json").status_code)
        except BaseException as error:  # noqa: BLE001 — re-raised below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(CONCURRENT_UPSERTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return statuses


def test_fifty_concurrent_upserts_of_one_new_email_create_exactly_one_contact(racer):
    sub_account, raw_key = racer

    statuses = _upsert_at_once(raw_key, {"name": "Ada", "email": "ada@example.com"})

    assert sorted(statuses) == [HTTPStatus.OK] * (CONCURRENT_UPSERTS - 1) + [HTTPStatus.CREATED]
    assert Contact.objects.for_account(sub_account).count() == 1
    assert Event.objects.for_account(sub_account).filter(type="contact.created").count() == 1
    sub_account.refresh_from_db()
    assert sub_account.contact_count == 1


def test_fifty_concurrent_upserts_of_one_new_phone_create_exactly_one_contact(racer):
    sub_account, raw_key = racer

    statuses = _upsert_at_once(raw_key, {"name": "Bo", "phone": "+14155552671", "match": ["phone"]})

    assert statuses.count(HTTPStatus.CREATED) == 1
    assert Contact.objects.for_account(sub_account).count() == 1
