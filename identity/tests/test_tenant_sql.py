"""Every statement of the identity doors (upsert, duplicates, merge, its preview and undo, the tombstone's 308)
on a tenant table names its sub-account in its own WHERE (contacts_site/tests/tenant_sql.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.tests.factories import ContactFactory
from contacts_site.tests.tenant_sql import statements_without_tenant
from conversations.tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db


def _captured(client, method: str, path: str, body=None) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(path, body, format="json")
    assert response.status_code < 400, response.content[:500]
    return [query["sql"] for query in queries.captured_queries]


@pytest.fixture
def twins(sub_account):
    first = ContactFactory(sub_account=sub_account, name="Ada Lovelace", email="ada@acme.com", phone="+14155552671")
    second = ContactFactory(
        sub_account=sub_account, name="Ada  Lovelace", email="ada.l@acme.com", phone="(415) 555-2671"
    )
    ConversationFactory(contact=second, messages=1)
    return first.pk, second.pk


def test_every_statement_of_the_identity_doors_names_the_sub_account(api_client, twins):
    first, second = twins
    statements = []
    statements += _captured(api_client, "post", "/api/v1/contacts/upsert", {"email": "ADA@acme.com", "name": "Ada"})
    statements += _captured(
        api_client, "post", "/api/v1/contacts/upsert/batch", {"items": [{"name": "New", "phone": "+14155550100"}]}
    )
    statements += _captured(api_client, "get", f"/api/v1/contacts/{first}/duplicates")
    statements += _captured(api_client, "get", "/api/v1/duplicates")
    statements += _captured(api_client, "post", f"/api/v1/contacts/{first}/merge?preview=true", {"from": [second]})
    with CaptureQueriesContext(connection) as queries:
        merge_id = api_client.post(f"/api/v1/contacts/{first}/merge", {"from": [second]}, format="json").json()["id"]
    statements += [query["sql"] for query in queries.captured_queries]
    with CaptureQueriesContext(connection) as queries:
        assert api_client.get(f"/api/v1/contacts/{second}").status_code == 308
    statements += [query["sql"] for query in queries.captured_queries]
    statements += _captured(api_client, "get", f"/api/v1/merges/{merge_id}")
    statements += _captured(api_client, "post", f"/api/v1/merges/{merge_id}/undo")

    assert statements_without_tenant(statements) == []


def _page_statements(client, method: str, path: str, data=None) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(path, data) if data is not None else getattr(client, method)(path)
    assert response.status_code < 400, response.content[:500]
    return [query["sql"] for query in queries.captured_queries]


def test_every_statement_of_the_identity_pages_names_the_sub_account(staff_client, sub_account, twins):
    from identity.models import Merge

    first, second = twins
    statements = []
    statements += _page_statements(staff_client, "get", f"/contacts/{first}/")
    statements += _page_statements(staff_client, "get", "/identity/duplicates/")
    statements += _page_statements(staff_client, "get", f"/identity/contacts/{first}/merge/?from={second}")
    statements += _page_statements(
        staff_client, "post", f"/identity/contacts/{first}/merge/", {"survivor": first, "from": [second]}
    )
    merge_id = Merge.objects.for_account(sub_account).get().pk
    statements += _page_statements(staff_client, "post", f"/identity/merges/{merge_id}/undo/", {})

    assert statements_without_tenant(statements) == []
