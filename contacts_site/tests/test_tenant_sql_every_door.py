"""Every statement the webhook API, the staff pages and the webhook worker run on a tenant table names its
sub-account in its own WHERE (contacts_site/tests/tenant_sql.py), like the contact and conversation
calls of test_tenant_sql.py. The one exception is the worker's claim, the wall's documented escape
hatch: it looks for due deliveries of every sub-account."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts.history import ContactChange
from contacts.services import contact_update, note_create
from contacts.tests.factories import ContactFactory
from contacts.workspace_services import custom_field_definition_create, saved_view_create
from contacts_site.actions import acting
from contacts_site.tests.tenant_sql import TENANT_TABLES, statements_without_tenant
from conversations.tests.factories import ConversationFactory
from webhooks.delivery import AttemptResult, attempt_record, delivery_claim
from webhooks.models import Delivery, Event
from webhooks.tests.factories import EndpointFactory

pytestmark = pytest.mark.django_db


def captured(call) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code < 400, response.content[:500]
    return [query["sql"] for query in queries.captured_queries]


@pytest.fixture
def world(sub_account, admin_user_of_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada", email="ada@example.com", tags=["vip"])
    contact_update(contact=contact, name="Ada L.")
    change = ContactChange.objects.for_account(sub_account).of_contact(contact.pk).newest_first()[0]
    with acting(source="ui", user_id=admin_user_of_account.pk):
        note = note_create(contact=contact, body="Prefers email")
    conversation = ConversationFactory(contact=contact, messages=2)
    endpoint = EndpointFactory(sub_account=sub_account)
    event = Event.objects.create(sub_account=sub_account, type="contact.created", payload="{}")
    delivery = Delivery.objects.create(
        sub_account=sub_account, event=event, endpoint=endpoint, status=Delivery.Status.FAILED
    )
    definition = custom_field_definition_create(sub_account=sub_account, key="plan", label="Plan", type="text")
    view = saved_view_create(sub_account=sub_account, owner_id=None, name="VIP", query="tag=vip", shared=True)
    return {
        "view": view.pk,
        "definition": definition.pk,
        "contact": contact.pk,
        "conversation": conversation.pk,
        "webhook": endpoint.pk,
        "delivery": delivery.pk,
        "change": change.pk,
        "note": note.pk,
    }


HOOK = {"url": "https://hooks.example.com/in", "events": ["contact.created"]}
API_CALLS = {
    "list custom fields": lambda ids: ("get", "/api/v1/custom-fields", None),
    "define a custom field": lambda ids: (
        "post",
        "/api/v1/custom-fields",
        {"key": "tier", "label": "Tier", "type": "select", "options": ["a", "b"]},
    ),
    "read a custom field": lambda ids: ("get", f"/api/v1/custom-fields/{ids['definition']}", None),
    "change a custom field": lambda ids: ("patch", f"/api/v1/custom-fields/{ids['definition']}", {"label": "P"}),
    "delete a custom field": lambda ids: ("delete", f"/api/v1/custom-fields/{ids['definition']}", None),
    "list views": lambda ids: ("get", "/api/v1/views", None),
    "save a view": lambda ids: ("post", "/api/v1/views", {"name": "Berlin", "query": "tag=berlin&tag_match=any"}),
    "rename a view": lambda ids: ("patch", f"/api/v1/views/{ids['view']}", {"name": "VIPs"}),
    "contacts of a view": lambda ids: ("get", f"/api/v1/contacts?view={ids['view']}", None),
    "filtered contacts": lambda ids: (
        "get",
        (
            "/api/v1/contacts?tag=vip&tag_match=any&custom_field_contains.plan=p&custom_field_set.x=false"
            "&custom_field_min.seats=1&search=ada%20example"
        ),
        None,
    ),
    "delete a view": lambda ids: ("delete", f"/api/v1/views/{ids['view']}", None),
    "list webhooks": lambda ids: ("get", "/api/v1/webhooks", None),
    "create a webhook": lambda ids: ("post", "/api/v1/webhooks", HOOK),
    "read a webhook": lambda ids: ("get", f"/api/v1/webhooks/{ids['webhook']}", None),
    "change a webhook": lambda ids: ("patch", f"/api/v1/webhooks/{ids['webhook']}", {"description": "CRM"}),
    "replace a webhook": lambda ids: ("put", f"/api/v1/webhooks/{ids['webhook']}", HOOK),
    "a webhook's deliveries": lambda ids: ("get", f"/api/v1/webhooks/{ids['webhook']}/deliveries", None),
    "send a test event": lambda ids: ("post", f"/api/v1/webhooks/{ids['webhook']}/test", None),
    "rotate a secret": lambda ids: ("post", f"/api/v1/webhooks/{ids['webhook']}/rotate-secret", None),
    "read a delivery": lambda ids: ("get", f"/api/v1/deliveries/{ids['delivery']}", None),
    "redeliver": lambda ids: ("post", f"/api/v1/deliveries/{ids['delivery']}/redeliver", None),
    "delete a webhook": lambda ids: ("delete", f"/api/v1/webhooks/{ids['webhook']}", None),
}


@pytest.mark.parametrize("name", API_CALLS)
def test_every_statement_of_a_webhook_call_on_a_tenant_table_names_the_sub_account(api_client, world, name):
    method, path, body = API_CALLS[name](world)

    statements = captured(lambda: getattr(api_client, method)(path, body, format="json"))

    assert any(TENANT_TABLES.search(sql) for sql in statements)
    assert statements_without_tenant(statements) == []


PAGES = {
    "the contact list": lambda ids: ("get", reverse("contacts:list"), None),
    "the contact list, searched and filtered by tag": lambda ids: (
        "get",
        reverse("contacts:list") + "?q=ada&tag=vip",
        None,
    ),
    "a contact": lambda ids: ("get", reverse("contacts:detail", args=[ids["contact"]]), None),
    "a contact's form": lambda ids: ("get", reverse("contacts:edit", args=[ids["contact"]]), None),
    "saving a contact": lambda ids: (
        "post",
        reverse("contacts:edit", args=[ids["contact"]]),
        {"name": "Ada L", "email": "ada@example.com", "phone_region": "US", "phone": "", "tags_new": "new"},
    ),
    "a new contact": lambda ids: (
        "post",
        reverse("contacts:create"),
        {"name": "Bo", "email": "", "phone_region": "US", "phone": "", "tags_new": "vip"},
    ),
    "tagging selected contacts": lambda ids: (
        "post",
        reverse("contacts:bulk"),
        {"scope": "selected", "ids": [ids["contact"]], "action": "add_tag", "bulk_tag": "q3", "confirm": "1"},
    ),
    "the list with every filter and columns": lambda ids: (
        "get",
        reverse("contacts:list")
        + "?q=ada+example&tag=vip&tag_match=any&custom_field_min.seats=1&custom_field_contains.plan=p&columns=email,cf:plan",
        None,
    ),
    "a saved view": lambda ids: ("get", reverse("contacts:list") + f"?view={ids['view']}", None),
    "the views' counts": lambda ids: ("get", reverse("contacts:view-counts"), None),
    "saving a view": lambda ids: ("post", reverse("contacts:view-create"), {"name": "Mine", "query": "tag=vip"}),
    "moving a view": lambda ids: ("post", reverse("contacts:view-change", args=[ids["view"]]), {"do": "down"}),
    "saving columns": lambda ids: ("post", reverse("contacts:columns"), {"columns": ["email"], "next": "/"}),
    "the custom fields page": lambda ids: ("get", reverse("contacts:custom-fields"), None),
    "editing a custom field": lambda ids: (
        "post",
        reverse("contacts:custom-field-edit", args=[ids["definition"]]),
        {"label": "Plan", "type": "number"},
    ),
    "the inbox": lambda ids: ("get", reverse("conversations:inbox") + "?status=open&assignee=mine&channel=email", None),
    "starting a conversation": lambda ids: (
        "post",
        reverse("conversations:start", args=[ids["contact"]]),
        {"channel": "email", "subject": "Hi", "body": "Hello"},
    ),
    "a conversation": lambda ids: ("get", reverse("conversations:detail", args=[ids["conversation"]]), None),
    "a reply": lambda ids: ("post", reverse("conversations:reply", args=[ids["conversation"]]), {"body": "Hi"}),
    "the webhooks": lambda ids: ("get", reverse("webhooks:list"), None),
    "a webhook and its log": lambda ids: ("get", reverse("webhooks:detail", args=[ids["webhook"]]), None),
    "a redelivery": lambda ids: ("post", reverse("webhooks:redeliver", args=[ids["delivery"]]), None),
    "deleting a webhook": lambda ids: ("post", reverse("webhooks:delete", args=[ids["webhook"]]), None),
    "a contact's timeline, next page": lambda ids: (
        "get",
        reverse("contacts:timeline", args=[ids["contact"]]) + f"?before={ids['note']}",
        None,
    ),
    "adding a note": lambda ids: ("post", reverse("contacts:note-create", args=[ids["contact"]]), {"body": "Hi"}),
    "editing a note": lambda ids: (
        "post",
        reverse("contacts:note-change", args=[ids["contact"], ids["note"]]),
        {"body": "Prefers phone"},
    ),
    "deleting a note": lambda ids: (
        "post",
        reverse("contacts:note-change", args=[ids["contact"], ids["note"]]),
        {"delete": "1"},
    ),
    "restoring a value": lambda ids: (
        "post",
        reverse("contacts:revert", args=[ids["contact"]]),
        {"change_id": ids["change"], "field": "name"},
    ),
    "deleting a contact": lambda ids: ("post", reverse("contacts:delete", args=[ids["contact"]]), None),
    "deleting every contact a tag filter matches": lambda ids: (
        "post",
        reverse("contacts:bulk"),
        {"scope": "all", "tag": "vip", "action": "delete", "confirmed": "on", "expected": "1"},
    ),
}


@pytest.mark.parametrize("name", PAGES)
def test_every_statement_of_a_page_on_a_tenant_table_names_the_sub_account(admin_client_of_account, world, name):
    method, path, data = PAGES[name](world)
    call = getattr(admin_client_of_account, method)

    statements = captured(lambda: call(path, data) if data is not None else call(path))

    assert any(TENANT_TABLES.search(sql) for sql in statements)
    assert statements_without_tenant(statements) == []


def test_the_worker_names_the_sub_account_in_every_statement_after_its_claim(world):
    Delivery.objects.unscoped().filter(pk=world["delivery"]).update(
        status=Delivery.Status.PENDING, next_attempt_at=timezone.now() - timedelta(seconds=1)
    )

    with CaptureQueriesContext(connection) as claim:
        (delivery,) = delivery_claim(limit=5)
    result = AttemptResult(attempted_at=timezone.now(), duration_ms=3, status_code=500, error="boom")
    with CaptureQueriesContext(connection) as record:
        attempt_record(delivery=delivery, result=result)

    unscoped_claim, *after_claim = [query["sql"] for query in claim if TENANT_TABLES.search(query["sql"])]
    assert "webhooks_delivery" in unscoped_claim
    assert after_claim and statements_without_tenant(after_claim) == []
    assert statements_without_tenant([query["sql"] for query in record]) == []
