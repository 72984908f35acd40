"""The folded search copy (contacts.search): how words fold, and that every save keeps it current."""

import pytest

from contacts import search
from contacts.models import Contact
from contacts.services import contact_update
from contacts.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "folded"), [("École", "ecole"), ("ZOË", "zoe"), ("Straße", "strasse"), ("ﬁne", "fine"), ("", "")]
)
def test_folding_drops_accents_and_case(text, folded):
    assert search.fold(text) == folded


def test_the_copy_holds_name_email_and_phone_digits():
    assert search.search_text_of("Zoë Ng", "ZOE@Example.com", "+14155552671") == "zoe ng zoe@example.com 14155552671"


def test_words_are_folded_deduplicated_and_longest_first():
    assert search.words_of("  Ada  ÉCOLE ada ") == ["ecole", "ada"]


def test_an_update_of_some_fields_rewrites_the_copy(sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada", email="ada@example.com")

    contact_update(contact=contact, email="grace@example.com")

    stored = Contact.objects.for_account(sub_account).get(pk=contact.pk).search_text
    assert stored == "ada grace@example.com"


def test_a_raw_insert_without_the_copy_gets_an_empty_one(sub_account):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO contacts_contact (id, sub_account_id, name, custom_fields, created_at, updated_at, "
            "conversation_count) VALUES ('ct_raw', %s, 'Raw', '{}', '2026-01-01', '2026-01-01', 0)",
            [sub_account.pk],
        )

    assert Contact.objects.for_account(sub_account).get(pk="ct_raw").search_text == ""


def test_a_whole_phone_number_is_looked_up_by_the_phone_alone_not_by_its_digits_as_words(sub_account):
    from contacts.models import Contact

    query = Contact.objects.for_account(sub_account).search("(415) 555-2671")

    assert "search_text" not in str(query.query).partition(" WHERE ")[2]


def test_a_phone_number_beside_a_word_is_still_searched_word_by_word(sub_account):
    from contacts.models import Contact

    query = Contact.objects.for_account(sub_account).search("ada 555-2671")

    assert "search_text" in str(query.query).partition(" WHERE ")[2]
