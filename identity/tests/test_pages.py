from http import HTTPStatus

import pytest
from django.urls import reverse

from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from identity.models import Merge

pytestmark = pytest.mark.django_db


@pytest.fixture
def twins(sub_account):
    first = ContactFactory(sub_account=sub_account, name="Ada Lovelace", email="ada.lovelace@gmail.com")
    second = ContactFactory(
        sub_account=sub_account, name="Ada Lovelase", email="adalovelace@gmail.com", phone="+14155552671"
    )
    return first, second


def _merge_page(first, second) -> str:
    return reverse("identity:merge", args=[first.pk]) + f"?from={second.pk}"


def test_the_contact_page_shows_its_possible_duplicates(staff_client, twins):
    first, second = twins

    page = staff_client.get(reverse("contacts:detail", args=[first.pk])).content.decode()

    assert "Possible duplicates" in page
    assert _merge_page(first, second).replace("&", "&amp;") in page or _merge_page(first, second) in page


def test_the_duplicates_page_lists_the_pair(staff_client, twins):
    first, second = twins

    page = staff_client.get(reverse("identity:duplicates")).content.decode()

    assert "1 pair of contacts looks like the same person" in page
    assert first.name in page and second.name in page


def test_the_merge_screen_shows_both_contacts_side_by_side(staff_client, twins):
    first, second = twins

    page = staff_client.get(_merge_page(first, second)).content.decode()

    assert "Which contact survives?" in page
    assert "+14155552671" in page and "ada.lovelace@gmail.com" in page


def test_merging_from_the_screen_keeps_the_chosen_survivor_and_field_winner(staff_client, sub_account, twins):
    first, second = twins
    versions = {f"version_{contact.pk}": contact.etag for contact in (first, second)}

    response = staff_client.post(
        reverse("identity:merge", args=[second.pk]),
        {"survivor": second.pk, "from": [first.pk], "name": first.pk, **versions},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("contacts:detail", args=[second.pk])
    survivor = Contact.objects.for_account(sub_account).get()
    assert (survivor.pk, survivor.name) == (second.pk, "Ada Lovelace")


def test_a_merge_against_a_stale_version_is_refused_with_a_message(staff_client, sub_account, twins):
    first, second = twins

    response = staff_client.post(
        reverse("identity:merge", args=[first.pk]),
        {"survivor": first.pk, "from": [second.pk], f"version_{second.pk}": '"stale"'},
        follow=True,
    )

    assert "Not merged" in response.content.decode()
    assert Contact.objects.for_account(sub_account).count() == 2


def test_undo_from_the_contact_page_brings_the_contact_back(staff_client, sub_account, twins):
    first, second = twins
    staff_client.post(reverse("identity:merge", args=[first.pk]), {"survivor": first.pk, "from": [second.pk]})
    merge = Merge.objects.for_account(sub_account).get()
    assert "Undo merge" in staff_client.get(reverse("contacts:detail", args=[first.pk])).content.decode()

    response = staff_client.post(reverse("identity:undo", args=[merge.pk]))

    assert response.status_code == HTTPStatus.FOUND
    assert Contact.objects.for_account(sub_account).count() == 2


def test_the_merge_screen_of_another_sub_accounts_contact_is_not_found(staff_client, other_sub_account, twins):
    first, _ = twins
    theirs = ContactFactory(sub_account=other_sub_account)

    assert staff_client.get(_merge_page(theirs, first)).status_code == HTTPStatus.NOT_FOUND
    page = staff_client.get(_merge_page(first, theirs))
    assert page.status_code == HTTPStatus.OK and "No contact" in page.content.decode()
    response = staff_client.post(
        reverse("identity:merge", args=[first.pk]), {"survivor": first.pk, "from": [theirs.pk]}
    )
    assert Contact.objects.for_account(other_sub_account).filter(pk=theirs.pk).exists()
    assert response.status_code == HTTPStatus.FOUND


def test_undoing_another_sub_accounts_merge_is_not_found(staff_client, other_sub_account):
    from identity.services import contact_merge

    target, source = ContactFactory(sub_account=other_sub_account), ContactFactory(sub_account=other_sub_account)
    _, merge = contact_merge(sub_account=other_sub_account, target_id=target.pk, source_ids=[source.pk])

    assert staff_client.post(reverse("identity:undo", args=[merge.pk])).status_code == HTTPStatus.NOT_FOUND
    assert Merge.objects.for_account(other_sub_account).get().undone_at is None


def test_the_page_of_a_merged_away_contact_leads_to_the_survivor(staff_client, twins):
    first, second = twins
    staff_client.post(reverse("identity:merge", args=[first.pk]), {"survivor": first.pk, "from": [second.pk]})

    response = staff_client.get(reverse("contacts:detail", args=[second.pk]))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("contacts:detail", args=[first.pk])


def test_the_merge_page_shows_the_merged_contacts_and_offers_the_undo(staff_client, sub_account):
    from identity.services import contact_merge

    ada = ContactFactory(sub_account=sub_account, name="Ada", email="ada@example.com")
    bea = ContactFactory(sub_account=sub_account, name="Bea", email="bea@example.com")
    _, merge = contact_merge(sub_account=sub_account, target_id=ada.pk, source_ids=[bea.pk])

    page = staff_client.get(reverse("identity:merge-detail", args=[merge.pk])).content.decode()

    assert "Bea" in page and "bea@example.com" in page
    assert reverse("identity:undo", args=[merge.pk]) in page


def test_a_merge_line_on_the_timeline_links_to_its_merge_page(staff_client, sub_account):
    from identity.services import contact_merge

    ada = ContactFactory(sub_account=sub_account, name="Ada", email="ada@example.com")
    bea = ContactFactory(sub_account=sub_account, name="Bea", email="bea@example.com")
    _, merge = contact_merge(sub_account=sub_account, target_id=ada.pk, source_ids=[bea.pk])

    page = staff_client.get(reverse("contacts:detail", args=[ada.pk])).content.decode()

    assert reverse("identity:merge-detail", args=[merge.pk]) in page
