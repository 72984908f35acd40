"""contacts.services without HTTP: the rules each write obeys, whichever door calls it."""

import pytest
from django.core.exceptions import ValidationError

from contacts import services
from contacts.models import Contact, ContactTag, TaggedContact
from contacts.tests.factories import ContactFactory
from contacts.validators import MAX_TAGS, PHONE_EXTENSION_MESSAGE
from contacts_site.errors import EmailTaken, NotFound, StaleVersion
from webhooks.models import Event

pytestmark = pytest.mark.django_db


def _stored(contact: Contact) -> Contact:
    return Contact.objects.for_account(contact.sub_account).with_tags().get(pk=contact.pk)


def test_an_update_that_changes_nothing_keeps_updated_at_and_the_etag(sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada", email="ada@example.com", tags=["vip"])
    before = _stored(contact)

    services.contact_update(contact=contact, name=" Ada ", email="ADA@example.com", tags=["VIP"], custom_fields={})

    after = _stored(contact)
    assert (after.updated_at, after.etag) == (before.updated_at, before.etag)


def test_an_update_that_changes_nothing_emits_no_event(sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada")

    services.contact_update(contact=contact, name="Ada")

    assert not Event.objects.unscoped().filter(type="contact.updated").exists()


def test_an_update_of_a_contact_deleted_meanwhile_raises_not_found(sub_account):
    contact = ContactFactory(sub_account=sub_account)
    services.contact_delete(contact=contact)

    with pytest.raises(NotFound):
        services.contact_update(contact=contact, name="Too late")


def test_a_delete_of_a_contact_deleted_meanwhile_raises_not_found_and_emits_one_event(sub_account):
    contact = ContactFactory(sub_account=sub_account)
    services.contact_delete(contact=contact)

    with pytest.raises(NotFound):
        services.contact_delete(contact=contact)
    assert Event.objects.unscoped().filter(type="contact.deleted").count() == 1


def test_an_email_held_by_another_contact_raises_email_taken_naming_it(sub_account):
    holder = ContactFactory(sub_account=sub_account, email="ada@example.com")
    contact = ContactFactory(sub_account=sub_account)

    with pytest.raises(EmailTaken) as error:
        services.contact_update(contact=contact, email="Ada@Example.com")

    assert error.value.contact_id == holder.pk


def test_a_stale_version_raises_stale_version_and_changes_nothing(sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada")

    with pytest.raises(StaleVersion):
        services.contact_update(contact=contact, name="Mine", if_match=['"not-the-etag"'])

    assert _stored(contact).name == "Ada"


def test_sixty_copies_of_one_tag_are_one_tag(sub_account):
    contact = services.contact_create(sub_account=sub_account, name="Ada", tags=["vip"] * 60)

    assert _stored(contact).tag_names == ["vip"]


def test_a_phone_with_an_extension_is_refused_rather_than_cut(sub_account):
    with pytest.raises(ValidationError) as error:
        services.contact_create(sub_account=sub_account, name="Ada", phone="+1 415 555 2672 ext. 5")

    assert error.value.message_dict == {"phone": [PHONE_EXTENSION_MESSAGE]}


def test_a_name_with_a_control_character_is_refused(sub_account):
    with pytest.raises(ValidationError) as error:
        services.contact_create(sub_account=sub_account, name="Ada\x07")

    assert list(error.value.message_dict) == ["name"]


def test_a_name_is_stored_in_its_composed_unicode_form(sub_account):
    contact = services.contact_create(sub_account=sub_account, name="E\u0301cole")

    assert _stored(contact).name == "École"


def test_bulk_tagging_only_another_sub_accounts_contacts_writes_nothing_not_even_the_tag(
    sub_account, other_sub_account
):
    theirs = ContactFactory(sub_account=other_sub_account)

    tagged = services.contact_bulk_add_tag(
        sub_account=sub_account, contacts=Contact.objects.unscoped().filter(pk=theirs.pk), tag="leaked"
    )

    assert tagged == 0
    assert not ContactTag.objects.unscoped().filter(name="leaked").exists()


def test_bulk_tagging_a_contact_already_at_the_tag_limit_changes_none(sub_account):
    full = ContactFactory(sub_account=sub_account, tags=[f"t{n}" for n in range(MAX_TAGS)])
    other = ContactFactory(sub_account=sub_account)

    with pytest.raises(ValidationError):
        services.contact_bulk_add_tag(
            sub_account=sub_account,
            contacts=Contact.objects.unscoped().filter(pk__in=[full.pk, other.pk]),
            tag="one-more",
        )

    assert not TaggedContact.objects.unscoped().filter(content_object=other).exists()


def test_custom_fields_removed_in_a_whole_set_editor_are_sent_as_null():
    assert services.custom_fields_patch({"plan": "pro", "seats": 3}, {"seats": 4}) == {"plan": None, "seats": 4}
