from datetime import timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from contacts_site import pagination

pytestmark = pytest.mark.django_db

CONTACTS_URL = reverse("contact-list")


def _ids(response) -> list[str]:
    return [contact["id"] for contact in response.json()["data"]]


def _contacts_created_in_order(sub_account, names, **fields):
    """Contacts whose created_at/updated_at increase in the order of `names`."""
    start = timezone.now() - timedelta(days=1)
    contacts = []
    for index, name in enumerate(names):
        contact = ContactFactory(sub_account=sub_account, name=name, **fields)
        moment = start + timedelta(minutes=index)
        Contact.objects.unscoped().filter(pk=contact.pk).update(created_at=moment, updated_at=moment)
        contacts.append(contact)
    return contacts


def test_the_list_answers_in_the_envelope_with_defaults(api_client, sub_account):
    ContactFactory.create_batch(3, sub_account=sub_account)

    body = api_client.get(CONTACTS_URL).json()

    assert set(body) == {"data", "total", "total_exact", "limit", "offset", "has_more", "next_cursor"}
    assert body["total"] == 3
    assert body["total_exact"] is True
    assert body["next_cursor"] is None
    assert body["limit"] == 25
    assert body["offset"] == 0
    assert body["has_more"] is False
    assert len(body["data"]) == 3


def test_the_list_is_empty_for_a_new_sub_account(api_client):
    body = api_client.get(CONTACTS_URL).json()

    assert body == {
        "data": [],
        "total": 0,
        "total_exact": True,
        "limit": 25,
        "offset": 0,
        "has_more": False,
        "next_cursor": None,
    }


def test_limit_and_offset_page_through_the_list(api_client, sub_account):
    ContactFactory.create_batch(5, sub_account=sub_account)

    first = api_client.get(CONTACTS_URL, {"limit": 2}).json()
    last = api_client.get(CONTACTS_URL, {"limit": 2, "offset": 4}).json()

    assert len(first["data"]) == 2
    assert first["has_more"] is True
    assert len(last["data"]) == 1
    assert last["has_more"] is False
    assert last["total"] == 5


@pytest.mark.parametrize("deferred_from", [0, 1000], ids=["ids-then-rows", "one-query"])
def test_every_offset_answers_the_same_rows_whichever_way_the_page_is_read(
    api_client, sub_account, monkeypatch, deferred_from
):
    contacts = _contacts_created_in_order(sub_account, [f"C{number}" for number in range(7)], tags=["t"])
    newest_first = [contact.pk for contact in reversed(contacts)]
    monkeypatch.setattr(pagination, "DEFERRED_JOIN_OFFSET", deferred_from)

    pages = [api_client.get(CONTACTS_URL, {"limit": 3, "offset": offset, "tag": "t"}).json() for offset in (0, 3, 6)]

    assert [[row["id"] for row in page["data"]] for page in pages] == [
        newest_first[0:3],
        newest_first[3:6],
        newest_first[6:],
    ]
    assert [page["has_more"] for page in pages] == [True, True, False]
    assert [row["tags"] for row in pages[1]["data"]] == [["t"]] * 3


@pytest.mark.parametrize("sort", ["created", "name"])
def test_pages_past_the_middle_are_read_from_the_far_end_with_the_same_rows(api_client, sub_account, monkeypatch, sort):
    _contacts_created_in_order(sub_account, [f"C{number}" for number in range(7)])
    everyone = [row["id"] for row in api_client.get(CONTACTS_URL, {"sort": sort, "limit": 100}).json()["data"]]
    monkeypatch.setattr(pagination, "DEFERRED_JOIN_OFFSET", 0)

    pages = [
        api_client.get(CONTACTS_URL, {"sort": sort, "limit": 3, "offset": offset}).json() for offset in (4, 5, 6, 7)
    ]

    assert [[row["id"] for row in page["data"]] for page in pages] == [everyone[4:7], everyone[5:7], everyone[6:7], []]
    assert [page["has_more"] for page in pages] == [False, False, False, False]
    assert api_client.get(CONTACTS_URL, {"sort": sort, "limit": 2, "offset": 4}).json()["has_more"] is True


def test_an_offset_past_the_end_answers_an_empty_page(api_client, sub_account):
    ContactFactory.create_batch(2, sub_account=sub_account)

    body = api_client.get(CONTACTS_URL, {"offset": 10}).json()

    assert body["data"] == []
    assert body["total"] == 2
    assert body["has_more"] is False


def test_the_default_order_is_newest_first(api_client, sub_account):
    older, newer = _contacts_created_in_order(sub_account, ["Older", "Newer"])

    assert _ids(api_client.get(CONTACTS_URL)) == [newer.pk, older.pk]


def test_sort_created_ascending_is_oldest_first(api_client, sub_account):
    older, newer = _contacts_created_in_order(sub_account, ["Older", "Newer"])

    response = api_client.get(CONTACTS_URL, {"sort": "created", "direction": "asc"})

    assert _ids(response) == [older.pk, newer.pk]


def test_sort_updated_defaults_to_most_recently_updated_first(api_client, sub_account):
    first, second = _contacts_created_in_order(sub_account, ["First", "Second"])
    Contact.objects.unscoped().filter(pk=first.pk).update(updated_at=timezone.now())

    assert _ids(api_client.get(CONTACTS_URL, {"sort": "updated"})) == [first.pk, second.pk]


def test_sort_name_defaults_to_alphabetical(api_client, sub_account):
    _contacts_created_in_order(sub_account, ["Carol", "Alice", "Bob"])

    names = [c["name"] for c in api_client.get(CONTACTS_URL, {"sort": "name"}).json()["data"]]

    assert names == ["Alice", "Bob", "Carol"]


def test_sort_name_descending_is_reverse_alphabetical(api_client, sub_account):
    _contacts_created_in_order(sub_account, ["Carol", "Alice", "Bob"])

    names = [c["name"] for c in api_client.get(CONTACTS_URL, {"sort": "name", "direction": "desc"}).json()["data"]]

    assert names == ["Carol", "Bob", "Alice"]


def test_ties_are_broken_by_id_so_pages_never_overlap(api_client, sub_account):
    contacts = ContactFactory.create_batch(7, sub_account=sub_account, name="Same Name")
    Contact.objects.unscoped().filter(pk__in=[c.pk for c in contacts]).update(created_at=timezone.now())

    pages = [_ids(api_client.get(CONTACTS_URL, {"sort": "name", "limit": 3, "offset": o})) for o in (0, 3, 6)]

    seen = [contact_id for page in pages for contact_id in page]
    assert sorted(seen) == sorted(c.pk for c in contacts)
    assert seen == sorted(seen)


def test_a_tag_filters_the_list(api_client, sub_account):
    vip = ContactFactory(sub_account=sub_account, tags=["vip"])
    ContactFactory(sub_account=sub_account, tags=["frequent"])

    assert _ids(api_client.get(CONTACTS_URL, {"tag": "vip"})) == [vip.pk]


def test_a_tag_filter_is_case_insensitive(api_client, sub_account):
    vip = ContactFactory(sub_account=sub_account, tags=["vip"])

    assert _ids(api_client.get(CONTACTS_URL, {"tag": "VIP"})) == [vip.pk]


def test_repeated_tags_match_contacts_having_every_tag(api_client, sub_account):
    both = ContactFactory(sub_account=sub_account, tags=["vip", "frequent"])
    ContactFactory(sub_account=sub_account, tags=["vip"])
    ContactFactory(sub_account=sub_account, tags=["frequent"])

    response = api_client.get(CONTACTS_URL + "?tag=vip&tag=frequent")

    assert _ids(response) == [both.pk]
    assert response.json()["total"] == 1


def test_an_unknown_tag_matches_nothing(api_client, sub_account):
    ContactFactory(sub_account=sub_account, tags=["vip"])

    assert api_client.get(CONTACTS_URL, {"tag": "nobody-has-this"}).json()["total"] == 0


def test_search_finds_a_case_insensitive_substring_of_the_name(api_client, sub_account):
    ada = ContactFactory(sub_account=sub_account, name="Ada Lovelace")
    ContactFactory(sub_account=sub_account, name="Grace Hopper")

    assert _ids(api_client.get(CONTACTS_URL, {"search": "LOVE"})) == [ada.pk]


def test_search_finds_a_substring_of_the_email(api_client, sub_account):
    ada = ContactFactory(sub_account=sub_account, name="Ada", email="countess@analytical.example")
    ContactFactory(sub_account=sub_account, name="Grace")

    assert _ids(api_client.get(CONTACTS_URL, {"search": "analytical"})) == [ada.pk]


def test_search_and_tag_combine(api_client, sub_account):
    ada_vip = ContactFactory(sub_account=sub_account, name="Ada One", tags=["vip"])
    ContactFactory(sub_account=sub_account, name="Ada Two")
    ContactFactory(sub_account=sub_account, name="Grace", tags=["vip"])

    assert _ids(api_client.get(CONTACTS_URL, {"search": "ada", "tag": "vip"})) == [ada_vip.pk]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"limit": -1},
        {"limit": "ten"},
        {"limit": ""},
        {"limit": "2.5"},
        {"offset": -1},
        {"offset": "x"},
        {"offset": ""},
        {"sort": "email"},
        {"sort": ""},
        {"direction": "up"},
        {"direction": ""},
    ],
)
def test_a_paging_or_sorting_value_outside_the_bounds_is_refused(api_client, params):
    response = api_client.get(CONTACTS_URL, params)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == set(params)


@pytest.mark.parametrize("limit", [1, 100])
def test_limits_at_the_bounds_are_accepted(api_client, limit):
    assert api_client.get(CONTACTS_URL, {"limit": limit}).json()["limit"] == limit


def test_the_list_costs_the_same_number_of_queries_whatever_its_length(
    api_client, sub_account, django_assert_num_queries
):
    api_client.get(CONTACTS_URL)  # the key's first use records last_used_at; later ones within a minute do not
    ContactFactory.create_batch(2, sub_account=sub_account, tags=["vip", "frequent"])
    # key lookup, page with its tags (the total is the sub-account's counter)
    with django_assert_num_queries(2):
        api_client.get(CONTACTS_URL)

    ContactFactory.create_batch(20, sub_account=sub_account, tags=["vip", "frequent", "new"])
    with django_assert_num_queries(2):
        response = api_client.get(CONTACTS_URL)

    assert len(response.json()["data"]) == 22


@pytest.mark.parametrize("sort", ["created", "name", "last_conversation"])
def test_sub_accounts_listed_one_after_the_other_each_see_their_own_contacts(
    api_client, other_api_client, sub_account, other_sub_account, sort
):
    # The unfiltered list's statement is compiled once per process (read_page's `shape`) and reused for the next tenant.
    ours = ContactFactory(sub_account=sub_account, name="Ada", tags=["vip"])
    theirs = ContactFactory(sub_account=other_sub_account, name="Bob", tags=["beta"])

    first = api_client.get(CONTACTS_URL, {"sort": sort}).json()["data"]
    second = other_api_client.get(CONTACTS_URL, {"sort": sort}).json()["data"]

    assert [(contact["id"], contact["tags"]) for contact in first] == [(ours.pk, ["vip"])]
    assert [(contact["id"], contact["tags"]) for contact in second] == [(theirs.pk, ["beta"])]


def test_a_contact_created_after_a_list_is_in_the_next_list(api_client, sub_account):
    # The viewset's scoped queryset is built once per sub-account (scope_built_once); its rows are read anew.
    ContactFactory(sub_account=sub_account, name="Ada")
    api_client.get(CONTACTS_URL)
    ContactFactory(sub_account=sub_account, name="Bob")

    body = api_client.get(CONTACTS_URL, {"sort": "name"}).json()

    assert [contact["name"] for contact in body["data"]] == ["Ada", "Bob"]
    assert body["total"] == 2
