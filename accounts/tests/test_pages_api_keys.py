from http import HTTPStatus

import pytest
from django.urls import reverse

from accounts.models import APIKey
from accounts.services import api_key_create

pytestmark = pytest.mark.django_db


def test_an_agent_cannot_open_the_api_keys_page(staff_client):
    assert staff_client.get(reverse("api-keys")).status_code == HTTPStatus.FORBIDDEN


def test_an_agent_cannot_create_a_key(staff_client, sub_account):
    response = staff_client.post(reverse("api-keys"), {"name": "sneaky"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not APIKey.objects.filter(sub_account=sub_account, name="sneaky").exists()


def test_an_agent_has_no_api_keys_link(staff_client):
    assert reverse("api-keys") not in staff_client.get(reverse("contacts:list")).content.decode()


def test_an_admin_has_an_api_keys_link(admin_client_of_account):
    assert reverse("api-keys") in admin_client_of_account.get(reverse("contacts:list")).content.decode()


def test_the_list_shows_name_prefix_created_and_last_used(admin_client_of_account, sub_account):
    api_key, _ = api_key_create(sub_account=sub_account, name="Shop integration")
    html = admin_client_of_account.get(reverse("api-keys")).content.decode()
    assert "Shop integration" in html
    assert f"{api_key.display_prefix}…" in html
    assert "Never" in html  # last used


def test_the_list_leaves_out_other_sub_accounts_keys(admin_client_of_account, other_sub_account):
    api_key_create(sub_account=other_sub_account, name="Globex secret integration")
    assert "Globex secret integration" not in admin_client_of_account.get(reverse("api-keys")).content.decode()


def test_creating_a_key_shows_its_secret_once_with_a_copy_button(admin_client_of_account, sub_account):
    response = admin_client_of_account.post(reverse("api-keys"), {"name": "CRM sync"})
    assert response.status_code == HTTPStatus.CREATED
    raw_key = response.context["raw_key"]
    html = response.content.decode()
    assert raw_key in html
    assert "data-copy=" in html
    assert APIKey.objects.authenticate(raw_key).name == "CRM sync"
    assert "no-store" in response["Cache-Control"]
    assert raw_key not in admin_client_of_account.get(reverse("api-keys")).content.decode()


def test_a_key_without_a_name_is_refused_next_to_the_field(admin_client_of_account, sub_account):
    response = admin_client_of_account.post(reverse("api-keys"), {"name": ""})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert 'id="id_name_error"' in response.content.decode()
    assert not APIKey.objects.filter(sub_account=sub_account).exists()


def test_revoking_asks_first(admin_client_of_account, sub_account):
    api_key, _ = api_key_create(sub_account=sub_account, name="Old")
    response = admin_client_of_account.get(reverse("api-key-revoke", args=[api_key.pk]))
    assert response.status_code == HTTPStatus.OK
    assert "Revoke “Old”?" in response.content.decode()
    api_key.refresh_from_db()
    assert api_key.is_active


def test_revoking_stops_the_key_and_says_so(admin_client_of_account, sub_account):
    api_key, raw_key = api_key_create(sub_account=sub_account, name="Old")
    response = admin_client_of_account.post(reverse("api-key-revoke", args=[api_key.pk]), follow=True)
    assert "Revoked “Old”" in response.content.decode()
    assert APIKey.objects.authenticate(raw_key) is None


def test_another_sub_accounts_key_cannot_be_revoked(admin_client_of_account, other_sub_account):
    api_key, raw_key = api_key_create(sub_account=other_sub_account, name="Theirs")
    assert admin_client_of_account.get(reverse("api-key-revoke", args=[api_key.pk])).status_code == 404
    assert admin_client_of_account.post(reverse("api-key-revoke", args=[api_key.pk])).status_code == 404
    assert APIKey.objects.authenticate(raw_key) is not None


@pytest.mark.parametrize("keys", [1, 8])
def test_the_api_keys_page_costs_the_same_queries_whatever_the_number_of_keys(
    admin_client_of_account, sub_account, django_assert_num_queries, keys
):
    for number in range(keys):
        api_key_create(sub_account=sub_account, name=f"key {number}")
    # session, user, memberships, keys
    with django_assert_num_queries(4):
        assert admin_client_of_account.get(reverse("api-keys")).status_code == HTTPStatus.OK


def _form_token(client) -> str:
    return client.get(reverse("api-keys")).context["form_token"]


def test_sending_the_same_create_form_twice_creates_one_key(admin_client_of_account, sub_account):
    form = {"name": "CRM sync", "form_token": _form_token(admin_client_of_account)}
    admin_client_of_account.post(reverse("api-keys"), form)

    again = admin_client_of_account.post(reverse("api-keys"), form)

    assert again.status_code == HTTPStatus.FOUND
    assert APIKey.objects.filter(sub_account=sub_account).count() == 1


def test_the_page_showing_a_new_key_names_the_list_as_its_address(admin_client_of_account):
    form = {"name": "CRM sync", "form_token": _form_token(admin_client_of_account)}

    response = admin_client_of_account.post(reverse("api-keys"), form)

    assert f'data-replace-url="{reverse("api-keys")}"' in response.content.decode()


def test_two_forms_shown_separately_create_two_keys(admin_client_of_account, sub_account):
    for name in ("First", "Second"):
        admin_client_of_account.post(
            reverse("api-keys"), {"name": name, "form_token": _form_token(admin_client_of_account)}
        )

    assert APIKey.objects.filter(sub_account=sub_account).count() == 2
