"""One person, one contact under concurrency, with real transactions and one connection per thread (SQLite and
PostgreSQL): 50 upserts of one new person at the same instant create exactly one contact; two merges of one
contact into two others at once merge it once."""

import functools
from http import HTTPStatus

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import api_key_create
from accounts.tests.factories import SubAccountFactory
from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from tests.concurrency import at_once
from webhooks.models import Event

pytestmark = pytest.mark.django_db(transaction=True)

CONCURRENT_UPSERTS = 50


@pytest.fixture
def racer():
    sub_account = SubAccountFactory(slug="upsert-racer", api_rate_limit=1_000_000)
    return sub_account, api_key_create(sub_account=sub_account, name="racer")[1]


def _at_once(raw_key: str, requests: list[tuple[str, dict]]) -> list[int]:
    """POST each (path, body) from its own thread, all released together; their status codes."""

    def post(path, body):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
        return client.post(path, body, format="json").status_code

    return at_once(*(functools.partial(post, path, body) for path, body in requests))


def test_fifty_concurrent_upserts_of_one_new_email_create_exactly_one_contact(racer):
    sub_account, raw_key = racer

    statuses = _at_once(
        raw_key, [(reverse("contact-upsert"), {"name": "Ada", "email": "ada@example.com"})] * CONCURRENT_UPSERTS
    )

    assert sorted(statuses) == [HTTPStatus.OK] * (CONCURRENT_UPSERTS - 1) + [HTTPStatus.CREATED]
    assert Contact.objects.for_account(sub_account).count() == 1
    assert Event.objects.for_account(sub_account).filter(type="contact.created").count() == 1
    sub_account.refresh_from_db()
    assert sub_account.contact_count == 1


def test_fifty_concurrent_upserts_of_one_new_phone_create_exactly_one_contact(racer):
    sub_account, raw_key = racer

    body = {"name": "Bo", "phone": "+14155552671", "match": ["phone"]}
    statuses = _at_once(raw_key, [(reverse("contact-upsert"), body)] * CONCURRENT_UPSERTS)

    assert statuses.count(HTTPStatus.CREATED) == 1
    assert Contact.objects.for_account(sub_account).count() == 1


def test_two_merges_of_one_contact_at_once_merge_it_once(racer):
    sub_account, raw_key = racer
    source, first, second = (ContactFactory(sub_account=sub_account) for _ in range(3))
    merges = [
        (reverse("contact-identity-merge", args=[target.pk]), {"from": [source.pk]}) for target in (first, second)
    ]

    statuses = _at_once(raw_key, merges)

    assert sorted(statuses) == [HTTPStatus.CREATED, HTTPStatus.CONFLICT]
    assert Contact.objects.for_account(sub_account).count() == 2
    assert Event.objects.for_account(sub_account).filter(type="contact.merged").count() == 1
