"""The staff list's total: found the way the API's is, without counting a whole sub-account."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import SubAccount
from contacts.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_the_unfiltered_list_shows_the_sub_accounts_counter_without_counting_its_contacts(staff_client, sub_account):
    ContactFactory.create_batch(2, sub_account=sub_account)
    # A counter that disagrees with the rows shows which of the two the page used.
    SubAccount.objects.filter(pk=sub_account.pk).update(contact_count=7)

    with CaptureQueriesContext(connection) as captured:
        response = staff_client.get(reverse("contacts:list"))

    assert response.context["total"] == 7
    assert not [query["sql"] for query in captured.captured_queries if "COUNT(" in query["sql"].upper()]


def test_a_tag_filter_counts_the_contacts_carrying_every_tag(staff_client, sub_account):
    ContactFactory.create_batch(3, sub_account=sub_account, tags=["vip", "beta"])
    ContactFactory(sub_account=sub_account, tags=["vip"])
    ContactFactory(sub_account=sub_account)

    response = staff_client.get(reverse("contacts:list"), {"tag": ["vip", "beta"]})

    assert response.context["total"] == 3


def test_a_search_counts_its_matches(staff_client, sub_account):
    ContactFactory(sub_account=sub_account, name="Ada Lovelace")
    ContactFactory(sub_account=sub_account, name="Ada Byron")
    ContactFactory(sub_account=sub_account, name="Charles Babbage")

    response = staff_client.get(reverse("contacts:list"), {"q": "ada"})

    assert response.context["total"] == 2
