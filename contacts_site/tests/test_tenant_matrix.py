"""The two-tenant matrix: every operation of the API, called with sub-account A's key on sub-account B's
objects, answers exactly like a missing object (404), and leaves every row of B as it was.

The operations come from the OpenAPI schema itself, so an endpoint added later is in the matrix
without anyone remembering to add it; a new kind of path parameter makes the test fail until
`OBJECTS_OF_B` says how to make one.
"""

from http import HTTPStatus

import pytest
from drf_spectacular.generators import SchemaGenerator

from contacts.history import ContactChange
from contacts.tests.factories import ContactFactory
from contacts_site.tests.tenant_rows import rows_of

METHODS = ("get", "post", "put", "patch", "delete")
# A body each write would accept if the objects were A's: a 404 must come from the wall, not from validation.
# "{contact_id}" and the like are replaced by B's objects: A tries to attach its writes to B's rows.
BODIES = {
    ("/api/v1/contacts", "post"): {"name": "Made by A"},
    ("/api/v1/contacts/{contact_id}", "patch"): {"name": "Hijacked", "tags": ["a-was-here"]},
    ("/api/v1/contacts/{contact_id}", "put"): {"name": "Hijacked", "custom_fields": {"owner": "A"}},
    ("/api/v1/conversations", "post"): {"contact_id": "{contact_id}", "channel": "email", "subject": "A's"},
    ("/api/v1/conversations/{conversation_id}", "patch"): {"status": "closed", "subject": "Hijacked"},
    ("/api/v1/webhooks/{webhook_id}", "put"): {"url": "https://a.example.com/hook", "events": ["*"]},
    ("/api/v1/webhooks/{webhook_id}", "patch"): {"url": "https://a.example.com/hook"},
    ("/api/v1/contacts/{contact_id}/notes", "post"): {"body": "A was here"},
    ("/api/v1/contacts/{contact_id}/revert", "post"): {"change_id": "{change_id}", "field": "name"},
    ("/api/v1/notes/{note_id}", "patch"): {"body": "Hijacked"},
    ("/api/v1/custom-fields", "post"): {"key": "made_by_a", "label": "Made by A", "type": "text"},
    ("/api/v1/custom-fields/{field_id}", "patch"): {"label": "Hijacked"},
    ("/api/v1/custom-fields/{field_id}", "put"): {"label": "Hijacked"},
    ("/api/v1/views", "post"): {"name": "Made by A", "query": "tag=b-only"},
    ("/api/v1/views/{view_id}", "patch"): {"name": "Hijacked"},
    ("/api/v1/views/{view_id}", "put"): {"name": "Hijacked"},
    # A's merge of B's contacts: into B's contact (the path), or of B's contact into a missing one.
    ("/api/v1/contacts/{contact_id}/merge", "post"): {"from": ["ct_of_a_that_does_not_exist"]},
    ("/api/v1/conversations/{conversation_id}/messages", "post"): {
        "body": "A was here",
        "direction": "outbound",
        "sender": "agent",
    },
}


def _body(path: str, method: str, objects: dict[str, str]) -> dict | None:
    body = BODIES.get((path, method), {} if method in {"post", "put", "patch"} else None)
    if body is None:
        return None
    return {key: _fill(value, objects) if isinstance(value, str) else value for key, value in body.items()}


def _fill(text: str, objects: dict[str, str]) -> str:
    for name, value in objects.items():
        text = text.replace("{" + name + "}", value)
    return text


def _operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [(path, method) for path, item in schema["paths"].items() for method in item if method in METHODS]


OPERATIONS = _operations()
OBJECT_OPERATIONS = [(path, method) for path, method in OPERATIONS if "{" in path]
COLLECTION_OPERATIONS = [(path, method) for path, method in OPERATIONS if "{" not in path]


def _objects_of_b(sub_account) -> dict[str, str]:
    """One object of B for every path parameter the API uses, by parameter name."""
    contact = ContactFactory(
        sub_account=sub_account, name="Bea of B", email="bea@b.example", tags=["b-only"], custom_fields={"owner": "B"}
    )
    objects = {"contact_id": contact.pk}
    if any("{note_id}" in path or "/revert" in path for path, _ in OPERATIONS):
        from contacts.services import contact_update, note_create

        contact_update(contact=contact, name="Bea Renamed")
        objects["change_id"] = ContactChange.objects.for_account(sub_account).of_contact(contact.pk).first().pk
        objects["note_id"] = note_create(contact=contact, body="B's private note").pk
    if any("{conversation_id}" in path for path, _ in OPERATIONS):
        from conversations.tests.factories import ConversationFactory, MessageFactory

        conversation = ConversationFactory(contact=contact, subject="B's secret thread")
        MessageFactory(conversation=conversation)
        objects["conversation_id"] = conversation.pk
    if any("{field_id}" in path for path, _ in OPERATIONS):
        from contacts.workspace_services import custom_field_definition_create

        objects["field_id"] = custom_field_definition_create(
            sub_account=sub_account, key="owner", label="Owner of B", type="text"
        ).pk
    if any("{view_id}" in path for path, _ in OPERATIONS):
        from contacts.workspace_services import saved_view_create

        objects["view_id"] = saved_view_create(
            sub_account=sub_account, owner_id=None, name="B's VIPs", query="tag=b-only", shared=True
        ).pk
    if any("{webhook_id}" in path or "{delivery_id}" in path for path, _ in OPERATIONS):
        from webhooks.models import Delivery, Event
        from webhooks.tests.factories import EndpointFactory

        endpoint = EndpointFactory(sub_account=sub_account, url="https://b.example.com/hook")
        event = Event.objects.create(sub_account=sub_account, type="contact.created", payload="{}")
        objects["webhook_id"] = endpoint.pk
        objects["delivery_id"] = Delivery.objects.create(sub_account=sub_account, event=event, endpoint=endpoint).pk
    if any("{merge_id}" in path for path, _ in OPERATIONS):
        from identity.services import contact_merge

        merged_away = ContactFactory(sub_account=sub_account, name="Bea again", email="bea.again@b.example")
        _, merge = contact_merge(sub_account=sub_account, target_id=contact.pk, source_ids=[merged_away.pk])
        objects["merge_id"] = merge.pk
    if any("{import_id}" in path or "{export_id}" in path for path, _ in OPERATIONS):
        from imports.models import ExportJob, ImportJob

        objects["import_id"] = ImportJob.objects.create(
            sub_account=sub_account, file="imports/b.csv", file_sha256="0" * 64, encoding="utf-8", delimiter=","
        ).pk
        objects["export_id"] = ExportJob.objects.create(sub_account=sub_account, format="csv").pk
    return objects


@pytest.fixture
def b_world(other_sub_account):
    objects = _objects_of_b(other_sub_account)
    return objects, rows_of(other_sub_account)


def _call(client, method: str, path: str, body: dict | None):
    call = getattr(client, method)
    return call(path, body, format="json") if body is not None else call(path)


def test_the_matrix_covers_every_operation_of_the_api():
    assert len(OPERATIONS) >= 8
    assert {("/api/v1/contacts/{contact_id}", method) for method in ("get", "patch", "put", "delete")} <= set(
        OBJECT_OPERATIONS
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method"), OBJECT_OPERATIONS)
def test_a_key_of_a_never_reaches_an_object_of_b(api_client, other_sub_account, b_world, path, method):
    objects, rows_before = b_world
    body = _body(path, method, objects)
    filled = _fill(path, objects)
    assert "{" not in filled, f"add an object of B for the path parameter in {path} to _objects_of_b()"
    missing = _fill(path, dict.fromkeys(objects, "does_not_exist_anywhere"))

    response = _call(api_client, method, filled, body)
    response_for_missing = _call(api_client, method, missing, body)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response_for_missing.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["error"]["message"] == response_for_missing.json()["error"]["message"]
    assert rows_of(other_sub_account) == rows_before


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method"), COLLECTION_OPERATIONS)
def test_a_key_of_a_sees_and_touches_nothing_of_b_through_a_collection(
    api_client, other_sub_account, b_world, path, method
):
    objects, rows_before = b_world
    body = _body(path, method, objects)
    query = "?q=bea" if path.endswith("/search") else ""

    response = _call(api_client, method, path + query, body)

    assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR
    text = (b"".join(response.streaming_content) if response.streaming else response.content).decode()
    assert all(value not in text for value in objects.values())
    assert "bea@b.example" not in text
    assert rows_of(other_sub_account) == rows_before
