from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from contacts import services
from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from contacts.validators import MAX_TAGS

pytestmark = pytest.mark.django_db

BULK = reverse("contacts:bulk")


def test_adding_a_tag_to_selected_contacts_tags_exactly_those(staff_client, sub_account):
    chosen = ContactFactory.create_batch(3, sub_account=sub_account)
    other = ContactFactory(sub_account=sub_account)
    response = staff_client.post(
        BULK, {"action": "add_tag", "bulk_tag": "VIP", "scope": "selected", "ids": [c.pk for c in chosen]}, follow=True
    )
    assert "Added tag “vip” to 3 contacts." in response.content.decode()
    assert [c.tag_names for c in Contact.objects.unscoped().filter(pk__in=[c.pk for c in chosen])] == [["vip"]] * 3
    assert Contact.objects.unscoped().get(pk=other.pk).tag_names == []


def test_adding_a_tag_says_how_many_already_had_it(staff_client, sub_account):
    had = ContactFactory(sub_account=sub_account, tags=["vip"])
    new = ContactFactory(sub_account=sub_account)
    response = staff_client.post(
        BULK, {"action": "add_tag", "bulk_tag": "vip", "scope": "selected", "ids": [had.pk, new.pk]}, follow=True
    )
    assert "Added tag “vip” to 1 contact (1 already had it)." in response.content.decode()


def test_removing_a_tag_from_selected_contacts(staff_client, sub_account):
    contacts = [ContactFactory(sub_account=sub_account, tags=["vip", "beta"]) for _ in range(2)]
    staff_client.post(
        BULK, {"action": "remove_tag", "bulk_tag": "vip", "ids": [c.pk for c in contacts], "scope": "selected"}
    )
    assert [Contact.objects.unscoped().get(pk=c.pk).tag_names for c in contacts] == [["beta"], ["beta"]]


def test_all_matching_runs_on_the_filter_not_on_the_page(staff_client, sub_account):
    matching = [ContactFactory(sub_account=sub_account, name=f"Match {n}", tags=["lead"]) for n in range(30)]
    outsider = ContactFactory(sub_account=sub_account, name="Outsider")
    response = staff_client.post(
        BULK,
        {"action": "add_tag", "bulk_tag": "q3", "scope": "all", "tag": ["lead"], "ids": [matching[0].pk]},
        follow=True,
    )
    assert "Added tag “q3” to 30 contacts." in response.content.decode()
    assert Contact.objects.unscoped().filter(tagged_items__tag__name="q3").count() == 30
    assert Contact.objects.unscoped().get(pk=outsider.pk).tag_names == []


def test_all_matching_with_a_search_uses_the_same_search_as_the_list(staff_client, sub_account):
    ContactFactory(sub_account=sub_account, name="Ada Lovelace")
    ContactFactory(sub_account=sub_account, name="Charles Babbage")
    staff_client.post(BULK, {"action": "add_tag", "bulk_tag": "x", "scope": "all", "q": "ada"})
    assert list(Contact.objects.unscoped().filter(tagged_items__tag__name="x").values_list("name", flat=True)) == [
        "Ada Lovelace"
    ]


def test_after_a_bulk_action_the_list_keeps_its_filter(staff_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada")
    response = staff_client.post(
        BULK, {"action": "add_tag", "bulk_tag": "x", "scope": "selected", "ids": [contact.pk], "q": "ada", "page": "1"}
    )
    assert response["Location"] == "/?q=ada"


def test_deleting_asks_first_stating_the_count(staff_client, sub_account):
    contacts = ContactFactory.create_batch(3, sub_account=sub_account)
    response = staff_client.post(BULK, {"action": "delete", "scope": "selected", "ids": [c.pk for c in contacts]})
    assert response.status_code == HTTPStatus.OK
    assert "Delete 3 contacts?" in response.content.decode()
    assert Contact.objects.unscoped().count() == 3


def test_confirming_deletes_and_announces_the_count(staff_client, sub_account):
    contacts = ContactFactory.create_batch(3, sub_account=sub_account)
    keep = ContactFactory(sub_account=sub_account)
    response = staff_client.post(
        BULK,
        {"action": "delete", "scope": "selected", "ids": [c.pk for c in contacts], "confirmed": "on", "expected": "3"},
        follow=True,
    )
    assert "Deleted 3 contacts." in response.content.decode()
    assert list(Contact.objects.unscoped().values_list("pk", flat=True)) == [keep.pk]


def test_if_more_contacts_match_than_were_confirmed_it_asks_again(staff_client, sub_account):
    ContactFactory.create_batch(4, sub_account=sub_account, tags=["old"])
    response = staff_client.post(
        BULK, {"action": "delete", "scope": "all", "tag": ["old"], "confirmed": "on", "expected": "3"}
    )
    assert response.status_code == HTTPStatus.CONFLICT
    assert "Delete 4 contacts?" in response.content.decode()
    assert Contact.objects.unscoped().count() == 4


def test_ids_of_another_sub_account_are_ignored(staff_client, sub_account, other_sub_account):
    theirs = ContactFactory(sub_account=other_sub_account)
    staff_client.post(
        BULK, {"action": "delete", "scope": "selected", "ids": [theirs.pk], "confirmed": "on", "expected": "1"}
    )
    staff_client.post(BULK, {"action": "add_tag", "bulk_tag": "x", "scope": "selected", "ids": [theirs.pk]})
    theirs.refresh_from_db()
    assert theirs.tag_names == []


def test_all_matching_never_reaches_another_sub_account(staff_client, sub_account, other_sub_account):
    ContactFactory(sub_account=sub_account)
    theirs = ContactFactory(sub_account=other_sub_account)
    staff_client.post(BULK, {"action": "delete", "scope": "all", "confirmed": "on", "expected": "1"})
    assert list(Contact.objects.unscoped().values_list("pk", flat=True)) == [theirs.pk]


def test_a_bad_tag_is_refused_with_the_apis_wording_and_changes_nothing(staff_client, sub_account):
    contact = ContactFactory(sub_account=sub_account)
    response = staff_client.post(
        BULK, {"action": "add_tag", "bulk_tag": "x" * 51, "scope": "selected", "ids": [contact.pk]}, follow=True
    )
    assert "Each tag must be 1–50 characters." in response.content.decode()
    assert Contact.objects.unscoped().get(pk=contact.pk).tag_names == []


def test_nothing_selected_is_refused(staff_client):
    response = staff_client.post(BULK, {"action": "add_tag", "bulk_tag": "x", "scope": "selected"}, follow=True)
    assert "Select at least one contact." in response.content.decode()


def test_an_unknown_action_is_refused(staff_client, sub_account):
    contact = ContactFactory(sub_account=sub_account)
    response = staff_client.post(BULK, {"action": "explode", "scope": "selected", "ids": [contact.pk]}, follow=True)
    assert response.status_code == HTTPStatus.OK
    assert Contact.objects.unscoped().filter(pk=contact.pk).exists()


def test_the_bulk_page_refuses_get(staff_client):
    assert staff_client.get(BULK).status_code == HTTPStatus.METHOD_NOT_ALLOWED


# ---- the services themselves


def test_bulk_tagging_is_all_or_nothing_when_a_contact_is_full(sub_account):
    full = ContactFactory(sub_account=sub_account, tags=[f"t{n}" for n in range(MAX_TAGS)])
    roomy = ContactFactory(sub_account=sub_account)
    with pytest.raises(ValidationError) as raised:
        services.contact_bulk_add_tag(
            sub_account=sub_account,
            contacts=Contact.objects.unscoped().filter(pk__in=[full.pk, roomy.pk]),
            tag="one-more",
        )
    assert "already have 50 tags" in raised.value.messages[0]
    assert Contact.objects.unscoped().get(pk=roomy.pk).tag_names == []


def test_bulk_tagging_moves_updated_at_of_changed_contacts_only(sub_account):
    had = ContactFactory(sub_account=sub_account, tags=["vip"])
    new = ContactFactory(sub_account=sub_account)
    before = {c.pk: c.updated_at for c in Contact.objects.unscoped().all()}
    services.contact_bulk_add_tag(sub_account=sub_account, contacts=Contact.objects.unscoped().all(), tag="vip")
    after = {c.pk: c.updated_at for c in Contact.objects.unscoped().all()}
    assert after[had.pk] == before[had.pk]
    assert after[new.pk] > before[new.pk]


def test_bulk_services_stay_inside_the_sub_account_they_are_given(sub_account, other_sub_account):
    theirs = ContactFactory(sub_account=other_sub_account, tags=["vip"])
    everyone = Contact.objects.unscoped().all()
    assert services.contact_bulk_add_tag(sub_account=sub_account, contacts=everyone, tag="x") == 0
    assert services.contact_bulk_remove_tag(sub_account=sub_account, contacts=everyone, tag="vip") == 0
    assert services.contacts_delete(sub_account=sub_account, queryset=everyone) == 0
    assert Contact.objects.unscoped().get(pk=theirs.pk).tag_names == ["vip"]
