"""Every statement the conversation endpoints run on a tenant table names its sub-account: the tenant
wall behind the querysets, and what lets a sharded PostgreSQL route it to one shard (docs/scaling.md)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts_site.tests.tenant_sql import statements_without_tenant
from conversations.tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db

TENANT_TABLE = re.compile(r'"(contacts_contact|conversations_conversation|conversations_message)"')


@pytest.fixture
def conversation(contact):
    return ConversationFactory(contact=contact, messages=2)


def call(api_client, method: str, path: str, data: dict | None = None) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(api_client, method)(path, data, format="json")
    assert response.status_code < 300, response.content
    return [query["sql"] for query in captured.captured_queries if TENANT_TABLE.search(query["sql"])]


FIRST_MESSAGE = {"body": "Hi", "direction": "inbound", "sender": "contact"}
REQUESTS = {
    "list": lambda ids: ("get", reverse("conversation-list"), None),
    "filtered list": lambda ids: (
        "get",
        reverse("conversation-list") + f"?contact_id={ids['contact']}&status=open",
        None,
    ),
    "create": lambda ids: (
        "post",
        reverse("conversation-list"),
        {"contact_id": ids["contact"], "channel": "sms", "message": FIRST_MESSAGE},
    ),
    "read": lambda ids: ("get", reverse("conversation-detail", args=[ids["conversation"]]), None),
    "change": lambda ids: (
        "patch",
        reverse("conversation-detail", args=[ids["conversation"]]),
        {"status": "closed", "assignee": ids["staff"]},
    ),
    "messages": lambda ids: ("get", reverse("conversation-messages", args=[ids["conversation"]]), None),
    "new message": lambda ids: (
        "post",
        reverse("conversation-messages", args=[ids["conversation"]]),
        {"body": "Hi", "direction": "outbound", "sender": "bot"},
    ),
    "contact's conversations": lambda ids: ("get", reverse("contact-conversation-list", args=[ids["contact"]]), None),
}


@pytest.mark.parametrize("name", REQUESTS)
def test_every_statement_on_a_tenant_table_names_the_sub_account(api_client, contact, conversation, staff_user, name):
    ids = {"contact": contact.pk, "conversation": conversation.pk, "staff": staff_user.pk}
    statements = call(api_client, *REQUESTS[name](ids))
    assert statements
    assert statements_without_tenant(statements) == []


def test_a_delete_names_the_sub_account_in_every_statement_including_the_cascade(api_client, conversation):
    statements = call(api_client, "delete", reverse("conversation-detail", args=[conversation.pk]))

    assert any(sql.startswith("DELETE FROM") for sql in statements)
    assert statements_without_tenant(statements) == []
