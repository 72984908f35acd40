from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import DEFAULT_PASSWORD
from contacts.tests.factories import ContactFactory
from conversations.tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db


def test_the_login_page_has_labelled_fields_and_a_csrf_token(client):
    response = client.get(reverse("login"))
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert "csrfmiddlewaretoken" in html


def test_logging_in_lands_on_the_contacts_list_of_the_users_sub_account(client, staff_user, sub_account):
    response = client.post(reverse("login"), {"username": "agent", "password": DEFAULT_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert response.status_code == HTTPStatus.OK
    assert sub_account.name in response.content.decode()


def test_a_wrong_password_says_so_and_keeps_the_user_out(client, staff_user):
    response = client.post(reverse("login"), {"username": "agent", "password": "wrong"})
    assert response.status_code == HTTPStatus.OK
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_session_cookie_is_http_only(client, staff_user):
    response = client.post(reverse("login"), {"username": "agent", "password": DEFAULT_PASSWORD})
    assert response.cookies["sessionid"]["httponly"] is True


def test_logging_out_takes_a_post_and_ends_the_session(staff_client):
    response = staff_client.post(reverse("logout"))
    assert response.status_code == HTTPStatus.FOUND
    assert staff_client.get(reverse("contacts:list")).status_code == HTTPStatus.FOUND


def test_login_without_a_csrf_token_is_refused(staff_user):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "agent", "password": DEFAULT_PASSWORD})
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_a_contact_form_post_without_a_csrf_token_is_refused(staff_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    response = client.post(reverse("contacts:create"), {"name": "Ada"})
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_changing_the_password_works_and_confirms(staff_client, staff_user):
    response = staff_client.post(
        reverse("password_change"),
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("password_change_done")
    staff_user.refresh_from_db()
    assert staff_user.check_password("a-new-long-passphrase")


def test_a_wrong_old_password_is_shown_next_to_its_field(staff_client):
    response = staff_client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"},
    )
    html = response.content.decode()
    assert 'id="id_old_password_error"' in html
    assert 'aria-invalid="true"' in html


def _every_page(sub_account):
    contact = ContactFactory(sub_account=sub_account)
    conversation = ConversationFactory(contact=contact)
    return [
        ("get", "/"),
        ("get", reverse("contacts:create")),
        ("post", reverse("contacts:create")),
        ("get", reverse("contacts:detail", args=[contact.pk])),
        ("get", reverse("contacts:edit", args=[contact.pk])),
        ("post", reverse("contacts:edit", args=[contact.pk])),
        ("get", reverse("contacts:delete", args=[contact.pk])),
        ("post", reverse("contacts:delete", args=[contact.pk])),
        ("post", reverse("contacts:bulk")),
        ("get", reverse("conversations:detail", args=[conversation.pk])),
        ("post", reverse("conversations:reply", args=[conversation.pk])),
        ("post", reverse("conversations:update", args=[conversation.pk])),
        ("get", reverse("api-keys")),
        ("post", reverse("api-keys")),
        ("get", reverse("api-key-revoke", args=[1])),
        ("post", reverse("sub-account-switch")),
        ("get", reverse("password_change")),
    ]


def test_every_staff_page_sends_an_anonymous_visitor_to_the_login_page(client, sub_account):
    for method, url in _every_page(sub_account):
        response = getattr(client, method)(url)
        assert response.status_code == HTTPStatus.FOUND, (method, url)
        assert response["Location"].startswith(reverse("login") + "?next="), (method, url)


def test_the_admin_stays_available_for_superusers(client, django_user_model):
    superuser = django_user_model.objects.create_superuser("root", "root@example.com", "pw-for-root-123")
    client.force_login(superuser)
    assert client.get("/admin/").status_code == HTTPStatus.OK
