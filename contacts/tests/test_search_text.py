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
