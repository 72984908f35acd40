"""Merging two contacts in a real browser, from the contact page's possible duplicates to the undo, with axe."""

import pytest
from playwright.sync_api import expect

from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from conversations.tests.factories import ConversationFactory
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def twins(sub_account):
    first = ContactFactory(sub_account=sub_account, name="Ada Lovelace", email="ada.lovelace@gmail.com")
    second = ContactFactory(
        sub_account=sub_account, name="Ada Lovelase", email="adalovelace+shop@gmail.com", phone="+14155552671"
    )
    ConversationFactory(contact=second, subject="Analytical engine order")
    return first, second


def test_a_merge_from_the_contact_page_and_its_undo(signed_in, live_server, sub_account, twins):
    first, second = twins
    page = signed_in
    page.goto(f"{live_server.url}/contacts/{first.pk}/")
    expect(page.get_by_role("heading", name="Possible duplicates")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Compare and merge Ada Lovelase").click()
    expect(page.get_by_role("heading", name="Which contact survives?")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("radio", name="+14155552671").check()
    page.get_by_role("button", name="Merge into Ada Lovelace").click()

    expect(page.locator("#flash")).to_contain_text("Merged 1 contact into Ada Lovelace")
    expect(page.get_by_role("link", name="Analytical engine order")).to_be_visible()
    assert Contact.objects.for_account(sub_account).get().phone == "+14155552671"
    assert axe_violations(page) == []

    page.get_by_role("button", name="Undo merge").click()
    expect(page.locator("#flash")).to_contain_text("Merge undone")
    assert Contact.objects.for_account(sub_account).count() == 2
    page.goto(f"{live_server.url}/contacts/{second.pk}/")
    expect(page.get_by_role("link", name="Analytical engine order")).to_be_visible()


def test_the_duplicates_list_passes_axe(signed_in, live_server, twins):
    signed_in.goto(f"{live_server.url}/identity/duplicates/")

    expect(signed_in.locator("#duplicates-summary")).to_contain_text("1 pair of contacts looks like")
    assert axe_violations(signed_in) == []


def test_the_timeline_line_of_a_merge_leads_to_its_page_and_its_undo(signed_in, live_server, sub_account, twins):
    from identity.services import contact_merge

    first, second = twins
    contact_merge(sub_account=sub_account, target_id=first.pk, source_ids=[second.pk])
    page = signed_in
    page.goto(f"{live_server.url}/contacts/{first.pk}/")

    page.locator("summary", has_text="Merged with Ada Lovelase").click()
    page.get_by_role("link", name="Open merge").click()
    expect(page.get_by_role("heading", name="Merged into Ada Lovelace")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Undo this merge").click()
    expect(page.locator("#flash")).to_contain_text("Merge undone")
