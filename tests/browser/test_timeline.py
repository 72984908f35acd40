"""The contact's timeline in a real browser: a note added, an entry expanded and restored, "Load more", axe."""

import pytest
from playwright.sync_api import expect

from contacts.history import ContactChange
from contacts.services import contact_update
from contacts.tests.factories import ContactFactory
from contacts.timeline import TIMELINE_PAGE_SIZE
from contacts_site.actions import acting
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def contact(sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada Lovelace", phone="+14155552671")
    with acting(source="api", api_key_id=1, actor_label="Zapier (ck_ab12cd34…)"):
        contact_update(contact=contact, phone="+16285550100")
    return contact


def _open(page, contact):
    page.goto(f"{page.base}/contacts/{contact.pk}/")
    return page.get_by_role("region", name="Timeline")


def test_a_note_added_on_the_contact_page_shows_on_its_timeline_with_its_link(signed_in, contact):
    timeline = _open(signed_in, contact)

    timeline.get_by_label("Add a note").fill("Asked for a callback.\nSee https://example.com/ticket/1")
    timeline.get_by_role("button", name="Add note").click()

    timeline = signed_in.get_by_role("region", name="Timeline")
    expect(signed_in.locator("#flash")).to_contain_text("Note added.")
    expect(timeline.get_by_role("link", name="https://example.com/ticket/1")).to_be_visible()
    expect(timeline.get_by_text("by browser-agent, via staff app")).to_be_visible()
    assert axe_violations(signed_in) == []


def test_an_entry_expands_and_its_restore_button_puts_the_old_phone_back(signed_in, contact):
    timeline = _open(signed_in, contact)
    line = timeline.get_by_text("Phone changed from +14155552671 to +16285550100")
    expect(timeline.get_by_text("by Zapier (ck_ab12cd34…), via API")).to_be_visible()

    line.click()  # the summary opens the entry's detail
    assert axe_violations(signed_in) == []  # expanded
    timeline.get_by_role("button", name="Restore Phone to +14155552671").click()

    expect(signed_in.get_by_text("Restored the earlier value.")).to_be_visible()
    expect(signed_in.get_by_role("region", name="Timeline").get_by_text("via revert").first).to_be_visible()
    newest = ContactChange.objects.for_account(contact.sub_account_id).of_contact(contact.pk).newest_first()[0]
    assert (newest.source, newest.changes["phone"]["to"]) == ("revert", "+14155552671")


def test_load_more_appends_the_older_entries_in_place(signed_in, contact):
    for number in range(TIMELINE_PAGE_SIZE):
        contact_update(contact=contact, name=f"Ada {number}")
    timeline = _open(signed_in, contact)
    entries = timeline.locator("li.timeline__entry")
    expect(entries).to_have_count(TIMELINE_PAGE_SIZE)

    timeline.get_by_role("link", name="Load more").click()

    expect(entries).to_have_count(TIMELINE_PAGE_SIZE + 2)  # the rest: the phone change and the creation
    expect(timeline.get_by_role("link", name="Load more")).to_have_count(0)
    assert signed_in.url.endswith(f"/contacts/{contact.pk}/")  # swapped in, not navigated
    assert axe_violations(signed_in) == []
