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


@pytest.fixture(scope="module")
def gunicorn_server(tmp_path_factory):
    """The app under a real gunicorn (one worker, DEBUG off, a throwaway SQLite database), for what Django's
    test client cannot send (chunked bodies, raw headers); yields (port, raw API key). One per test module:
    starting it costs seconds."""
    import os
    import secrets
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parent
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")}
    env.pop("DATABASE_REPLICA_URL", None)
    env.pop("REDIS_URL", None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "contacts_site.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('gunicorn') / 'server.sqlite3'}",
            "LOG_LEVEL": "WARNING",
        }
    )
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--verbosity", "0"], env=env, cwd=root, check=True, timeout=120)
    created = subprocess.run(
        [*manage, "create_api_key", "edge"], env=env, cwd=root, check=True, capture_output=True, text=True
    )
    key = created.stdout.strip().splitlines()[-1]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "contacts_site.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield port, key
    finally:
        server.terminate()
        server.wait(timeout=30)
