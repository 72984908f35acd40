"""API keys: optional expiry, revocation effective on the next request, never stored or logged in clear."""

import logging
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import APIKey
from accounts.services import api_key_create, api_key_revoke

pytestmark = pytest.mark.django_db

CONTACTS_URL = reverse("contact-list")


def _client(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return client


def test_a_key_past_its_expiry_is_unauthenticated(sub_account):
    api_key, raw_key = api_key_create(sub_account=sub_account)
    api_key.expires_at = timezone.now() - timedelta(seconds=1)
    api_key.save()

    response = _client(raw_key).get(CONTACTS_URL)

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_key_before_its_expiry_works(sub_account):
    api_key, raw_key = api_key_create(sub_account=sub_account)
    api_key.expires_at = timezone.now() + timedelta(days=30)
    api_key.save()

    assert _client(raw_key).get(CONTACTS_URL).status_code == HTTPStatus.OK


def test_a_key_stops_working_the_moment_it_expires(sub_account, monkeypatch):
    api_key, raw_key = api_key_create(sub_account=sub_account)
    api_key.expires_at = timezone.now() + timedelta(minutes=5)
    api_key.save()
    client = _client(raw_key)
    assert client.get(CONTACTS_URL).status_code == HTTPStatus.OK

    later = timezone.now() + timedelta(minutes=5, seconds=1)
    monkeypatch.setattr("accounts.models.timezone.now", lambda: later)

    assert client.get(CONTACTS_URL).status_code == HTTPStatus.UNAUTHORIZED


def test_a_key_without_expiry_never_expires(sub_account):
    api_key, _ = api_key_create(sub_account=sub_account)

    assert api_key.expires_at is None
    assert api_key.is_active


def test_revocation_takes_effect_on_the_very_next_request(sub_account):
    api_key, raw_key = api_key_create(sub_account=sub_account)
    client = _client(raw_key)
    assert client.get(CONTACTS_URL).status_code == HTTPStatus.OK

    api_key_revoke(api_key=api_key)

    assert client.get(CONTACTS_URL).status_code == HTTPStatus.UNAUTHORIZED


def test_the_key_is_stored_only_as_a_hash(sub_account):
    api_key, raw_key = api_key_create(sub_account=sub_account)

    stored = APIKey.objects.filter(pk=api_key.pk).values().get()

    assert all(raw_key not in str(value) for value in stored.values())
    assert raw_key[3:] not in str(stored)


def test_no_log_line_ever_holds_a_key(sub_account, caplog, monkeypatch):
    """Everything logged while a key is used well, badly, after revocation, and in a server error."""
    api_key, raw_key = api_key_create(sub_account=sub_account)
    client = _client(raw_key)
    with caplog.at_level(logging.DEBUG):
        client.get(CONTACTS_URL)
        client.get(reverse("contact-detail", args=["ct_missing"]))
        client.post(CONTACTS_URL, {"name": ""}, format="json")
        _client(raw_key[:-2] + "zz").get(CONTACTS_URL)
        monkeypatch.setattr("contacts.api.contact_to_dict", lambda contact: 1 / 0)
        client.post(CONTACTS_URL, {"name": "Ada"}, format="json")
        api_key_revoke(api_key=api_key)
        client.get(CONTACTS_URL)

    assert caplog.records, "the requests above must have logged something for this test to mean anything"
    logged = "\n".join(caplog.text.splitlines() + [repr(record.__dict__) for record in caplog.records])
    assert "Internal Server Error" in logged
    assert raw_key not in logged
    assert raw_key[len("ck_") + 8 :] not in logged  # not even the secret part without the visible prefix
    assert "Bearer" not in logged


def test_the_command_can_create_an_expiring_key(sub_account):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("create_api_key", sub_account.slug, "--expires-in-days", "7", stdout=out)

    api_key = APIKey.objects.get(prefix=out.getvalue().strip().splitlines()[-1][3:11])
    assert timedelta(days=6, hours=23) < api_key.expires_at - timezone.now() <= timedelta(days=7)
