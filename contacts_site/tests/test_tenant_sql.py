"""Every statement a tenant API call runs on a tenant table names its sub-account.

The property behind both walls — the querysets' and the database's — and what lets a sharded
PostgreSQL (Citus, distributed by sub_account_id) route each statement to one shard
(docs/scaling.md). A statement passes when it is an INSERT carrying `sub_account_id`, or when its own
WHERE clause (and that of each subquery on a tenant table) compares `sub_account_id`, ANDed with the
rest; naming the column only in the SELECT list, in a subquery or in one branch of an OR does not
count (tenant_sql.py).
"""

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import APIKey
from accounts.tenancy import TenantModel
from contacts.history import ContactChange
from contacts.services import contact_update, note_create
from contacts.tests.factories import ContactFactory
from contacts_site.actions import acting
from contacts_site.tests.tenant_sql import TENANT_TABLE_NAMES, TENANT_TABLES, statements_without_tenant
from conversations.tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db


def run(api_client, method: str, path: str, data=None) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(api_client, method)(path, data, format="json")
    assert response.status_code < 300, response.content
    return [query["sql"] for query in captured.captured_queries]


@pytest.fixture
def contact(sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada", phone="+14155552671", tags=["vip"])
    ConversationFactory(contact=contact, messages=2)
    return contact


CALLS = {
    "list": lambda c: ("get", reverse("contact-list"), None),
    "list by name, second page by cursor": lambda c: ("get", reverse("contact-list") + "?sort=name&limit=1", None),
    "search in the list": lambda c: ("get", reverse("contact-list") + "?search=ada", None),
    "tag filter": lambda c: ("get", reverse("contact-list") + "?tag=vip&tag=other", None),
    "custom field filter": lambda c: ("get", reverse("contact-list") + "?custom_field.plan=pro", None),
    "ranked search by phone": lambda c: ("get", reverse("contact-search") + "?q=(415) 555-2671", None),
    "get": lambda c: ("get", reverse("contact-detail", args=[c.pk]), None),
    "create": lambda c: (
        "post",
        reverse("contact-list"),
        {"name": "New", "email": "n@example.com", "tags": ["vip", "x"]},
    ),
    "patch": lambda c: (
        "patch",
        reverse("contact-detail", args=[c.pk]),
        {"tags": ["y"], "custom_fields": {"plan": "pro"}},
    ),
    "put": lambda c: ("put", reverse("contact-detail", args=[c.pk]), {"email": "ada@example.com"}),
    "contact's conversations": lambda c: ("get", reverse("contact-conversation-list", args=[c.pk]), None),
    "delete": lambda c: ("delete", reverse("contact-detail", args=[c.pk]), None),
    "timeline, filtered": lambda c: (
        "get",
        reverse("contact-timeline-timeline", args=[c.pk]) + "?kind=changed&kind=note&source=api&limit=1",
        None,
    ),
    "a field's history": lambda c: ("get", reverse("contact-timeline-history", args=[c.pk]) + "?field=phone", None),
    "notes": lambda c: ("get", reverse("contact-timeline-notes", args=[c.pk]), None),
    "add a note": lambda c: ("post", reverse("contact-timeline-notes", args=[c.pk]), {"body": "Called"}),
    "revert a change": lambda c: (
        "post",
        reverse("contact-timeline-revert", args=[c.pk]),
        {"change_id": _renamed(c), "field": "name"},
    ),
    "edit a note": lambda c: ("patch", reverse("note-detail", args=[_note_of_the_key(c)]), {"body": "Called twice"}),
    "delete a note": lambda c: ("delete", reverse("note-detail", args=[_note_of_the_key(c)]), None),
}


def _renamed(contact) -> str:
    """The id of a change of `contact`'s name (the revert's subject)."""
    contact_update(contact=contact, name="Ada Renamed")
    return ContactChange.objects.for_account(contact.sub_account_id).of_contact(contact.pk).newest_first()[0].pk


def _note_of_the_key(contact) -> str:
    """A note written by the API key of `api_client` (the only key of the contact's sub-account)."""
    key = APIKey.objects.get(sub_account_id=contact.sub_account_id)
    with acting(source="api", api_key_id=key.pk):
        return note_create(contact=contact, body="Called").pk


@pytest.mark.parametrize("name", CALLS)
def test_every_statement_of_a_contact_call_on_a_tenant_table_names_the_sub_account(api_client, contact, name):
    statements = run(api_client, *CALLS[name](contact))

    assert any(TENANT_TABLES.search(sql) for sql in statements)
    assert statements_without_tenant(statements) == []


def test_the_check_catches_a_statement_that_names_the_column_only_in_its_select_list():
    sql = 'SELECT "contacts_contact"."sub_account_id" FROM "contacts_contact" WHERE "contacts_contact"."id" = \'x\''

    assert statements_without_tenant([sql]) == [sql]


def test_every_tenant_model_table_is_checked_webhooks_included():
    tables = {model._meta.db_table for model in apps.get_models() if issubclass(model, TenantModel)}

    assert tables == TENANT_TABLE_NAMES
    assert {"webhooks_endpoint", "webhooks_event", "webhooks_delivery", "webhooks_deliveryattempt"} <= tables


def test_the_check_catches_a_statement_that_names_the_sub_account_only_in_a_subquery():
    sql = (
        'SELECT "contacts_contact"."id" FROM "contacts_contact" WHERE "contacts_contact"."id" IN '
        '(SELECT U0."id" FROM "contacts_contact" U0 WHERE U0."sub_account_id" = 1)'
    )

    assert statements_without_tenant([sql]) == [sql]


def test_the_check_catches_a_sub_account_that_is_only_one_side_of_an_or():
    sql = (
        'UPDATE "webhooks_delivery" SET "status" = \'failed\' WHERE ("webhooks_delivery"."id" = \'dlv_1\' '
        'OR "webhooks_delivery"."sub_account_id" = 1)'
    )

    assert statements_without_tenant([sql]) == [sql]


def test_the_check_catches_a_subquery_on_a_tenant_table_without_its_own_sub_account():
    sql = (
        'SELECT "contacts_contact"."id" FROM "contacts_contact" WHERE ("contacts_contact"."sub_account_id" = 1 '
        'AND NOT EXISTS(SELECT 1 FROM "contacts_taggedcontact" U1 WHERE U1."tag_id" = 2))'
    )

    assert statements_without_tenant([sql]) == [sql]


def test_the_check_accepts_the_sub_account_anded_with_the_rest_and_in_every_subquery():
    sql = (
        'SELECT "contacts_contact"."id" FROM "contacts_contact" WHERE ("contacts_contact"."sub_account_id" = 1 '
        'AND ("contacts_contact"."name" LIKE \'%(a%\' OR "contacts_contact"."email" = \'a\') AND EXISTS('
        'SELECT 1 FROM "contacts_taggedcontact" U1 WHERE (U1."sub_account_id" = 1 AND U1."tag_id" = 2))) LIMIT 5'
    )

    assert statements_without_tenant([sql]) == []
