"""What a support agent does all day, in a real Chromium: the issue's list of journeys."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from conversations.models import Message
from conversations.tests.factories import ConversationFactory, MessageFactory
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


def test_logging_in_lands_on_the_contact_list(signed_in, sub_account):
    expect(signed_in.get_by_role("heading", name="Contacts", level=1)).to_be_visible()
    expect(signed_in.locator("header")).to_contain_text(sub_account.name)
    expect(signed_in.get_by_role("status").filter(has_text="contacts")).to_have_text(re.compile("0 contacts"))


def test_search_updates_as_you_type_keeping_focus_and_the_url(signed_in, sub_account):
    ContactFactory(sub_account=sub_account, name="Ada Lovelace", phone="+14155552671")
    ContactFactory(sub_account=sub_account, name="Charles Babbage")
    signed_in.reload()
    search = signed_in.get_by_label("Search contacts")
    search.press_sequentially("(415) 555", delay=30)
    expect(signed_in).to_have_url(re.compile(r"\?q=(\(|%28)415(\)|%29)(%20|\+)555$"))
    expect(signed_in.locator("#results tbody tr")).to_have_count(1)
    expect(signed_in.locator("#results")).to_contain_text("Ada Lovelace")
    expect(signed_in.locator("#result-count")).to_have_text(re.compile("^1 contact matches"))
    expect(search).to_be_focused()
    assert search.evaluate("el => el.selectionStart") == len("(415) 555")


def test_slash_jumps_to_the_search_box(signed_in):
    signed_in.locator("body").press("/")
    expect(signed_in.get_by_label("Search contacts")).to_be_focused()


def test_filtering_by_tag_shows_a_removable_chip(signed_in, sub_account):
    ContactFactory(sub_account=sub_account, name="Vip Person", tags=["vip"])
    ContactFactory(sub_account=sub_account, name="Plain Person")
    signed_in.reload()
    signed_in.get_by_label("Filter by tag").select_option("vip")
    expect(signed_in).to_have_url(re.compile(r"tag=vip"))
    expect(signed_in.locator("#results tbody tr")).to_have_count(1)
    expect(signed_in.locator("#results")).to_contain_text("Vip Person")
    signed_in.get_by_role("button", name="Remove tag filter vip").click()
    expect(signed_in.locator("#results tbody tr")).to_have_count(2)
    assert "tag=" not in signed_in.url


def test_back_from_a_contact_restores_the_same_page_of_the_list(signed_in, sub_account):
    for number in range(30):
        ContactFactory(sub_account=sub_account, name=f"Person {number:02d}")
    signed_in.reload()
    signed_in.get_by_role("button", name="Name").click()
    expect(signed_in).to_have_url(re.compile(r"sort=name"))
    signed_in.get_by_role("link", name="Next ›").click()
    expect(signed_in).to_have_url(re.compile(r"page=2"))
    first_row = signed_in.locator("#results tbody tr").first
    expect(first_row).to_contain_text("Person 25")
    first_row.get_by_role("link").click()
    expect(signed_in.get_by_role("heading", level=1)).to_have_text("Person 25")
    signed_in.go_back()
    expect(signed_in.locator("#results tbody tr").first).to_contain_text("Person 25")
    expect(signed_in.locator("th[aria-sort]")).to_have_count(1)


def test_creating_a_contact_with_a_bad_phone_shows_the_error_then_saves_when_fixed(signed_in, sub_account):
    signed_in.get_by_role("link", name="New contact").click()
    signed_in.get_by_role("textbox", name="Name", exact=True).fill("Grace Hopper")
    signed_in.get_by_label("Email").fill("grace@example.com")
    signed_in.get_by_label("Phone", exact=True).fill("12")
    signed_in.get_by_role("button", name="Create contact").click()
    phone = signed_in.get_by_label("Phone", exact=True)
    expect(signed_in.locator("#id_phone_error")).to_have_text(re.compile("Enter a valid phone number"))
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_be_focused()
    expect(signed_in.get_by_label("Email")).to_have_value("grace@example.com")
    phone.fill("(415) 555-2671")
    signed_in.get_by_role("button", name="Create contact").click()
    expect(signed_in.get_by_role("heading", level=1)).to_have_text("Grace Hopper")
    expect(signed_in.locator("main")).to_contain_text("+14155552671")
    assert Contact.objects.get(sub_account=sub_account).phone == "+14155552671"


def test_editing_tags_by_keyboard(signed_in, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada", tags=["old", "keep"])
    signed_in.goto(f"{signed_in.base}/contacts/{contact.pk}/edit/")
    signed_in.get_by_role("button", name="Remove tag old").click()
    tag_input = signed_in.get_by_label("Add a tag")
    expect(tag_input).to_be_focused()
    tag_input.fill("VIP")
    tag_input.press("Enter")
    expect(signed_in.get_by_role("button", name="Remove tag vip")).to_be_visible()
    signed_in.get_by_role("button", name="Save changes").click()
    expect(signed_in.get_by_role("heading", level=1)).to_have_text("Ada")
    contact.refresh_from_db()
    assert contact.tag_names == ["keep", "vip"]


def test_adding_a_custom_field(signed_in, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada", custom_fields={"plan": "pro"})
    signed_in.goto(f"{signed_in.base}/contacts/{contact.pk}/edit/")
    signed_in.get_by_role("button", name="Add field").click()
    rows = signed_in.locator("[data-kv-row]")
    expect(rows).to_have_count(2)
    new_key = rows.nth(1).get_by_label("Field name")
    expect(new_key).to_be_focused()
    new_key.fill("company")
    rows.nth(1).get_by_label("Value").fill("Analytical Engines Ltd")
    signed_in.get_by_role("button", name="Save changes").click()
    expect(signed_in.locator("main")).to_contain_text("Analytical Engines Ltd")
    contact.refresh_from_db()
    assert contact.custom_fields == {"plan": "pro", "company": "Analytical Engines Ltd"}


def test_a_duplicate_custom_field_name_is_flagged_as_it_is_typed(signed_in, sub_account):
    contact = ContactFactory(sub_account=sub_account, custom_fields={"plan": "pro"})
    signed_in.goto(f"{signed_in.base}/contacts/{contact.pk}/edit/")
    signed_in.get_by_role("button", name="Add field").click()
    signed_in.locator("[data-kv-row]").nth(1).get_by_label("Field name").fill("plan")
    expect(signed_in.locator("main")).to_contain_text("“plan” is already used by another field above.")


def test_bulk_tagging_three_contacts(signed_in, sub_account):
    contacts = [ContactFactory(sub_account=sub_account, name=f"Bulk {n}") for n in range(4)]
    signed_in.reload()
    for contact in contacts[:3]:
        signed_in.get_by_label(f"Select {contact.name}").check()
    expect(signed_in.locator("[data-selection-status]")).to_have_text("3 selected")
    expect(signed_in.locator("[data-bulkbar]")).to_have_class(re.compile("is-active"))
    signed_in.get_by_label("Action").select_option("add_tag")
    signed_in.get_by_label("Tag", exact=True).fill("q3-campaign")
    signed_in.get_by_role("button", name="Apply").click()
    expect(signed_in.locator("#flash")).to_contain_text("Added tag “q3-campaign” to 3 contacts.")
    tagged = Contact.objects.unscoped().filter(tagged_items__tag__name="q3-campaign")
    assert sorted(tagged.values_list("name", flat=True)) == ["Bulk 0", "Bulk 1", "Bulk 2"]


def test_select_all_matching_then_delete_confirms_with_the_count(signed_in, sub_account):
    for number in range(30):
        ContactFactory(sub_account=sub_account, name=f"Old {number}", tags=["stale"])
    ContactFactory(sub_account=sub_account, name="Keeper")
    signed_in.goto(f"{signed_in.base}/?tag=stale")
    signed_in.get_by_label(re.compile("Select all .* on this page")).check()
    signed_in.get_by_role("button", name="Select all 30 matching contacts").click()
    expect(signed_in.locator("[data-selection-status]")).to_have_text("30 selected (all matching)")
    signed_in.get_by_label("Action").select_option("delete")
    expect(signed_in.get_by_label("Tag", exact=True)).to_be_hidden()
    signed_in.get_by_role("button", name="Apply").click()
    expect(signed_in.get_by_role("heading", level=1)).to_have_text("Delete 30 contacts?")
    signed_in.get_by_role("button", name="Delete 30 contacts").click()
    expect(signed_in.locator("#flash")).to_contain_text("Deleted 30 contacts.")
    assert list(Contact.objects.unscoped().values_list("name", flat=True)) == ["Keeper"]


def test_deleting_one_contact(signed_in, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Short Lived")
    signed_in.goto(f"{signed_in.base}/contacts/{contact.pk}/")
    signed_in.get_by_role("link", name="Delete").click()
    signed_in.get_by_role("button", name="Delete contact").click()
    expect(signed_in.locator("#flash")).to_contain_text("Deleted Short Lived.")
    assert not Contact.objects.unscoped().filter(pk=contact.pk).exists()


def test_replying_in_a_conversation(signed_in, sub_account):
    conversation = ConversationFactory(contact=ContactFactory(sub_account=sub_account, name="Ada"), subject="Late")
    MessageFactory(conversation=conversation, body="Where is my order?")
    signed_in.goto(f"{signed_in.base}/conversations/{conversation.pk}/")
    reply = signed_in.get_by_label("Reply")
    reply.fill("It ships today.")
    signed_in.get_by_role("button", name="Send reply").click()
    expect(signed_in.locator("#flash")).to_contain_text("Reply sent.")
    expect(signed_in.get_by_role("log").locator(".message--outbound")).to_contain_text("It ships today.")
    assert (
        Message.objects.unscoped().filter(conversation=conversation, direction="outbound", sender="agent").count() == 1
    )


def test_a_reply_draft_stays_with_its_conversation(signed_in, sub_account):
    conversation = ConversationFactory(contact=ContactFactory(sub_account=sub_account))
    url = f"{signed_in.base}/conversations/{conversation.pk}/"
    signed_in.goto(url)
    signed_in.get_by_label("Reply").press_sequentially("half a thought")
    signed_in.goto(signed_in.base + "/")
    signed_in.goto(url)
    expect(signed_in.get_by_label("Reply")).to_have_value("half a thought")


def test_a_new_api_key_is_shown_once(signed_in):
    signed_in.get_by_role("link", name="API keys").click()
    signed_in.get_by_label("Key name").fill("Shop")
    signed_in.get_by_role("button", name="Create key").click()
    secret = signed_in.get_by_label("New API key").input_value()
    assert secret.startswith("ck_")
    signed_in.goto(signed_in.url)
    assert secret not in signed_in.content()
    signed_in.get_by_role("link", name="Revoke Shop").click()
    signed_in.get_by_role("button", name="Revoke key").click()
    expect(signed_in.locator("#flash")).to_contain_text("Revoked “Shop”")


def test_the_pages_have_no_script_errors(signed_in, sub_account):
    contact = ContactFactory(sub_account=sub_account, tags=["vip"])
    conversation = ConversationFactory(contact=contact, messages=1)
    for path in [
        "/",
        reverse("contacts:detail", args=[contact.pk]),
        reverse("contacts:edit", args=[contact.pk]),
        reverse("conversations:detail", args=[conversation.pk]),
    ]:
        signed_in.goto(signed_in.base + path)
    assert signed_in.errors == []


# ---- accessibility: axe-core's WCAG 2.x A/AA rules on each main page, and again after an htmx swap


@pytest.fixture
def sample(sub_account):
    contact = ContactFactory(
        sub_account=sub_account, name="Ada Lovelace", phone="+14155552671", tags=["vip"], custom_fields={"plan": "pro"}
    )
    ContactFactory(sub_account=sub_account, name="Charles Babbage", tags=["beta"])
    conversation = ConversationFactory(contact=contact, subject="Order late")
    MessageFactory(conversation=conversation, body="Where is it?")
    return contact, conversation


def test_the_login_page_passes_axe(page, live_server):
    page.goto(f"{live_server.url}/account/login/")
    assert axe_violations(page) == []


def test_the_list_passes_axe_before_and_after_a_search(signed_in, sample):
    signed_in.reload()
    assert axe_violations(signed_in) == []
    signed_in.get_by_label("Search contacts").fill("ada")
    expect(signed_in.locator("#results tbody tr")).to_have_count(1)
    signed_in.get_by_label("Select Ada Lovelace").check()
    assert axe_violations(signed_in) == []
    signed_in.get_by_label("Search contacts").fill("nobody-at-all")
    expect(signed_in.locator("#results")).to_contain_text("No matches")
    assert axe_violations(signed_in) == []


def test_the_contact_page_passes_axe(signed_in, sample):
    contact, _ = sample
    signed_in.goto(f"{signed_in.base}/contacts/{contact.pk}/")
    assert axe_violations(signed_in) == []


def test_the_form_with_errors_passes_axe(signed_in, sample):
    signed_in.goto(f"{signed_in.base}/contacts/new/")
    signed_in.get_by_label("Phone", exact=True).fill("12")
    signed_in.get_by_role("button", name="Create contact").click()
    expect(signed_in.locator("#id_phone_error")).to_be_visible()
    assert axe_violations(signed_in) == []


def test_the_conversation_page_passes_axe(signed_in, sample):
    _, conversation = sample
    signed_in.goto(f"{signed_in.base}/conversations/{conversation.pk}/")
    assert axe_violations(signed_in) == []


def test_the_api_keys_page_with_a_new_key_passes_axe(signed_in):
    signed_in.goto(f"{signed_in.base}/account/api-keys/")
    signed_in.get_by_label("Key name").fill("Shop")
    signed_in.get_by_role("button", name="Create key").click()
    assert axe_violations(signed_in) == []


def test_the_list_works_on_a_phone_sized_screen(signed_in, sample):
    signed_in.set_viewport_size({"width": 375, "height": 740})
    signed_in.reload()
    signed_in.get_by_label("Search contacts").fill("ada")
    expect(signed_in.locator("#results tbody tr")).to_have_count(1)
    assert axe_violations(signed_in) == []
