import base64
import json
import re
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core import signing
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import SubAccount
from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from contacts_site import pagination
from conversations.tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db

CONTACTS_URL = reverse("contact-list")


def _walk_with_cursor(api_client, params) -> list[str]:
    seen, cursor = [], None
    for _ in range(50):
        page = api_client.get(CONTACTS_URL, {**params, **({"cursor": cursor} if cursor else {})}).json()
        seen += [contact["id"] for contact in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            assert page["has_more"] is False
            return seen
    raise AssertionError("the cursor never ended")


@pytest.mark.parametrize(
    "params",
    [{}, {"sort": "created", "direction": "asc"}, {"sort": "name"}, {"sort": "name", "direction": "desc"}],
)
def test_following_next_cursor_visits_every_contact_once_in_the_list_order(api_client, sub_account, params):
    for name in ["Bob", "Ada", "Bob", "Carol", "Ada", "Dan", "Eve"]:
        ContactFactory(sub_account=sub_account, name=name)
    everything = [c["id"] for c in api_client.get(CONTACTS_URL, {**params, "limit": 100}).json()["data"]]

    assert _walk_with_cursor(api_client, {**params, "limit": 2}) == everything


def test_a_cursor_page_reports_a_null_offset(api_client, sub_account):
    ContactFactory.create_batch(3, sub_account=sub_account)
    cursor = api_client.get(CONTACTS_URL, {"limit": 1}).json()["next_cursor"]

    body = api_client.get(CONTACTS_URL, {"limit": 1, "cursor": cursor}).json()

    assert body["offset"] is None
    assert len(body["data"]) == 1


def test_a_cursor_from_another_sort_is_refused(api_client, sub_account):
    ContactFactory.create_batch(3, sub_account=sub_account)
    cursor = api_client.get(CONTACTS_URL, {"limit": 1}).json()["next_cursor"]

    response = api_client.get(CONTACTS_URL, {"limit": 1, "sort": "name", "cursor": cursor})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "cursor" in response.json()["error"]["fields"]


@pytest.mark.parametrize("cursor", ["garbage", "", "eyJvIjoiLWNyZWF0ZWRfYXQsLWlkIiwidiI6WyJ4IiwieSJdfQ", "e30"])
def test_a_malformed_cursor_is_refused(api_client, cursor):
    response = api_client.get(CONTACTS_URL, {"cursor": cursor})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "cursor" in response.json()["error"]["fields"]


def _first_cursor(api_client, sub_account, **params) -> str:
    ContactFactory.create_batch(3, sub_account=sub_account)
    return api_client.get(CONTACTS_URL, {"limit": 1, **params}).json()["next_cursor"]


def _assert_cursor_refused(response):
    assert response.status_code == HTTPStatus.BAD_REQUEST
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (400, "validation_error")
    assert list(error["fields"]) == ["cursor"]


def test_a_cursor_is_url_safe_text(api_client, sub_account):
    cursor = _first_cursor(api_client, sub_account, sort="name")

    assert re.fullmatch(r"[A-Za-z0-9_:-]+", cursor)


def test_a_cursor_carrying_a_nul_character_is_refused(api_client, sub_account):
    cursor = _first_cursor(api_client, sub_account)

    _assert_cursor_refused(api_client.get(CONTACTS_URL, {"cursor": cursor + "\x00"}))


def test_an_unsigned_cursor_with_a_nul_in_its_values_is_refused_before_the_database(api_client, sub_account):
    # The shape cursors had before they were signed: any value in it reached the query (a 500 on PostgreSQL).
    payload = {"o": "name,id", "v": ["Ada\x00", "ct_1"]}
    crafted = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")

    _assert_cursor_refused(api_client.get(CONTACTS_URL, {"sort": "name", "cursor": crafted}))


def test_a_cursor_whose_values_were_changed_is_refused(api_client, sub_account):
    cursor = _first_cursor(api_client, sub_account, sort="name")
    encoded, signature = cursor.rsplit(":", 1)
    payload = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    payload["v"][0] = "Ada\x00"
    tampered = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")

    _assert_cursor_refused(api_client.get(CONTACTS_URL, {"sort": "name", "cursor": f"{tampered}:{signature}"}))


def test_a_cursor_signed_with_another_key_is_refused(api_client, sub_account):
    payload = {"m": "contacts.contact", "o": "-created_at,-id", "v": ["2026-01-01T00:00:00+00:00", "ct_1"]}
    forged = signing.Signer(key="not-our-secret-key", salt=pagination.CURSOR_SALT).sign_object(payload)

    _assert_cursor_refused(api_client.get(CONTACTS_URL, {"cursor": forged}))


def test_a_cursor_of_another_list_with_the_same_sort_is_refused(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account)
    ConversationFactory.create_batch(2, contact=contact)
    conversations_cursor = api_client.get("/api/v1/conversations", {"sort": "created", "limit": 1}).json()[
        "next_cursor"
    ]

    _assert_cursor_refused(api_client.get(CONTACTS_URL, {"cursor": conversations_cursor}))


def test_a_cursor_issued_before_a_secret_key_rotation_still_works_while_the_old_key_is_a_fallback(
    api_client, sub_account, settings
):
    cursor = _first_cursor(api_client, sub_account)

    with override_settings(SECRET_KEY="a-new-secret-key-" * 4, SECRET_KEY_FALLBACKS=[settings.SECRET_KEY]):
        response = api_client.get(CONTACTS_URL, {"limit": 1, "cursor": cursor})

    assert response.status_code == HTTPStatus.OK
    assert len(response.json()["data"]) == 1


def test_the_next_cursor_of_a_deep_page_continues_after_its_last_row(api_client, sub_account, monkeypatch):
    ContactFactory.create_batch(5, sub_account=sub_account)
    everything = [c["id"] for c in api_client.get(CONTACTS_URL, {"limit": 100}).json()["data"]]
    monkeypatch.setattr(pagination, "DEFERRED_JOIN_OFFSET", 0)

    cursor = api_client.get(CONTACTS_URL, {"limit": 2, "offset": 1}).json()["next_cursor"]
    body = api_client.get(CONTACTS_URL, {"limit": 2, "cursor": cursor}).json()

    assert [c["id"] for c in body["data"]] == everything[3:5]


def test_cursor_and_offset_together_are_refused(api_client, sub_account):
    ContactFactory.create_batch(2, sub_account=sub_account)
    cursor = api_client.get(CONTACTS_URL, {"limit": 1}).json()["next_cursor"]

    response = api_client.get(CONTACTS_URL, {"cursor": cursor, "offset": 1})

    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_a_filtered_total_past_the_cap_is_a_flagged_lower_bound(api_client, sub_account, monkeypatch):
    monkeypatch.setattr("contacts_site.pagination.TOTAL_COUNT_CAP", 3)
    ContactFactory.create_batch(6, sub_account=sub_account, tags=["vip"])

    body = api_client.get(CONTACTS_URL, {"tag": "vip", "limit": 1}).json()

    assert body["total"] == 3
    assert body["total_exact"] is False
    assert body["has_more"] is True


def test_a_filtered_total_under_the_cap_is_exact(api_client, sub_account):
    ContactFactory.create_batch(4, sub_account=sub_account, tags=["vip"])
    ContactFactory(sub_account=sub_account)

    body = api_client.get(CONTACTS_URL, {"tag": "vip", "limit": 2}).json()

    assert (body["total"], body["total_exact"]) == (4, True)


def test_the_unfiltered_total_is_exact_however_large(api_client, sub_account, monkeypatch):
    monkeypatch.setattr("contacts_site.pagination.TOTAL_COUNT_CAP", 3)
    ContactFactory.create_batch(6, sub_account=sub_account)

    body = api_client.get(CONTACTS_URL, {"limit": 1}).json()

    assert (body["total"], body["total_exact"]) == (6, True)


def test_the_sub_accounts_contact_counter_follows_creates_and_deletes(api_client, sub_account):
    ids = [api_client.post(CONTACTS_URL, {"name": f"C{n}"}, format="json").json()["id"] for n in range(3)]
    api_client.post(CONTACTS_URL, {"name": "refused", "phone": "bad"}, format="json")
    api_client.delete(reverse("contact-detail", args=[ids[0]]))
    api_client.delete(reverse("contact-detail", args=[ids[0]]))

    sub_account.refresh_from_db()
    assert sub_account.contact_count == Contact.objects.filter(sub_account=sub_account).count() == 2


def test_recomputing_counters_repairs_a_drifted_one(sub_account):
    from contacts.services import contact_counts_recompute

    ContactFactory.create_batch(2, sub_account=sub_account)
    SubAccount.objects.filter(pk=sub_account.pk).update(contact_count=99)

    contact_counts_recompute()

    sub_account.refresh_from_db()
    assert sub_account.contact_count == 2


@pytest.mark.parametrize("leading_rows", [0, 3, 2000], ids=["no leading rows", "too few", "enough"])
@pytest.mark.parametrize("direction", ["desc", "asc"])
def test_a_filtered_list_by_last_conversation_pages_in_order_with_a_bounded_total(
    api_client, sub_account, monkeypatch, direction, leading_rows
):
    # SQLite looks for the page among the most recent contacts (ContactFilter.leading_ids), else reads the list's
    # first ids and then the page (ContactFilter.sorts_every_match); the answer is the same.
    monkeypatch.setattr("contacts_site.pagination.TOTAL_COUNT_CAP", 4)
    monkeypatch.setattr("contacts.filters.LEADING_ROWS", leading_rows)
    tagged = ContactFactory.create_batch(6, sub_account=sub_account, tags=["vip"])
    ContactFactory(sub_account=sub_account)
    now = timezone.now()
    for days, contact in enumerate(tagged[:4]):
        Contact.objects.for_account(sub_account).filter(pk=contact.pk).update(last_conversation=now - timedelta(days))
    active = [contact.pk for contact in tagged[:4]]
    never = sorted(contact.pk for contact in tagged[4:])
    expected = active + never[::-1] if direction == "desc" else active[::-1] + never
    params = {"tag": "vip", "sort": "last_conversation", "direction": direction}

    first = api_client.get(CONTACTS_URL, {**params, "limit": 2}).json()
    pages = [first] + [
        api_client.get(CONTACTS_URL, {**params, "limit": 2, "offset": offset}).json() for offset in (2, 4)
    ]

    assert [contact["id"] for page in pages for contact in page["data"]] == expected
    assert (first["total"], first["total_exact"], first["has_more"]) == (4, False, True)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's reading of the most recent contacts")
def test_on_sqlite_a_filtered_list_by_last_conversation_looks_among_the_most_recent_contacts_first(
    api_client, sub_account
):
    ContactFactory.create_batch(2, sub_account=sub_account, tags=["vip"])
    with CaptureQueriesContext(connection) as newest_first:
        api_client.get(CONTACTS_URL, {"tag": "vip", "sort": "last_conversation"})
    with CaptureQueriesContext(connection) as by_name:
        api_client.get(CONTACTS_URL, {"tag": "vip", "sort": "name", "direction": "desc"})

    assert any('"last_conversation" IS NOT NULL' in query["sql"] for query in newest_first.captured_queries)
    assert not any('"last_conversation" IS NOT NULL' in query["sql"] for query in by_name.captured_queries)


@pytest.mark.parametrize("direction", ["desc", "asc"])
def test_a_deep_page_by_last_conversation_read_from_the_other_end_holds_the_rows_of_the_list_order(
    api_client, sub_account, monkeypatch, direction
):
    now = timezone.now()
    for days in [3, None, 1, 5, None, 1, 2]:
        contact = ContactFactory(sub_account=sub_account)
        last = None if days is None else now - timedelta(days=days)
        Contact.objects.for_account(sub_account).filter(pk=contact.pk).update(last_conversation=last)
    params = {"sort": "last_conversation", "direction": direction}
    everything = [c["id"] for c in api_client.get(CONTACTS_URL, {**params, "limit": 100}).json()["data"]]
    monkeypatch.setattr(pagination, "DEFERRED_JOIN_OFFSET", 0)

    # Past the middle of the 7 (their exact total is the counter), the pages are counted from the other end.
    pages = [api_client.get(CONTACTS_URL, {**params, "limit": 2, "offset": offset}).json() for offset in (4, 5, 6)]

    assert [[c["id"] for c in page["data"]] for page in pages] == [everything[4:6], everything[5:7], everything[6:]]
