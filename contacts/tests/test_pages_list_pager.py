"""The staff list's pager: a bounded total like the API's, page numbers the total can prove, and a keyset Next."""

from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import RARE_TAG_MAX_LINKS
from contacts.tests.factories import ContactFactory
from contacts_site import pagination

pytestmark = pytest.mark.django_db

LIST = reverse("contacts:list")


@pytest.fixture
def forty_vips(sub_account):
    """40 contacts tagged vip, named so that the name sort is their creation order."""
    return [ContactFactory(sub_account=sub_account, name=f"Person {n:02d}", tags=["vip"]) for n in range(40)]


@pytest.fixture
def cap_of_30(monkeypatch):
    monkeypatch.setattr(pagination, "TOTAL_COUNT_CAP", 30)


def names_on(response) -> list[str]:
    return [contact.name for contact in response.context["contacts"]]


def numbers_on(response) -> list[int | None]:
    return [link["number"] for link in response.context["page_links"]]


def totals_counted(captured) -> list[str]:
    """The counts the page ran, but for SQLite's probe of how many contacts carry a tag (it chooses the tag
    filter's plan, contacts.models.RARE_TAG_MAX_LINKS), which is not the list's total."""
    probe = f"LIMIT {RARE_TAG_MAX_LINKS + 1})"
    return [
        query["sql"] for query in captured.captured_queries if "COUNT(" in query["sql"] and probe not in query["sql"]
    ]


def after_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["after"][0]


# A tag alone is counted on its links, a search up to the cap, tags "any" by reading the list's first ids.
@pytest.mark.parametrize(
    "query", [{"tag": "vip"}, {"q": "person"}, {"tag": "vip", "q": "person"}, {"tag": "vip", "tag_match": "any"}]
)
def test_a_filtered_total_past_the_cap_reads_as_a_lower_bound(staff_client, forty_vips, cap_of_30, query):
    html = staff_client.get(LIST, query).content.decode()

    assert "30+ contacts match · showing 1–25" in html


def test_a_bounded_pager_numbers_the_pages_the_bound_proves_then_a_gap(staff_client, forty_vips, cap_of_30):
    response = staff_client.get(LIST, {"tag": "vip"})

    assert numbers_on(response) == [1, 2, None]
    assert response.context["next_url"] is not None


def test_a_bounded_caption_says_there_may_be_more_pages(staff_client, forty_vips, cap_of_30):
    html = staff_client.get(LIST, {"tag": "vip"}).content.decode()

    assert "Contacts, page 1 of 2 or more" in html


def test_the_last_page_of_a_bounded_list_knows_the_exact_total(staff_client, forty_vips, cap_of_30):
    response = staff_client.get(LIST, {"tag": "vip", "page": "2"})

    assert "40 contacts match · showing 26–40" in response.content.decode()
    assert numbers_on(response) == [1, 2]
    assert response.context["next_url"] is None


def test_an_exact_pager_numbers_up_to_the_last_page(staff_client, sub_account):
    ContactFactory.create_batch(60, sub_account=sub_account)

    response = staff_client.get(LIST)

    assert numbers_on(response) == [1, 2, 3]
    assert "Contacts, page 1 of 3</caption>" in response.content.decode()


def test_a_list_that_fits_on_one_page_is_not_counted(staff_client, sub_account):
    ContactFactory.create_batch(3, sub_account=sub_account, tags=["vip"])

    with CaptureQueriesContext(connection) as captured:
        html = staff_client.get(LIST, {"tag": "vip"}).content.decode()

    assert "3 contacts match" in html
    assert not totals_counted(captured)


def test_a_page_past_the_cap_is_not_counted(staff_client, forty_vips, cap_of_30):
    with CaptureQueriesContext(connection) as captured:
        response = staff_client.get(LIST, {"tag": "vip", "page": "2"})

    assert len(response.context["contacts"]) == 15
    assert not totals_counted(captured)


def test_next_carries_a_cursor_of_the_pages_last_row(staff_client, forty_vips):
    next_url = staff_client.get(LIST, {"tag": "vip", "sort": "name"}).context["next_url"]

    assert "page=2" in next_url
    assert after_of(next_url)


def test_following_next_reads_the_page_the_offset_reads(staff_client, forty_vips):
    next_url = staff_client.get(LIST, {"tag": "vip", "sort": "name"}).context["next_url"]

    by_cursor = staff_client.get(next_url)

    assert names_on(by_cursor) == [f"Person {n:02d}" for n in range(25, 40)]
    assert by_cursor.context["page"].number == 2


def test_a_page_read_by_cursor_runs_no_offset(staff_client, forty_vips):
    next_url = staff_client.get(LIST, {"tag": "vip", "sort": "name"}).context["next_url"]

    with CaptureQueriesContext(connection) as captured:
        staff_client.get(next_url)

    assert not [query["sql"] for query in captured.captured_queries if "OFFSET 25" in query["sql"].upper()]


def test_a_cursor_of_another_filter_is_ignored_and_the_page_read_by_offset(staff_client, sub_account, forty_vips):
    # Read after the vip cursor's row (Person 24), this list would start at Person 24b, not at Person 25b.
    for n in range(30):
        ContactFactory(sub_account=sub_account, name=f"Person {n:02d}b", tags=["beta"])
    vip_cursor = after_of(staff_client.get(LIST, {"tag": "vip", "sort": "name"}).context["next_url"])

    response = staff_client.get(LIST, {"tag": "beta", "sort": "name", "page": "2", "after": vip_cursor})

    assert names_on(response) == [f"Person {n:02d}b" for n in range(25, 30)]


def test_a_cursor_of_another_sort_is_ignored_and_the_page_read_by_offset(staff_client, forty_vips):
    by_name = after_of(staff_client.get(LIST, {"tag": "vip", "sort": "name"}).context["next_url"])

    response = staff_client.get(
        LIST, {"tag": "vip", "sort": "name", "direction": "desc", "page": "2", "after": by_name}
    )

    assert names_on(response) == [f"Person {n:02d}" for n in range(14, -1, -1)]


def test_a_cursor_under_an_edited_page_number_is_ignored(staff_client, sub_account):
    for n in range(60):
        ContactFactory(sub_account=sub_account, name=f"Person {n:02d}")
    second_page_cursor = after_of(staff_client.get(LIST, {"sort": "name"}).context["next_url"])

    response = staff_client.get(LIST, {"sort": "name", "page": "3", "after": second_page_cursor})

    assert names_on(response) == [f"Person {n:02d}" for n in range(50, 60)]


@pytest.mark.parametrize("forged", ["x", "e30:abc", "a" * 5000, "%00", "eyJtIjoiY29udGFjdHMuY29udGFjdCJ9:x"])
def test_a_forged_cursor_is_ignored_and_the_page_read_by_offset(staff_client, forty_vips, forged):
    response = staff_client.get(LIST, {"tag": "vip", "sort": "name", "page": "2", "after": forged})

    assert response.status_code == HTTPStatus.OK
    assert names_on(response) == [f"Person {n:02d}" for n in range(25, 40)]


# Page 3 (offset 50 of 60) is past the middle: its ids are walked from the end of the list.
@pytest.mark.parametrize(("page", "first", "last"), [(2, 25, 50), (3, 50, 60)])
def test_a_deep_page_holds_the_rows_the_offset_reads(staff_client, sub_account, monkeypatch, page, first, last):
    for n in range(60):
        ContactFactory(sub_account=sub_account, name=f"Person {n:02d}")
    monkeypatch.setattr(pagination, "DEFERRED_JOIN_OFFSET", 0)  # every page found by its ids first

    response = staff_client.get(LIST, {"sort": "name", "page": str(page)})

    assert names_on(response) == [f"Person {n:02d}" for n in range(first, last)]


def test_a_page_past_the_end_shows_the_last_page(staff_client, forty_vips, cap_of_30):
    response = staff_client.get(LIST, {"tag": "vip", "page": "9"})

    assert response.context["page"].number == 2
    assert len(response.context["contacts"]) == 15


def test_selecting_all_of_a_bounded_total_names_no_number(staff_client, forty_vips, cap_of_30):
    html = staff_client.get(LIST, {"tag": "vip"}).content.decode()

    assert "Select all matching contacts" in html
    assert "All matching contacts are selected." in html
    assert 'name="expected" value=""' in html


@pytest.mark.parametrize("page", ["1", "2"])
@pytest.mark.parametrize("query", [{"q": "person"}, {"tag": "vip", "tag_match": "any"}])
def test_a_filtered_page_under_the_cap_holds_the_rows_of_the_list_in_order(staff_client, forty_vips, page, query):
    response = staff_client.get(LIST, {**query, "sort": "name", "page": page})

    first = 25 * (int(page) - 1)
    assert names_on(response) == [f"Person {n:02d}" for n in range(first, min(first + 25, 40))]
    assert "40 contacts match" in response.content.decode()


def test_selecting_all_of_an_exact_total_names_it_and_expects_it(staff_client, forty_vips):
    html = staff_client.get(LIST, {"tag": "vip"}).content.decode()

    assert "Select all 40 matching contacts" in html
    assert 'name="expected" value="40"' in html


@pytest.mark.parametrize("query", [{"page": "999999999"}, {"tag": "vip", "page": "999999999", "per_page": "100"}])
def test_a_page_number_beyond_any_list_shows_the_last_page(staff_client, forty_vips, query):
    response = staff_client.get(LIST, query)

    assert response.status_code == HTTPStatus.OK
    assert names_on(response)[-1] == "Person 00"
