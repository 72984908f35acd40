from http import HTTPStatus

import pytest
from django.urls import reverse

from accounts.models import SubAccount
from contacts.models import Contact
from contacts.tests.factories import ContactFactory

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
