"""Deleting a contact takes along everything identity keeps about it, in the same commit (real transactions: the
foreign keys are checked when it commits)."""

import pytest
from django.urls import reverse

from contacts.models import ContactIdentity, ContactMatchKey
from contacts.tests.factories import ContactFactory
from identity.models import DuplicatePair

pytestmark = pytest.mark.django_db(transaction=True)


def test_deleting_a_contact_on_the_duplicates_list_deletes_its_pairs_keys_and_identities(api_client, sub_account):
    ada = ContactFactory(sub_account=sub_account, name="Ada", email="ada@gmail.com")
    again = ContactFactory(sub_account=sub_account, name="Ada", email="a.da@gmail.com", phone="+14155552671")
    api_client.get(reverse("duplicate-list"))
    third = ContactFactory(sub_account=sub_account, name="Bo", email="bo@example.com")
    api_client.post(reverse("contact-identity-merge", args=[third.pk]), {"from": [again.pk]}, format="json")
    assert DuplicatePair.objects.for_account(sub_account).exists()

    for contact in (ada, third):
        assert api_client.delete(reverse("contact-detail", args=[contact.pk])).status_code == 204

    assert not DuplicatePair.objects.for_account(sub_account).exists()
    assert not ContactMatchKey.objects.for_account(sub_account).exists()
    assert not ContactIdentity.objects.for_account(sub_account).exists()
