"""The contact list's pager when its total is a lower bound ("500+ contacts match"), in a real Chromium."""

import re

import pytest
from playwright.sync_api import expect

from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from contacts_site import pagination
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def forty_vips_past_a_cap_of_30(sub_account, monkeypatch):
    """40 matches of a filter counted up to 30 (the live server runs in this process, so it sees the cap)."""
    monkeypatch.setattr(pagination, "TOTAL_COUNT_CAP", 30)
    for number in range(40):
        ContactFactory(sub_account=sub_account, name=f"Person {number:02d}", tags=["vip"])


def _rows(page):
    return page.locator("#results tbody tr")


def test_a_bounded_list_pages_on_by_next_and_back_by_the_browser(signed_in, forty_vips_past_a_cap_of_30):
    signed_in.goto(f"{signed_in.base}/?tag=vip&sort=name")
    expect(signed_in.locator("#result-count")).to_have_text(re.compile(r"^30\+ contacts match · showing 1–25"))
    pager = signed_in.get_by_role("navigation", name="Pagination")
    expect(pager.locator("li")).to_have_text(["‹ Previous", "1", "2", "…", "Next ›"])
    assert axe_violations(signed_in) == []

    pager.get_by_role("link", name="Next ›").click()

    expect(signed_in).to_have_url(re.compile(r"page=2&after="))
    expect(signed_in.locator("#result-count")).to_have_text(re.compile(r"^40 contacts match · showing 26–40"))
    expect(_rows(signed_in).first).to_contain_text("Person 25")
    expect(pager.locator("li")).to_have_text(["‹ Previous", "1", "2", "Next ›"])
    assert axe_violations(signed_in) == []
    signed_in.go_back()
    expect(_rows(signed_in).first).to_contain_text("Person 00")


def test_deleting_all_of_a_bounded_list_confirms_its_exact_count_first(signed_in, forty_vips_past_a_cap_of_30):
    signed_in.goto(f"{signed_in.base}/?tag=vip")
    signed_in.get_by_label(re.compile("Select all .* on this page")).check()
    signed_in.get_by_role("button", name="Select all matching contacts").click()
    expect(signed_in.locator("[data-selection-status]")).to_have_text("30+ selected (all matching)")
    signed_in.get_by_label("Action").select_option("delete")
    signed_in.get_by_role("button", name="Apply").click()

    expect(signed_in.get_by_role("heading", level=1)).to_have_text("Delete 40 contacts?")
    signed_in.get_by_role("button", name="Delete 40 contacts").click()
    expect(signed_in.locator("#flash")).to_contain_text("Deleted 40 contacts.")
    assert not Contact.objects.unscoped().exists()
