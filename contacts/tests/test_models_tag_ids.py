"""PostgreSQL keeps each contact's tag ids in its own row (migration 0016's triggers), whatever door wrote the
links; the tag filters read them there (contacts.models.CarriesTags). Each test compares the column with the links."""

import json

import pytest
from django.db import connection

from contacts import services
from contacts.models import Contact, ContactTag, TaggedContact
from contacts.tests.factories import ContactFactory
from identity.services import contact_merge

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the tag_ids column and its triggers are PostgreSQL's"
    ),
]


def stored_tag_ids(contact: Contact) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tag_ids FROM contacts_contact WHERE sub_account_id = %s AND id = %s",
            [contact.sub_account_id, contact.pk],
        )
        return json.loads(cursor.fetchone()[0])  # Django reads jsonb as text


def ids_of(sub_account, *names: str) -> list[int]:
    return sorted(ContactTag.objects.for_account(sub_account).filter(name__in=names).values_list("id", flat=True))


def test_a_new_contact_holds_the_ids_of_the_tags_it_was_created_with(sub_account):
    contact = ContactFactory(sub_account=sub_account, tags=["vip", "lead"])

    assert stored_tag_ids(contact) == ids_of(sub_account, "vip", "lead")


def test_a_contact_without_tags_holds_an_empty_list(sub_account):
    assert stored_tag_ids(ContactFactory(sub_account=sub_account)) == []


def test_changing_a_contacts_tags_rewrites_its_ids(sub_account):
    contact = ContactFactory(sub_account=sub_account, tags=["vip", "lead"])

    services.contact_update(contact=contact, tags=["lead", "partner"])

    assert stored_tag_ids(contact) == ids_of(sub_account, "lead", "partner")


def test_a_bulk_tagging_adds_the_tag_to_every_contact_it_reaches(sub_account):
    first, second = ContactFactory(sub_account=sub_account, tags=["lead"]), ContactFactory(sub_account=sub_account)

    services.contact_bulk_add_tag(sub_account=sub_account, contacts=Contact.objects.for_account(sub_account), tag="vip")

    assert stored_tag_ids(first) == ids_of(sub_account, "lead", "vip")
    assert stored_tag_ids(second) == ids_of(sub_account, "vip")


def test_a_bulk_untagging_takes_the_tag_away(sub_account):
    contact = ContactFactory(sub_account=sub_account, tags=["lead", "vip"])

    services.contact_bulk_remove_tag(
        sub_account=sub_account, contacts=Contact.objects.for_account(sub_account), tag="vip"
    )

    assert stored_tag_ids(contact) == ids_of(sub_account, "lead")


def test_deleting_a_tag_takes_it_out_of_its_contacts(sub_account):
    contact = ContactFactory(sub_account=sub_account, tags=["lead", "vip"])

    ContactTag.objects.for_account(sub_account).filter(name="vip").delete()

    assert stored_tag_ids(contact) == ids_of(sub_account, "lead")


def test_a_link_moved_to_another_contact_leaves_the_first_and_reaches_the_second(sub_account):
    first = ContactFactory(sub_account=sub_account, tags=["vip"])
    second = ContactFactory(sub_account=sub_account)

    TaggedContact.objects.for_account(sub_account).filter(content_object_id=first.pk).update(
        content_object_id=second.pk
    )

    assert stored_tag_ids(first) == []
    assert stored_tag_ids(second) == ids_of(sub_account, "vip")


def test_a_merge_gives_the_survivor_the_tags_of_both(sub_account):
    target = ContactFactory(sub_account=sub_account, tags=["lead"])
    source = ContactFactory(sub_account=sub_account, tags=["vip"])

    contact_merge(sub_account=sub_account, target_id=target.pk, source_ids=[source.pk])

    assert stored_tag_ids(target) == ids_of(sub_account, "lead", "vip")


def test_another_sub_accounts_contact_is_left_alone(sub_account, other_sub_account):
    mine = ContactFactory(sub_account=sub_account, tags=["vip"])
    theirs = ContactFactory(sub_account=other_sub_account, tags=["vip"])

    services.contact_update(contact=mine, tags=[])

    assert stored_tag_ids(theirs) == ids_of(other_sub_account, "vip")
