"""Writes that lose nothing: ETag/If-Match, concurrent PATCHes, concurrent idempotent POSTs.

The many-thread tests need a database server's row locks and real connections per thread; they run on
PostgreSQL (`DATABASE_URL=postgres://… make test`, as CI does). SQLite's in-memory test database is one
shared connection cache, which serialises threads by refusing them, not by queueing them; SQLite's own
concurrency (WAL, busy timeout) is tested in contacts_site/tests/test_sqlite_concurrency.py.
"""

import functools
import random
import threading
import time
from http import HTTPStatus

import pytest
from django.db import connection, connections
from django.urls import reverse
from rest_framework.test import APIClient

from contacts.models import Contact, ContactTag
from contacts.tests.factories import ContactFactory
from contacts.validators import MAX_TAGS
from tests.concurrency import at_once

CONTACTS_URL = reverse("contact-list")

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: row locks and one connection per thread"
)


def detail_url(contact: Contact) -> str:
    return reverse("contact-detail", args=[contact.pk])


# ETag and If-Match (both engines) -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_contact_is_served_with_an_etag(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account)

    response = api_client.get(detail_url(contact))

    assert response["ETag"].startswith('"') and response["ETag"].endswith('"')
    assert response["ETag"] == api_client.get(detail_url(contact))["ETag"]


@pytest.mark.django_db
def test_the_etag_changes_when_the_contact_changes(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account)
    before = api_client.get(detail_url(contact))["ETag"]

    patched = api_client.patch(detail_url(contact), {"tags": ["vip"]}, format="json")

    assert patched["ETag"] != before
    assert patched["ETag"] == api_client.get(detail_url(contact))["ETag"]


@pytest.mark.django_db
def test_a_patch_with_the_current_etag_applies(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada")
    etag = api_client.get(detail_url(contact))["ETag"]

    response = api_client.patch(detail_url(contact), {"name": "Ada L."}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == HTTPStatus.OK
    assert response.json()["name"] == "Ada L."


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["patch", "put"])
def test_a_write_with_a_stale_etag_answers_412_and_changes_nothing(api_client, sub_account, method):
    contact = ContactFactory(sub_account=sub_account, name="Ada")
    stale = api_client.get(detail_url(contact))["ETag"]
    api_client.patch(detail_url(contact), {"name": "Changed meanwhile"}, format="json")

    response = getattr(api_client, method)(detail_url(contact), {"name": "Mine"}, format="json", HTTP_IF_MATCH=stale)

    assert response.status_code == HTTPStatus.PRECONDITION_FAILED
    assert response.json()["error"]["code"] == "precondition_failed"
    contact.refresh_from_db()
    assert contact.name == "Changed meanwhile"


@pytest.mark.django_db
def test_a_delete_with_a_stale_etag_answers_412_and_keeps_the_contact(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account)
    stale = api_client.get(detail_url(contact))["ETag"]
    api_client.patch(detail_url(contact), {"tags": ["changed"]}, format="json")

    response = api_client.delete(detail_url(contact), HTTP_IF_MATCH=stale)

    assert response.status_code == HTTPStatus.PRECONDITION_FAILED
    assert Contact.objects.unscoped().filter(pk=contact.pk).exists()


@pytest.mark.django_db
def test_a_delete_with_the_current_etag_deletes(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account)
    etag = api_client.get(detail_url(contact))["ETag"]

    response = api_client.delete(detail_url(contact), HTTP_IF_MATCH=etag)

    assert response.status_code == HTTPStatus.NO_CONTENT
    assert not Contact.objects.unscoped().filter(pk=contact.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("if_match", ["*", '"nope", {current}', "{current}"])
def test_if_match_accepts_a_star_or_a_list_holding_the_current_etag(api_client, sub_account, if_match):
    contact = ContactFactory(sub_account=sub_account)
    current = api_client.get(detail_url(contact))["ETag"]

    response = api_client.patch(
        detail_url(contact), {"name": "New"}, format="json", HTTP_IF_MATCH=if_match.format(current=current)
    )

    assert response.status_code == HTTPStatus.OK


@pytest.mark.django_db
@pytest.mark.parametrize("if_match", ["W/{current}", "garbage", '""'])
def test_weak_or_malformed_etags_never_match(api_client, sub_account, if_match):
    contact = ContactFactory(sub_account=sub_account)
    current = api_client.get(detail_url(contact))["ETag"]

    response = api_client.patch(
        detail_url(contact), {"name": "New"}, format="json", HTTP_IF_MATCH=if_match.format(current=current)
    )

    assert response.status_code == HTTPStatus.PRECONDITION_FAILED


@pytest.mark.django_db
def test_an_invalid_body_is_a_400_even_with_a_stale_etag(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account)

    response = api_client.patch(detail_url(contact), {"phone": "nope"}, format="json", HTTP_IF_MATCH='"stale"')

    assert response.status_code == HTTPStatus.BAD_REQUEST


@pytest.mark.django_db
def test_without_if_match_writes_are_unconditional(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account)
    api_client.patch(detail_url(contact), {"name": "First"}, format="json")

    response = api_client.patch(detail_url(contact), {"name": "Second"}, format="json")

    assert response.status_code == HTTPStatus.OK


# Many threads (PostgreSQL) --------------------------------------------------------------------------


# At most this many requests hold a database connection at once, like a server's pool of workers:
# PostgreSQL's default max_connections is 100, and the test run itself and other clients need some.
DATABASE_SLOTS = 30
_slots = threading.BoundedSemaphore(DATABASE_SLOTS)


class _Client:
    """An API client for one thread whose every request takes a slot (one connection) and gives it back."""

    def __init__(self, raw_key: str):
        self._client = APIClient()
        self._client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")

    def __getattr__(self, method: str):
        def call(*args, **kwargs):
            with _slots:
                try:
                    return getattr(self._client, method)(*args, **kwargs)
                finally:
                    connections.close_all()

        return call


def _client(raw_key: str) -> _Client:
    return _Client(raw_key)


def _in_threads(count: int, work) -> list:
    """Run work(i) in `count` threads released at the same instant; returns results, raises the first error."""
    return at_once(*(functools.partial(work, index) for index in range(count)))


@pytest.fixture
def unthrottled(sub_account):
    """The tests below send far more than 100 requests in 10 s; the limit is not what they test."""
    sub_account.api_rate_limit = 1_000_000
    sub_account.save()
    return sub_account


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_100_concurrent_patches_adding_custom_field_keys_lose_none(api_client, unthrottled):
    contact = ContactFactory(sub_account=unthrottled, custom_fields={})

    statuses = _in_threads(
        100,
        lambda i: (
            _client(api_client.raw_key)
            .patch(detail_url(contact), {"custom_fields": {f"field_{i:03d}": i}}, format="json")
            .status_code
        ),
    )

    contact.refresh_from_db()
    assert statuses == [HTTPStatus.OK] * 100
    assert contact.custom_fields == {f"field_{i:03d}": i for i in range(100)}  # 100 is also the most a contact holds


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_49_concurrent_clients_adding_a_tag_with_if_match_lose_none(api_client, unthrottled):
    """Each client does what a careful integration does: read, add its tag to the set, write the set back
    with If-Match, and on 412 back off, read again and retry. Without If-Match the last writer would win.
    49 writers plus the tag already there make 50, the most a contact may carry."""
    contact = ContactFactory(sub_account=unthrottled, tags=["original"])
    attempts = []
    WRITERS = MAX_TAGS - 1

    def add_tag(i: int) -> int:
        client = _client(api_client.raw_key)
        for attempt in range(1, 500):
            current = client.get(detail_url(contact))
            tags = [*current.json()["tags"], f"tag-{i:03d}"]
            response = client.patch(detail_url(contact), {"tags": tags}, format="json", HTTP_IF_MATCH=current["ETag"])
            if response.status_code != HTTPStatus.PRECONDITION_FAILED:
                attempts.append(attempt)
                return response.status_code
            time.sleep(random.uniform(0, min(2.0, 0.05 * 2**attempt)))  # exponential backoff with jitter
        raise AssertionError(f"client {i} never got its write in")

    statuses = _in_threads(WRITERS, add_tag)

    assert statuses == [HTTPStatus.OK] * WRITERS
    expected = sorted(["original", *(f"tag-{i:03d}" for i in range(WRITERS))])
    assert Contact.objects.unscoped().get(pk=contact.pk).tag_names == expected
    print(
        f"\n{WRITERS} tag writers: {sum(attempts)} PATCH attempts, {sum(attempts) - WRITERS} answered 412 and retried"
    )


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_50_concurrent_posts_with_one_idempotency_key_create_exactly_one_contact(api_client, unthrottled):
    body = {"name": "Ada Lovelace", "email": "ada@example.com"}

    responses = _in_threads(
        50,
        lambda i: _client(api_client.raw_key).post(CONTACTS_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="one-key"),
    )

    statuses = sorted(response.status_code for response in responses)
    created = [response for response in responses if response.status_code == HTTPStatus.CREATED]
    assert Contact.objects.for_account(unthrottled).count() == 1
    assert set(statuses) <= {HTTPStatus.CREATED, HTTPStatus.CONFLICT}
    assert len({response.json()["id"] for response in created}) == 1
    assert sum(1 for response in created if "Idempotent-Replayed" not in response) == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_20_concurrent_creates_bringing_the_same_new_tag_all_succeed_and_share_it(api_client, unthrottled):
    statuses = _in_threads(
        20,
        lambda i: (
            _client(api_client.raw_key)
            .post(CONTACTS_URL, {"name": f"Guest {i}", "tags": ["launch-party"]}, format="json")
            .status_code
        ),
    )

    assert statuses == [HTTPStatus.CREATED] * 20
    assert ContactTag.objects.filter(sub_account=unthrottled, name="launch-party").count() == 1
    assert Contact.objects.for_account(unthrottled).tagged(["launch-party"]).count() == 20
