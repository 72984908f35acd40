from http import HTTPStatus

import pytest
from django.urls import reverse

from accounts.mixins import SESSION_KEY
from accounts.models import Membership
from accounts.tests.factories import MembershipFactory, UserFactory
from contacts.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_the_current_sub_account_is_always_named_in_the_header(staff_client, sub_account):
    html = staff_client.get(reverse("contacts:list")).content.decode()
    assert "Sub-account" in html
    assert f"<strong>{sub_account.name}</strong>" in html


def test_a_user_of_one_sub_account_gets_no_switcher(staff_client):
    assert 'id="switch-sub-account"' not in staff_client.get(reverse("contacts:list")).content.decode()


def test_a_user_of_several_sub_accounts_gets_a_switcher_listing_only_theirs(
    staff_client, staff_user, sub_account, other_sub_account, django_user_model
):
    MembershipFactory(user=staff_user, sub_account=other_sub_account)
    html = staff_client.get(reverse("contacts:list")).content.decode()
    assert 'id="switch-sub-account"' in html
    assert other_sub_account.name in html


def test_switching_shows_the_other_sub_accounts_contacts(staff_client, staff_user, sub_account, other_sub_account):
    MembershipFactory(user=staff_user, sub_account=other_sub_account)
    ContactFactory(sub_account=sub_account, name="Acme Person")
    ContactFactory(sub_account=other_sub_account, name="Globex Person")
    response = staff_client.post(reverse("sub-account-switch"), {"sub_account": other_sub_account.pk})
    assert response.status_code == HTTPStatus.FOUND
    html = staff_client.get(reverse("contacts:list")).content.decode()
    assert "Globex Person" in html
    assert "Acme Person" not in html


def test_switching_to_a_sub_account_the_user_is_not_a_member_of_answers_404(staff_client, other_sub_account):
    response = staff_client.post(reverse("sub-account-switch"), {"sub_account": other_sub_account.pk})
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_switching_with_garbage_answers_404(staff_client):
    assert staff_client.post(reverse("sub-account-switch"), {"sub_account": "x"}).status_code == HTTPStatus.NOT_FOUND


def test_a_session_pointing_at_a_foreign_sub_account_falls_back_to_the_users_own(
    staff_client, sub_account, other_sub_account
):
    ContactFactory(sub_account=other_sub_account, name="Globex Person")
    session = staff_client.session
    session[SESSION_KEY] = other_sub_account.pk
    session.save()
    html = staff_client.get(reverse("contacts:list")).content.decode()
    assert "Globex Person" not in html
    assert sub_account.name in html


def test_losing_a_membership_takes_effect_on_the_next_page(staff_client, staff_user, sub_account, other_sub_account):
    MembershipFactory(user=staff_user, sub_account=other_sub_account)
    staff_client.post(reverse("sub-account-switch"), {"sub_account": other_sub_account.pk})
    Membership.objects.filter(user=staff_user, sub_account=other_sub_account).delete()
    html = staff_client.get(reverse("contacts:list")).content.decode()
    assert f"<strong>{sub_account.name}</strong>" in html


def test_a_user_without_any_sub_account_is_told_so(client):
    client.force_login(UserFactory(username="loner"))
    response = client.get(reverse("contacts:list"))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "not a member of any sub-account" in response.content.decode()
