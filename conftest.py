"""Fixtures shared by every app's tests: two sub-accounts, their keys and API clients, a staff user, a
contact of `sub_account` and a conversation of `other_sub_account` (a module may override either)."""

import uuid

import pytest
from rest_framework.test import APIClient

from accounts.models import Membership
from accounts.services import api_key_create
from accounts.tests.factories import MembershipFactory, SubAccountFactory, UserFactory
from contacts.tests.factories import ContactFactory
from conversations.tests.factories import ConversationFactory


@pytest.fixture(autouse=True)
def _failed_authentications_counted_per_test(monkeypatch):
    """The failed-authentication counters (per client address, in the shared cache) start empty in every test:
    the test client always comes from 127.0.0.1, and one test's wrong keys must not lock out the next test."""
    monkeypatch.setattr("accounts.throttling.FAILED_AUTHENTICATION_NAMESPACE", f"authfail-test-{uuid.uuid4().hex}")


@pytest.fixture
def sub_account(db):
    return SubAccountFactory(name="Acme Support", slug="acme", default_phone_region="US")


@pytest.fixture
def other_sub_account(db):
    return SubAccountFactory(name="Globex", slug="globex", default_phone_region="GB")


def _client_for(sub_account) -> APIClient:
    _, raw_key = api_key_create(sub_account=sub_account, name="test key")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    client.raw_key = raw_key
    return client


@pytest.fixture
def api_client(sub_account):
    """An API client carrying a key of `sub_account`."""
    return _client_for(sub_account)


@pytest.fixture
def other_api_client(other_sub_account):
    """An API client carrying a key of `other_sub_account`."""
    return _client_for(other_sub_account)


@pytest.fixture
def anonymous_client():
    return APIClient()


@pytest.fixture
def staff_user(sub_account):
    """A staff user who is an agent of `sub_account`."""
    user = UserFactory(username="agent")
    MembershipFactory(user=user, sub_account=sub_account, role=Membership.Role.AGENT)
    return user


@pytest.fixture
def admin_user_of_account(sub_account):
    """A staff user who is an admin of `sub_account`."""
    user = UserFactory(username="owner")
    MembershipFactory(user=user, sub_account=sub_account, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def staff_client(client, staff_user):
    """A browser session (Django test client) logged in as the agent of `sub_account`."""
    client.force_login(staff_user)
    return client


@pytest.fixture
def admin_client_of_account(client, admin_user_of_account):
    """A browser session logged in as an admin of `sub_account`."""
    client.force_login(admin_user_of_account)
    return client


@pytest.fixture
def contact(sub_account):
    """A contact of `sub_account`."""
    return ContactFactory(sub_account=sub_account)


@pytest.fixture
def other_conversation(other_sub_account):
    """A conversation, with one message, of a contact of `other_sub_account`."""
    return ConversationFactory(contact=ContactFactory(sub_account=other_sub_account), messages=1)
