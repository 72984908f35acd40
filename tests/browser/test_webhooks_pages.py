"""The Webhooks page in a real browser: add an endpoint, see its secret once, send a test, read the log."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, axe_violations
from webhooks.tests.receiver import Receiver
from webhooks.worker import Worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def loopback_targets(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOKS_ALLOW_HTTP = True


def _add_endpoint(page, url: str) -> str:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Webhooks").click()
    page.get_by_role("link", name="Add endpoint").click()
    page.get_by_label("Endpoint URL").fill(url)
    page.get_by_label("Description").fill("CRM sync")
    page.get_by_label("All events, including ones added later").check()
    page.get_by_role("button", name="Add endpoint").click()
    return page.get_by_role("textbox", name="Signing secret").input_value()


def test_adding_an_endpoint_then_sending_a_test_event_shows_in_the_log(signed_in):
    with Receiver(statuses=[500]) as receiver:
        secret = _add_endpoint(signed_in, receiver.url)
        assert secret.startswith("whsec_")
        signed_in.goto(signed_in.url)
        assert secret not in signed_in.content()

        signed_in.get_by_role("button", name="Send test event").click()
        expect(signed_in.locator("#flash")).to_contain_text("Test event queued")
        Worker(threads=1, once=True).run()
        signed_in.reload()

    expect(signed_in.get_by_text("HTTP 500").first).to_be_visible()
    signed_in.get_by_text("1 attempt").click()
    expect(signed_in.get_by_text("thanks")).to_be_visible()
    assert len(receiver.verified(secret)) == 1


def test_the_webhooks_pages_pass_axe(signed_in):
    with Receiver(statuses=[503], body=b"maintenance") as receiver:
        _add_endpoint(signed_in, receiver.url)
        assert axe_violations(signed_in) == []  # the detail page with the new secret
        signed_in.get_by_role("button", name="Send test event").click()
        Worker(threads=1, once=True).run()
        signed_in.reload()
        signed_in.locator("details summary").first.click()
        assert axe_violations(signed_in) == []  # the log with an attempt opened
        ARTIFACTS.mkdir(exist_ok=True)
        signed_in.screenshot(path=str(ARTIFACTS / "webhooks-detail.png"), full_page=True)

    signed_in.get_by_role("navigation", name="Main").get_by_role("link", name="Webhooks").click()
    assert axe_violations(signed_in) == []
    signed_in.screenshot(path=str(ARTIFACTS / "webhooks-list.png"), full_page=True)

    signed_in.get_by_role("link", name="Add endpoint").click()
    signed_in.get_by_role("button", name="Add endpoint").click()
    expect(signed_in.get_by_text("Pick at least one event type.")).to_be_visible()
    assert axe_violations(signed_in) == []
    signed_in.screenshot(path=str(ARTIFACTS / "webhooks-form-errors.png"), full_page=True)
