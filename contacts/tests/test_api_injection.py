"""Hostile text is data: script tags, attribute breakers, template and SQL syntax round-trip as plain text."""

from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils.html import escape

from contacts.models import Contact
from contacts.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

CONTACTS_URL = reverse("contact-list")

PAYLOADS = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "{{7*7}}",
    "{% debug %}${7*7}",
    "'; DROP TABLE contacts_contact; --",
    "1' OR '1'='1",
    'Robert"); DELETE FROM accounts_apikey; --',
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_text_round_trips_unchanged_through_the_api(api_client, payload):
    body = {"name": payload, "tags": [payload.lower()[:50]], "custom_fields": {payload[:64]: payload}}

    created = api_client.post(CONTACTS_URL, body, format="json")
    read = api_client.get(reverse("contact-detail", args=[created.json()["id"]]))

    assert created.status_code == HTTPStatus.CREATED
    assert read["Content-Type"] == "application/json"
    assert read.json()["name"] == payload
    assert read.json()["tags"] == [payload.lower()[:50].strip()]
    assert read.json()["custom_fields"] == {payload[:64]: payload}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_text_is_searched_for_literally(api_client, sub_account, payload):
    ContactFactory(sub_account=sub_account, name="Plain Ada")
    target = ContactFactory(sub_account=sub_account, name=f"Has {payload} inside")

    listed = api_client.get(CONTACTS_URL, {"search": payload}).json()
    searched = api_client.get(reverse("contact-search"), {"q": payload}).json()
    tagged = api_client.get(CONTACTS_URL, {"tag": payload}).json()

    assert [contact["id"] for contact in listed["data"]] == [target.pk]
    assert [contact["id"] for contact in searched["data"]] == [target.pk]
    assert tagged["data"] == []
    assert Contact.objects.unscoped().count() == 2  # nothing was dropped or deleted


def test_api_answers_are_never_sniffed_as_html(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="<script>alert(1)</script>")

    response = api_client.get(reverse("contact-detail", args=[contact.pk]))

    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_text_is_shown_escaped_in_the_admin(admin_client, sub_account, payload):
    contact = ContactFactory(sub_account=sub_account, name=payload, custom_fields={"note": payload})

    page = admin_client.get(f"/admin/contacts/contact/{contact.pk}/change/").content.decode()
    listing = admin_client.get("/admin/contacts/contact/").content.decode()

    for html in (page, listing):
        assert escape(payload) in html  # shown, as text: escaped, and templates in it never evaluated
        assert "<script>alert" not in html
        assert "<img src=x" not in html


def test_a_form_post_without_a_csrf_token_is_refused(client, admin_user):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin_user)

    response = strict.post("/admin/contacts/contact/add/", {"name": "Ada"})

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not Contact.objects.unscoped().exists()


def test_the_login_form_refuses_a_post_without_a_csrf_token():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "a", "password": "b"})

    assert response.status_code == HTTPStatus.FORBIDDEN
