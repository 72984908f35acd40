"""`make screenshots`: PNGs of the main staff pages for the README, from a small, fixed data set.

Not named test_*.py, so the test run does not collect it; `make screenshots` runs it by path.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from contacts.tests.factories import ContactFactory
from contacts.workspace_services import custom_field_definition_create, saved_view_create
from conversations.tests.factories import ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db(transaction=True)

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

PEOPLE = [
    ("Ada Lovelace", "ada@analytical.example", "+14155552671", ["vip", "beta"], {"plan": "enterprise", "seats": 40}),
    ("Grace Hopper", "grace@cobol.example", "+442079460958", ["vip"], {"plan": "pro"}),
    ("Alan Turing", "alan@bletchley.example", "+442071838750", ["partner"], {"plan": "pro"}),
    ("Katherine Johnson", "katherine@nasa.example", "+13035550147", ["newsletter"], {"plan": "starter"}),
    ("Tim Berners-Lee", "tim@w3.example", None, ["partner", "beta"], {}),
    ("Margaret Hamilton", "margaret@apollo.example", "+16175550123", ["vip", "wholesale"], {"plan": "enterprise"}),
    ("Linus Torvalds", "linus@kernel.example", "+358401234567", [], {"plan": "free"}),
    ("Hedy Lamarr", "hedy@spread.example", "+13105550199", ["frequent"], {"plan": "pro"}),
    ("Dennis Ritchie", "dmr@bell.example", None, ["newsletter"], {}),
    ("Barbara Liskov", "barbara@mit.example", "+16175550142", ["churn-risk"], {"plan": "starter"}),
]


@pytest.fixture
def data(sub_account, agent):
    custom_field_definition_create(
        sub_account=sub_account,
        key="plan",
        label="Plan",
        type="select",
        options=["free", "starter", "pro", "enterprise"],
        show_as_column=True,
    )
    custom_field_definition_create(sub_account=sub_account, key="seats", label="Seats", type="number")
    saved_view_create(
        sub_account=sub_account, owner_id=None, name="VIP customers", query="tag=vip&sort=name", shared=True
    )
    saved_view_create(
        sub_account=sub_account,
        owner_id=agent.pk,
        name="Enterprise or pro",
        query="custom_field_contains.plan=pr&columns=email,phone,tags,cf:plan",
    )
    contacts = [
        ContactFactory(sub_account=sub_account, name=n, email=e, phone=p, tags=t, custom_fields=c)
        for n, e, p, t, c in PEOPLE
    ]
    conversation = ConversationFactory(contact=contacts[0], subject="Invoice charged twice", channel="email")
    MessageFactory(conversation=conversation, body="Hi, my card was charged twice for invoice #1043. Can you check?")
    MessageFactory(
        conversation=conversation,
        body="Sorry about that, Ada. I can see the duplicate charge and have refunded it; it shows in 3–5 days.",
        direction="outbound",
        sender="agent",
    )
    MessageFactory(conversation=conversation, body="Thank you, that was quick!")
    ConversationFactory(contact=contacts[0], subject="Seats for the new team", channel="web_chat", messages=2)
    for contact, subject, channel in [
        (contacts[1], "Can I add a second admin?", "whatsapp"),
        (contacts[5], "Export to CSV fails", "email"),
        (contacts[3], "Pricing for 200 seats", "sms"),
    ]:
        MessageFactory(conversation=ConversationFactory(contact=contact, subject=subject, channel=channel))
    return contacts, conversation


def test_screenshots(signed_in, data):
    contacts, conversation = data
    OUT.mkdir(parents=True, exist_ok=True)
    page = signed_in
    page.reload()
    page.screenshot(path=str(OUT / "contacts-list.png"), full_page=True)
    page.goto(f"{page.base}/contacts/{contacts[0].pk}/")
    page.screenshot(path=str(OUT / "contact.png"), full_page=True)
    page.goto(f"{page.base}/contacts/new/")
    page.get_by_role("textbox", name="Name", exact=True).fill("Charles Babbage")
    page.get_by_label("Email").fill("ADA@analytical.example")
    page.get_by_label("Phone", exact=True).fill("555-01")
    page.get_by_role("button", name="Create contact").click()
    expect(page.locator("#id_phone_error")).to_be_visible()
    page.screenshot(path=str(OUT / "contact-form-error.png"), full_page=True)
    page.goto(f"{page.base}/conversations/{conversation.pk}/")
    page.screenshot(path=str(OUT / "conversation.png"), full_page=True)
    page.goto(f"{page.base}/")
    page.get_by_role("link", name="VIP customers").click()
    expect(page.locator(".views__count").first).not_to_be_empty()
    page.screenshot(path=str(OUT / "saved-view.png"), full_page=True)
    page.goto(f"{page.base}/conversations/")
    page.screenshot(path=str(OUT / "inbox.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{page.base}/")
    page.screenshot(path=str(OUT / "mobile-cards.png"), full_page=False)
