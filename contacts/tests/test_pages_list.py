from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from conversations.tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}


def names_on(response) -> list[str]:
    return [contact.name for contact in response.context["contacts"]]


def test_the_home_page_is_the_contact_list_of_the_current_sub_account(staff_client, sub_account, other_sub_account):
    ContactFactory(sub_account=sub_account, name="Ada Lovelace")
    ContactFactory(sub_account=other_sub_account, name="Grace Hopper")
    response = staff_client.get(reverse("contacts:list"))
    assert response.status_code == HTTPStatus.OK
    assert names_on(response) == ["Ada Lovelace"]
    assert "Grace Hopper" not in response.content.decode()


def test_the_count_is_a_status_present_from_page_load(staff_client, sub_account):
    ContactFactory.create_batch(3, sub_account=sub_account)
    html = staff_client.get(reverse("contacts:list")).content.decode()
    assert 'id="result-count" class="result-count" role="status">3 contacts' in html


def test_a_name_that_looks_like_html_is_shown_as_text(staff_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="<script>alert(1)</script>")
    for url in ["/", reverse("contacts:detail", args=[contact.pk]), reverse("contacts:edit", args=[contact.pk])]:
        html = staff_client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url


@pytest.mark.parametrize("query", ["lovelace", "ADA@EXAMPLE", "+1 415 555 2671", "(415) 555-2671", "555-2671"])
def test_search_finds_a_contact_by_name_email_or_phone_in_any_format(staff_client, sub_account, query):
    ContactFactory(sub_account=sub_account, name="Ada Lovelace", email="ada@example.com", phone="+14155552671")
    ContactFactory(sub_account=sub_account, name="Charles Babbage", email="charles@example.com")
    response = staff_client.get(reverse("contacts:list"), {"q": query})
    assert names_on(response) == ["Ada Lovelace"]


def test_search_never_reaches_another_sub_account(staff_client, sub_account, other_sub_account):
    ContactFactory(sub_account=other_sub_account, name="Ada Elsewhere")
    response = staff_client.get(reverse("contacts:list"), {"q": "Ada"})
    assert names_on(response) == []


def test_an_htmx_search_answers_only_the_results_and_the_count(staff_client, sub_account):
    ContactFactory(sub_account=sub_account, name="Ada Lovelace")
    response = staff_client.get(reverse("contacts:list"), {"q": "ada"}, **HTMX)
    html = response.content.decode()
    assert "<html" not in html
    assert "Ada Lovelace" in html
    assert 'hx-swap-oob="innerHTML"' in html
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_request_gets_the_whole_page(staff_client, sub_account):
    response = staff_client.get(reverse("contacts:list"), **HTMX, HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in response.content.decode()


def test_filtering_by_tags_keeps_contacts_carrying_every_tag_and_shows_chips(staff_client, sub_account):
    ContactFactory(sub_account=sub_account, name="Both", tags=["vip", "beta"])
    ContactFactory(sub_account=sub_account, name="Only vip", tags=["vip"])
    response = staff_client.get(reverse("contacts:list") + "?tag=vip&tag=beta")
    assert names_on(response) == ["Both"]
    html = response.content.decode()
    assert 'aria-label="Remove tag filter vip"' in html
    assert "Clear all" in html


def test_the_tag_picker_offers_this_sub_accounts_tags_only(staff_client, sub_account, other_sub_account):
    ContactFactory(sub_account=sub_account, tags=["vip"])
    ContactFactory(sub_account=other_sub_account, tags=["globex-only"])
    response = staff_client.get(reverse("contacts:list"))
    assert response.context["available_tags"] == ["vip"]
    assert "globex-only" not in response.content.decode()


def test_sorting_by_name_marks_that_header_with_aria_sort(staff_client, sub_account):
    for name in ["Carol", "Alice", "Bob"]:
        ContactFactory(sub_account=sub_account, name=name)
    response = staff_client.get(reverse("contacts:list") + "?sort=name")
    assert names_on(response) == ["Alice", "Bob", "Carol"]
    html = response.content.decode()
    assert html.count("aria-sort=") == 1
    assert '<th scope="col" aria-sort="ascending">' in html
    descending = staff_client.get(reverse("contacts:list") + "?sort=name&direction=desc")
    assert names_on(descending) == ["Carol", "Bob", "Alice"]


def test_sorting_by_last_activity_puts_contacts_never_contacted_last(staff_client, sub_account):
    ContactFactory(sub_account=sub_account, name="Never")
    ConversationFactory(contact=ContactFactory(sub_account=sub_account, name="Talked"))
    assert names_on(staff_client.get(reverse("contacts:list") + "?sort=last_conversation")) == ["Talked", "Never"]


def test_the_header_buttons_lead_back_to_page_one(staff_client, sub_account):
    ContactFactory.create_batch(30, sub_account=sub_account)
    response = staff_client.get(reverse("contacts:list") + "?page=2")
    name_column = response.context["name_column"]
    assert "page=" not in name_column["url"]


def test_pages_hold_25_contacts_with_page_links_and_the_total(staff_client, sub_account):
    ContactFactory.create_batch(30, sub_account=sub_account)
    first = staff_client.get(reverse("contacts:list"))
    second = staff_client.get(reverse("contacts:list") + "?page=2")
    assert len(first.context["contacts"]) == 25
    assert len(second.context["contacts"]) == 5
    assert not {c.pk for c in first.context["contacts"]} & {c.pk for c in second.context["contacts"]}
    html = first.content.decode()
    assert "30 contacts · showing 1–25" in html
    assert 'aria-label="Pagination"' in html
    assert 'href="/?page=2"' in html


def test_the_chosen_page_size_is_remembered(staff_client, sub_account):
    ContactFactory.create_batch(60, sub_account=sub_account)
    assert len(staff_client.get(reverse("contacts:list") + "?per_page=50").context["contacts"]) == 50
    assert len(staff_client.get(reverse("contacts:list")).context["contacts"]) == 50


@pytest.mark.parametrize(
    "query", ["page=abc", "page=0", "page=999", "per_page=7", "sort=evil", "direction=up", "q=%00", "tag="]
)
def test_bad_list_parameters_fall_back_to_defaults_instead_of_failing(staff_client, sub_account, query):
    ContactFactory(sub_account=sub_account)
    assert staff_client.get(f"/?{query}").status_code == HTTPStatus.OK


def test_an_empty_sub_account_says_no_contacts_yet_and_offers_to_create(staff_client):
    html = staff_client.get(reverse("contacts:list")).content.decode()
    assert "No contacts yet" in html
    assert reverse("contacts:create") in html


def test_a_search_without_results_says_no_matches_and_offers_to_clear(staff_client, sub_account):
    ContactFactory(sub_account=sub_account)
    html = staff_client.get(reverse("contacts:list") + "?q=zzzz").content.decode()
    assert "No matches" in html
    assert "Clear filters" in html
    assert "No contacts yet" not in html


def test_rows_carry_named_checkboxes(staff_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada Lovelace")
    html = staff_client.get(reverse("contacts:list")).content.decode()
    assert f'value="{contact.pk}" id="select-{contact.pk}" aria-label="Select Ada Lovelace"' in html


# Both sizes fill more than a page: a list that fits on one is not counted at all (test_pages_list_pager).
@pytest.mark.parametrize("size", [30, 60])
def test_the_list_costs_the_same_queries_whatever_the_data_size(
    staff_client, sub_account, django_assert_num_queries, size
):
    for number in range(size):
        ContactFactory(sub_account=sub_account, tags=["vip", f"t{number % 5}"], custom_fields={"n": number})
    # session, user, memberships, the tag's id, count, page of contacts with their tags, the tag picker,
    # the custom-field definitions, the user's list preferences, the saved views; on SQLite also the tag
    # filter's look at how many contacts carry the tag (contacts.models.RARE_TAG_MAX_LINKS)
    with django_assert_num_queries(10 if connection.vendor == "postgresql" else 11):
        response = staff_client.get(reverse("contacts:list") + "?tag=vip&sort=name")
    assert response.status_code == HTTPStatus.OK
    assert Contact.objects.unscoped().count() == size


def test_the_unfiltered_list_takes_its_total_from_the_counter_without_counting_rows(staff_client, sub_account):
    ContactFactory.create_batch(3, sub_account=sub_account)

    with CaptureQueriesContext(connection) as captured:
        html = staff_client.get(reverse("contacts:list")).content.decode()

    assert "3 contacts" in html
    assert not [query["sql"] for query in captured.captured_queries if "COUNT(" in query["sql"].upper()]


def test_a_list_filtered_by_tags_counts_the_contacts_carrying_every_tag(staff_client, sub_account):
    ContactFactory(sub_account=sub_account, name="Both", tags=["vip", "beta"])
    ContactFactory(sub_account=sub_account, name="Also both", tags=["vip", "beta", "new"])
    ContactFactory(sub_account=sub_account, name="Only vip", tags=["vip"])

    html = staff_client.get(reverse("contacts:list") + "?tag=vip&tag=beta").content.decode()

    assert "2 contacts match" in html
