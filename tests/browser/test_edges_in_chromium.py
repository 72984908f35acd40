"""What only a real browser shows: the viewer's time zone reaching the server, and reloading a page that
answered a POST. The other browser tests run in UTC, where a time zone that never arrives goes unnoticed."""

import pytest

from accounts.models import APIKey
from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from tests.browser.conftest import log_in
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tokyo_page(browser, live_server, agent):
    """A browser in Tokyo, logged in through the login form."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Asia/Tokyo")
    context.set_default_timeout(10_000)
    yield log_in(context.new_page(), live_server, agent)
    context.close()


def test_a_viewer_in_tokyo_sees_times_in_tokyo_time(tokyo_page, sub_account):
    contact = ContactFactory(sub_account=sub_account)
    Contact.objects.unscoped().filter(pk=contact.pk).update(created_at="2026-01-15T23:30:00Z")

    tokyo_page.goto(f"{tokyo_page.base}/contacts/{contact.pk}/")

    assert "Jan 16, 2026, 08:30 JST" in tokyo_page.content()


def test_reloading_the_page_that_shows_a_new_api_key_creates_no_second_key(signed_in, sub_account):
    signed_in.get_by_role("link", name="API keys").click()
    signed_in.get_by_label("Key name").fill("Shop")
    signed_in.get_by_role("button", name="Create key").click()
    assert signed_in.get_by_label("New API key").input_value().startswith("ck_")

    signed_in.reload()

    assert APIKey.objects.filter(sub_account=sub_account, name="Shop").count() == 1


def test_reloading_the_page_that_shows_a_new_webhook_secret_creates_no_second_endpoint(
    signed_in, sub_account, settings
):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOKS_ALLOW_HTTP = True
    signed_in.get_by_role("navigation", name="Main").get_by_role("link", name="Webhooks").click()
    signed_in.get_by_role("link", name="Add endpoint").click()
    signed_in.get_by_label("Endpoint URL").fill("https://hooks.example.com/reload")
    signed_in.get_by_label("All events, including ones added later").check()
    signed_in.get_by_role("button", name="Add endpoint").click()
    assert signed_in.get_by_role("textbox", name="Signing secret").input_value().startswith("whsec_")

    signed_in.reload()

    assert Endpoint.objects.for_account(sub_account).count() == 1
