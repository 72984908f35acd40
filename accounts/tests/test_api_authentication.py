from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import APIKey, SubAccount, hash_api_key
from accounts.services import api_key_create, api_key_revoke

pytestmark = pytest.mark.django_db

CONTACTS_URL = reverse("contact-list")


def _client(header: str | None) -> APIClient:
    client = APIClient()
    if header is not None:
        client.credentials(HTTP_AUTHORIZATION=header)
    return client


def test_a_request_without_a_key_is_unauthenticated():
    response = _client(None).get(CONTACTS_URL)

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["error"]["code"] == "unauthenticated"
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header",
    ["Token ck_abc", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer ck_a b", "ck_only_the_key"],
)
def test_a_malformed_authorization_header_is_unauthenticated(header):
    response = _client(header).get(CONTACTS_URL)

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["error"]["code"] == "unauthenticated"


def test_an_unknown_key_is_unauthenticated(sub_account):
    response = _client("Bearer ck_" + "x" * 43).get(CONTACTS_URL)

    assert response.status_code == HTTPStatus.UNAUTHORIZED


def test_a_key_with_a_known_prefix_but_wrong_secret_is_unauthenticated(sub_account):
    _, raw_key = api_key_create(sub_account=sub_account)
    tampered = raw_key[:-4] + ("AAAA" if not raw_key.endswith("AAAA") else "BBBB")

    response = _client(f"Bearer {tampered}").get(CONTACTS_URL)

    assert response.status_code == HTTPStatus.UNAUTHORIZED


def test_a_revoked_key_is_unauthenticated_on_the_next_request(sub_account):
    api_key, raw_key = api_key_create(sub_account=sub_account)
    client = _client(f"Bearer {raw_key}")
    assert client.get(CONTACTS_URL).status_code == HTTPStatus.OK

    api_key_revoke(api_key=api_key)

    assert client.get(CONTACTS_URL).status_code == HTTPStatus.UNAUTHORIZED


def test_a_valid_key_authenticates_and_records_when_it_was_used(sub_account):
    api_key, raw_key = api_key_create(sub_account=sub_account)

    response = _client(f"Bearer {raw_key}").get(CONTACTS_URL)

    assert response.status_code == HTTPStatus.OK
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None
    assert timezone.now() - api_key.last_used_at < timezone.timedelta(minutes=1)


def test_keys_have_the_documented_format_and_only_their_hash_is_stored(sub_account):
    api_key, raw_key = api_key_create(sub_account=sub_account)

    assert raw_key.startswith("ck_")
    assert len(raw_key) - len("ck_") >= 32
    stored = APIKey.objects.get(pk=api_key.pk)
    assert stored.secret_hash == hash_api_key(raw_key)
    assert raw_key not in {str(value) for value in stored.__dict__.values()}
    assert raw_key.startswith(stored.display_prefix)


def test_create_api_key_creates_the_sub_account_and_prints_a_working_key_last(capsys):
    call_command("create_api_key", "new-shop", "--name", "Zapier")

    last_line = capsys.readouterr().out.strip().splitlines()[-1]
    sub_account = SubAccount.objects.get(slug="new-shop")
    assert APIKey.objects.get(sub_account=sub_account).name == "Zapier"
    assert _client(f"Bearer {last_line}").get(CONTACTS_URL).status_code == HTTPStatus.OK


def test_create_api_key_reuses_an_existing_sub_account(sub_account, capsys):
    call_command("create_api_key", sub_account.slug)

    assert SubAccount.objects.filter(slug=sub_account.slug).count() == 1
    assert sub_account.api_keys.count() == 1


def test_a_key_is_read_with_its_sub_account_in_one_query(sub_account, django_assert_num_queries):
    api_key, raw_key = api_key_create(
        sub_account=sub_account, name="CRM", expires_at=timezone.now() + timedelta(days=1)
    )

    with django_assert_num_queries(1):
        found = APIKey.objects.authenticate(raw_key)
        account = found.sub_account

    assert (found.pk, found.name, found.expires_at) == (api_key.pk, "CRM", api_key.expires_at)
    assert (account.pk, account.slug, account.created_at) == (sub_account.pk, sub_account.slug, sub_account.created_at)
