"""Search is planned by the sub-account's size (contacts.search, docs/performance.md): a small one along its own
index entries, a mid-sized one through the trigram index keyed by sub-account, a large one by trigrams alone.
Whichever way, the same contacts are found, in the same order, with the same totals."""

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import SubAccount
from contacts import search
from contacts.models import Contact
from contacts.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

SMALL, MID, LARGE = 5, search.TENANT_KEYED_SEARCH_MAX_CONTACTS, search.TENANT_KEYED_SEARCH_MAX_CONTACTS + 1
SIZES = pytest.mark.parametrize("size", [SMALL, MID, LARGE], ids=["walked", "keyed", "table-wide"])


def _as_if_of_size(sub_account, size: int):
    """The sub-account with its contact counter at `size` (what the search plans by), its rows unchanged."""
    SubAccount.objects.filter(pk=sub_account.pk).update(contact_count=size)
    sub_account.refresh_from_db()
    return sub_account


@pytest.fixture
def people(sub_account):
    return {
        name: ContactFactory(sub_account=sub_account, name=name)
        for name in ("Ada Smith", "Bob Smithers", "Carol Jones", "Dan Goldsmith")
    }


@SIZES
def test_a_search_finds_the_same_contacts_whatever_the_sub_accounts_size(sub_account, people, size):
    contacts = Contact.objects.for_account(_as_if_of_size(sub_account, size))

    assert {contact.name for contact in contacts.search("smith")} == {"Ada Smith", "Bob Smithers", "Dan Goldsmith"}
    assert {contact.name for contact in contacts.search("SMITH ada")} == {"Ada Smith"}
    assert not contacts.search("qzxv").exists()


@SIZES
def test_the_ranked_search_orders_the_same_whatever_the_sub_accounts_size(sub_account, people, size):
    contacts = Contact.objects.for_account(_as_if_of_size(sub_account, size))

    ranked = search.ranked(contacts, "smith", limit=10)

    assert [contact.name for contact in ranked] == ["Ada Smith", "Bob Smithers", "Dan Goldsmith"]


@SIZES
def test_the_search_endpoint_answers_each_match_with_its_tags_whatever_the_sub_accounts_size(
    api_client, sub_account, size
):
    ContactFactory(sub_account=sub_account, name="Ada Smith", tags=["vip", "beta"])
    _as_if_of_size(sub_account, size)

    body = api_client.get(reverse("contact-search"), {"q": "smith"}).json()

    assert [(contact["name"], sorted(contact["tags"])) for contact in body["data"]] == [("Ada Smith", ["beta", "vip"])]


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["from-first-ids", "page-and-count"])
def test_a_searched_pages_rows_and_total_do_not_depend_on_how_they_are_read(api_client, sub_account, size):
    for number in range(30):
        ContactFactory(sub_account=sub_account, name=f"Smith {number:02}")
    ContactFactory(sub_account=sub_account, name="Jones")
    _as_if_of_size(sub_account, size)

    body = api_client.get(
        reverse("contact-list"), {"search": "smith", "sort": "name", "limit": 10, "offset": 10}
    ).json()

    assert [contact["name"] for contact in body["data"]] == [f"Smith {number:02}" for number in range(10, 20)]
    assert (body["total"], body["total_exact"], body["has_more"]) == (30, True, True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index is PostgreSQL's")
def test_a_small_sub_accounts_search_is_spelled_so_that_no_trigram_index_can_serve_it(sub_account):
    where = str(Contact.objects.for_account(_as_if_of_size(sub_account, SMALL)).search("smith").query)

    assert 'COALESCE("contacts_contact"."search_text"' in where
    assert '"contacts_contact"."search_text"::text LIKE' not in where


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index is PostgreSQL's")
def test_a_mid_sized_sub_accounts_search_reaches_the_trigram_index_by_its_key(sub_account):
    where = str(Contact.objects.for_account(_as_if_of_size(sub_account, MID)).search("smith").query)

    assert '("contacts_contact"."sub_account_id")::text' in where
    assert '"contacts_contact"."search_text"::text LIKE' in where


@pytest.mark.parametrize(
    ("query", "size", "walks"),
    [
        ("smith", SMALL, True),
        ("smith ada", SMALL, True),
        ("smith", MID, False),
        ("ada@example.com", SMALL, False),
        ("+1 415 555 2671", SMALL, False),
        ("jo", SMALL, False),
    ],
)
def test_only_a_search_by_words_in_a_small_sub_account_walks_its_own_entries(sub_account, query, size, walks):
    contacts = Contact.objects.for_account(_as_if_of_size(sub_account, size))

    # The walk is PostgreSQL's (its list-order index carries the search copy); SQLite has its own index.
    assert search.walks_own_entries(contacts, query) is (walks and connection.vendor == "postgresql")
