"""The contact model layer without HTTP: normalization in clean_fields and the QuerySet methods every door
calls (with_tags, tagged, search, search_ranked, with_custom_field), each within its sub-account."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from contacts.models import Contact, ContactQuerySet, ContactTag
from contacts.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _contacts(sub_account):
    return Contact.objects.for_account(sub_account)


def _names(queryset) -> list[str]:
    return sorted(contact.name for contact in queryset)


def test_clean_fields_stores_one_form_of_every_field(sub_account):
    contact = Contact(sub_account=sub_account, name="  Zoe\u0308 ", email=" ADA@Example.COM ", phone="(415) 555-2671")

    contact.clean_fields()

    assert (contact.name, contact.email, contact.phone) == ("Zoë", "ada@example.com", "+14155552671")


def test_clean_fields_reads_a_national_number_in_the_sub_accounts_region(other_sub_account):
    contact = Contact(sub_account=other_sub_account, name="Ada", phone="020 7946 0958")

    contact.clean_fields()

    assert contact.phone == "+442079460958"


def test_clean_fields_reports_every_bad_field_at_once(sub_account):
    contact = Contact(sub_account=sub_account, name="", email="not-an-email", phone="12")

    with pytest.raises(ValidationError) as error:
        contact.clean_fields()

    assert set(error.value.message_dict) == {"name", "email", "phone"}


def test_with_tags_reads_each_contacts_tag_names_sorted(sub_account):
    ContactFactory(sub_account=sub_account, name="Ada", tags=["vip", "beta"])

    (contact,) = _contacts(sub_account).with_tags()

    assert contact.tag_names == ["beta", "vip"]


def test_tagged_keeps_contacts_carrying_every_tag_given(sub_account):
    ContactFactory(sub_account=sub_account, name="Both", tags=["vip", "beta"])
    ContactFactory(sub_account=sub_account, name="One", tags=["vip"])

    assert _names(_contacts(sub_account).tagged(["VIP", "beta"])) == ["Both"]


def test_tagged_with_a_tag_nobody_uses_matches_nothing(sub_account):
    ContactFactory(sub_account=sub_account, tags=["vip"])

    assert not _contacts(sub_account).tagged(["unknown"]).exists()


def test_tagged_never_matches_another_sub_accounts_tag_of_the_same_name(sub_account, other_sub_account):
    ContactFactory(sub_account=other_sub_account, tags=["vip"])

    assert not _contacts(sub_account).tagged(["vip"]).exists()


def test_search_finds_a_substring_of_a_name_or_an_email(sub_account):
    ContactFactory(sub_account=sub_account, name="Ada Lovelace", email="ada@example.com")
    ContactFactory(sub_account=sub_account, name="Grace Hopper", email="grace@navy.example")

    assert _names(_contacts(sub_account).search("lovel")) == ["Ada Lovelace"]
    assert _names(_contacts(sub_account).search("navy")) == ["Grace Hopper"]


def test_search_finds_a_phone_typed_in_any_format(sub_account):
    ContactFactory(sub_account=sub_account, name="Ada", phone="+14155552671")

    assert _names(_contacts(sub_account).search("(415) 555-2671")) == ["Ada"]
    assert _names(_contacts(sub_account).search("555-2671")) == ["Ada"]


def test_search_of_one_or_two_characters_matches_the_start_of_a_name(sub_account):
    ContactFactory(sub_account=sub_account, name="Ada")
    ContactFactory(sub_account=sub_account, name="Nada")

    assert _names(_contacts(sub_account).search("ad")) == ["Ada"]


def test_search_ranked_puts_an_exact_email_before_names_starting_with_the_term(sub_account):
    ContactFactory(sub_account=sub_account, name="Bob Ada", email="ada@example.com")
    ContactFactory(sub_account=sub_account, name="ada@example.com fan", email="fan@example.com")

    ranked = _contacts(sub_account).search_ranked("ada@example.com", limit=10)

    assert [contact.name for contact in ranked] == ["Bob Ada", "ada@example.com fan"]


def test_with_custom_field_matches_a_number_given_as_text(sub_account):
    ContactFactory(sub_account=sub_account, name="Twelve", custom_fields={"seats": 12})
    ContactFactory(sub_account=sub_account, name="Text", custom_fields={"seats": "12"})
    ContactFactory(sub_account=sub_account, name="Other", custom_fields={"seats": 3})

    assert _names(_contacts(sub_account).with_custom_field("seats", "12")) == ["Text", "Twelve"]


def test_email_conflict_names_the_other_contact_holding_the_email(sub_account):
    holder = ContactFactory(sub_account=sub_account, email="ada@example.com")

    assert Contact(sub_account=sub_account, email="ada@example.com").email_conflict().pk == holder.pk


@pytest.mark.parametrize("rare_tag_max_links", [0, 2000], ids=["walking the list", "from a rare tag's links"])
def test_carrying_finds_the_contacts_holding_every_tag_whichever_way_it_starts(
    sub_account, monkeypatch, rare_tag_max_links
):
    monkeypatch.setattr("contacts.models.RARE_TAG_MAX_LINKS", rare_tag_max_links)
    both = ContactFactory(sub_account=sub_account, tags=["vip", "press"])
    ContactFactory(sub_account=sub_account, tags=["vip"])
    ContactFactory(sub_account=sub_account, tags=["press"])
    tags = ContactTag.objects.for_account(sub_account)

    found = Contact.objects.for_account(sub_account).carrying(tags.ids_named(["vip", "press"]))

    assert list(found.values_list("pk", flat=True)) == [both.pk]


# Custom fields as other writers may store them (raw JSON text, not Django's `ensure_ascii` one): SQLite's
# text prefilter (ContactQuerySet._sqlite_custom_fields_text_containing) must never drop a match of the key lookup.
STORED_CUSTOM_FIELDS = {
    "Plain": '{"company": "Redwood Labs", "plan": "enterprise"}',
    "Capitals": '{"company": "REDWOOD", "plan": "Enterprise"}',
    "True": '{"company": true, "plan": true}',
    "Null": '{"company": null, "plan": null}',
    "Exponent": '{"company": 1e-07, "plan": 12}',
    "Array": '{"company": ["a-b", "c"], "plan": []}',
    "Object": '{"company": {"x": "a b"}, "plan": "v2"}',
    "Unescaped": '{"company": "Café Redwood", "plan": "café"}',
    "Escaped": '{"company": "Caf\\u00e9", "plan": "caf\\u00e9"}',
    "Other key": '{"name": "Redwood", "plan": "free", "other": "enterprise"}',
}


def _stored_custom_fields(sub_account):
    placeholder = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    for name, stored in STORED_CUSTOM_FIELDS.items():
        contact = ContactFactory(sub_account=sub_account, name=name)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE contacts_contact SET custom_fields = {placeholder} WHERE id = %s", [stored, contact.pk]
            )


def _without_sqlite_prefilter(monkeypatch):
    monkeypatch.setattr(ContactQuerySet, "_sqlite_custom_fields_text_containing", lambda self, fragment: self)


@pytest.mark.parametrize("text", ["redwood", "RED", "rue", "ull", "e-", "a-b", "a b", "caf", "café"])
def test_with_custom_field_containing_finds_what_the_key_lookup_alone_finds(sub_account, monkeypatch, text):
    _stored_custom_fields(sub_account)
    found = _names(_contacts(sub_account).with_custom_field_containing("company", text))
    _without_sqlite_prefilter(monkeypatch)

    # Every text matches a stored form on SQLite (PostgreSQL's ->> reads a null or an exponent otherwise).
    assert found or connection.vendor != "sqlite"
    assert found == _names(_contacts(sub_account).with_custom_field_containing("company", text))


@pytest.mark.parametrize("value", ["enterprise", "Enterprise", "null", "true", "12", "v2", "[]", "café"])
def test_with_custom_field_finds_what_the_key_lookup_alone_finds(sub_account, monkeypatch, value):
    _stored_custom_fields(sub_account)
    found = _names(_contacts(sub_account).with_custom_field("plan", value))
    _without_sqlite_prefilter(monkeypatch)

    assert found == _names(_contacts(sub_account).with_custom_field("plan", value))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's prefilter")
def test_on_sqlite_a_plain_value_is_first_looked_for_in_the_custom_fields_text(sub_account):
    sql = str(_contacts(sub_account).with_custom_field("plan", "enterprise").query)

    assert sql.index('LIKE %"enterprise"%') < sql.index("JSON_EXTRACT")
