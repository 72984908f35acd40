from http import HTTPStatus

import pytest
from django.db import connection
from django.urls import reverse

from contacts.models import Contact
from contacts.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

SEARCH_URL = reverse("contact-search")


def _ids(response) -> list[str]:
    return [contact["id"] for contact in response.json()["data"]]


def test_search_answers_data_only(api_client, sub_account):
    ContactFactory(sub_account=sub_account, name="Ada Lovelace")

    body = api_client.get(SEARCH_URL, {"q": "ada"}).json()

    assert set(body) == {"data"}
    assert body["data"][0]["name"] == "Ada Lovelace"


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}])
def test_search_without_a_query_is_refused(api_client, params):
    response = api_client.get(SEARCH_URL, params)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "q" in response.json()["error"]["fields"]


@pytest.mark.parametrize("typed", ["(415) 555-2671", "+1 415-555-2671", "4155552671", "+14155552671", "555-2671"])
def test_search_finds_a_phone_typed_in_any_format(api_client, sub_account, typed):
    ada = ContactFactory(sub_account=sub_account, name="Ada", phone="+14155552671")
    ContactFactory(sub_account=sub_account, name="Grace", phone="+14155550000")

    assert _ids(api_client.get(SEARCH_URL, {"q": typed})) == [ada.pk]


def test_an_exact_email_ranks_first(api_client, sub_account):
    prefix = ContactFactory(sub_account=sub_account, name="Ada", email="ada@example.com.au")
    exact = ContactFactory(sub_account=sub_account, name="Zed", email="ada@example.com")

    assert _ids(api_client.get(SEARCH_URL, {"q": "ADA@example.com"})) == [exact.pk, prefix.pk]


def test_names_or_emails_starting_with_the_query_rank_before_other_substrings(api_client, sub_account):
    substring = ContactFactory(sub_account=sub_account, name="Mr Bob Smith", email="x1@example.com")
    name_prefix = ContactFactory(sub_account=sub_account, name="Bobby Tables", email="x2@example.com")
    email_prefix = ContactFactory(sub_account=sub_account, name="Zed", email="bob@example.com")

    assert _ids(api_client.get(SEARCH_URL, {"q": "bob"})) == [name_prefix.pk, email_prefix.pk, substring.pk]


def test_an_exact_phone_ranks_before_name_matches(api_client, sub_account):
    by_name = ContactFactory(sub_account=sub_account, name="4155552671 Corp", phone=None)
    by_phone = ContactFactory(sub_account=sub_account, name="Ada", phone="+14155552671")

    assert _ids(api_client.get(SEARCH_URL, {"q": "4155552671"})) == [by_phone.pk, by_name.pk]


def test_search_limit_defaults_to_ten(api_client, sub_account):
    ContactFactory.create_batch(12, sub_account=sub_account, name="Ada")

    assert len(api_client.get(SEARCH_URL, {"q": "ada"}).json()["data"]) == 10


def test_search_limit_can_be_raised_to_one_hundred(api_client, sub_account):
    ContactFactory.create_batch(12, sub_account=sub_account, name="Ada")

    assert len(api_client.get(SEARCH_URL, {"q": "ada", "limit": 100}).json()["data"]) == 12


@pytest.mark.parametrize("limit", [0, 101, "x", ""])
def test_search_limit_outside_the_bounds_is_refused(api_client, limit):
    response = api_client.get(SEARCH_URL, {"q": "ada", "limit": limit})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "limit" in response.json()["error"]["fields"]


def test_search_finds_nothing_for_an_absent_term(api_client, sub_account):
    ContactFactory(sub_account=sub_account, name="Ada")

    assert api_client.get(SEARCH_URL, {"q": "zzzz"}).json() == {"data": []}


def test_search_treats_sql_wildcards_as_plain_text(api_client, sub_account):
    ContactFactory(sub_account=sub_account, name="Ada Byron")
    percent = ContactFactory(sub_account=sub_account, name="100% Cotton")

    assert _ids(api_client.get(SEARCH_URL, {"q": "0% c"})) == [percent.pk]
    assert api_client.get(SEARCH_URL, {"q": "a_b"}).json() == {"data": []}


def test_a_one_or_two_character_term_matches_the_start_of_a_name_or_email(api_client, sub_account):
    starts = ContactFactory(sub_account=sub_account, name="Al Jones", email="x@example.com")
    by_email = ContactFactory(sub_account=sub_account, name="Zed", email="al@example.com")
    ContactFactory(sub_account=sub_account, name="Sally Walton", email="sally@example.com")

    assert _ids(api_client.get(SEARCH_URL, {"q": "al"})) == [starts.pk, by_email.pk]


def test_a_renamed_contact_is_found_by_its_new_name_only(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada Byron")
    api_client.patch(reverse("contact-detail", args=[contact.pk]), {"name": "Ada Lovelace"}, format="json")

    assert _ids(api_client.get(SEARCH_URL, {"q": "lovelace"})) == [contact.pk]
    assert api_client.get(SEARCH_URL, {"q": "byron"}).json() == {"data": []}


def test_a_contact_whose_email_changed_is_found_by_the_new_email_only(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada", email="ada@old.example")
    api_client.patch(reverse("contact-detail", args=[contact.pk]), {"email": "ada@new.example"}, format="json")

    assert _ids(api_client.get(SEARCH_URL, {"q": "new.exa"})) == [contact.pk]
    assert api_client.get(SEARCH_URL, {"q": "old.exa"}).json() == {"data": []}


def test_a_deleted_contact_is_no_longer_found(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada Lovelace")
    api_client.delete(reverse("contact-detail", args=[contact.pk]))

    assert api_client.get(SEARCH_URL, {"q": "lovelace"}).json() == {"data": []}


def test_search_ignores_the_case_of_accented_letters(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Émile Zola")

    assert _ids(api_client.get(SEARCH_URL, {"q": "ÉMILE"})) == [contact.pk]
    assert _ids(api_client.get(SEARCH_URL, {"q": "émile"})) == [contact.pk]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's search index (migration 0007)")
def test_sqlite_search_index_holds_one_entry_per_contact_after_writes(api_client, sub_account):
    kept = ContactFactory(sub_account=sub_account, name="Ada")
    gone = ContactFactory(sub_account=sub_account, name="Bob")
    api_client.patch(reverse("contact-detail", args=[kept.pk]), {"name": "Ada Lovelace"}, format="json")
    api_client.delete(reverse("contact-detail", args=[gone.pk]))

    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_id, search_text FROM contacts_contact_search")
        assert cursor.fetchall() == [(kept.pk, Contact.objects.for_account(sub_account).get(pk=kept.pk).search_text)]
    assert Contact.objects.for_account(sub_account).get(pk=kept.pk).search_text.startswith("ada lovelace")


LIST_URL = reverse("contact-list")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("walker phonebook", {"Phonebook Walker"}),
        ("ada example.com", {"Ada Byron"}),
        ("ecole", {"École Centrale", "Ecole Normale"}),
        ("école", {"École Centrale", "Ecole Normale"}),
        ("ÉCOLE centrale", {"École Centrale"}),
        ("normale école", {"Ecole Normale"}),
        ("byron 4155552671", {"Ada Byron"}),
    ],
)
@pytest.mark.parametrize("door", ["list", "search"])
def test_several_words_match_in_any_order_and_field_ignoring_accents_and_case(
    api_client, sub_account, query, expected, door
):
    ContactFactory(sub_account=sub_account, name="Phonebook Walker", email="pw@other.org")
    ContactFactory(sub_account=sub_account, name="Ada Byron", email="ada@example.com", phone="+14155552671")
    ContactFactory(sub_account=sub_account, name="École Centrale", email="ec@other.org")
    ContactFactory(sub_account=sub_account, name="Ecole Normale", email="en@other.org")

    if door == "list":
        response = api_client.get(LIST_URL, {"search": query})
    else:
        response = api_client.get(SEARCH_URL, {"q": query})

    assert {contact["name"] for contact in response.json()["data"]} == expected


def test_every_word_must_match(api_client, sub_account):
    ContactFactory(sub_account=sub_account, name="Phonebook Walker")

    assert _ids(api_client.get(LIST_URL, {"search": "walker smith"})) == []


def test_the_folded_copy_follows_a_rename(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada")
    api_client.patch(reverse("contact-detail", args=[contact.pk]), {"name": "Zoë Quinn"}, format="json")

    assert _ids(api_client.get(LIST_URL, {"search": "zoe quinn"})) == [contact.pk]


def test_a_whole_email_address_in_the_list_search_finds_that_address_only(api_client, sub_account):
    ada = ContactFactory(sub_account=sub_account, name="Ada", email="ada@example.com")
    ContactFactory(sub_account=sub_account, name="Madame", email="madame.ada@example.com")
    ContactFactory(sub_account=sub_account, name="Ada AU", email="ada@example.com.au")

    response = api_client.get(LIST_URL, {"search": "ADA@example.com"})

    assert _ids(response) == [ada.pk]


def test_part_of_an_email_address_still_matches_as_a_substring(api_client, sub_account):
    ada = ContactFactory(sub_account=sub_account, name="Ada", email="ada@example.com")
    madame = ContactFactory(sub_account=sub_account, name="Madame", email="madame.ada@example.com")

    response = api_client.get(LIST_URL, {"search": "ada@example", "sort": "name"})

    assert _ids(response) == [ada.pk, madame.pk]
