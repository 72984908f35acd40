"""A write that loses a race answers cleanly: the race matrix of every write against the delete of its object
and of its parent, on SQLite and PostgreSQL, with real transactions and one connection per thread.

Each round makes a fresh object, releases the write and the delete at the same instant, and records both
answers. Then, for every operation: only the allowed answers (never a 500), nothing left behind for an
object that is gone (tag links, conversations, messages, deliveries), one `*.deleted` event per deleted
object and no event for a write that did not happen, and counters equal to the rows.
`docs/reliability.md` lists the figures of a run.
"""

import json
from collections import Counter
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import api_key_create
from accounts.tests.factories import SubAccountFactory
from contacts.models import Contact, TaggedContact
from contacts.tests.factories import ContactFactory
from conversations.models import Conversation, Message
from conversations.tests.factories import ConversationFactory
from tests.concurrency import at_once
from webhooks.models import Delivery, Endpoint, Event
from webhooks.tests.factories import EndpointFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 8
OK, CREATED, NO_CONTENT, FOUND = HTTPStatus.OK, HTTPStatus.CREATED, HTTPStatus.NO_CONTENT, HTTPStatus.FOUND
NOT_FOUND, BAD_REQUEST = HTTPStatus.NOT_FOUND, HTTPStatus.BAD_REQUEST


@pytest.fixture
def sub_account(db):
    return SubAccountFactory(slug="racer", api_rate_limit=1_000_000)


@pytest.fixture
def raw_key(sub_account):
    return api_key_create(sub_account=sub_account, name="racer")[1]


def _api(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return client


def _race(write, delete) -> tuple[int, int]:
    """Run `write()` and `delete()` in two threads released together; their status codes."""
    written, deleted = at_once(write, delete)
    return written.status_code, deleted.status_code


def _rounds(make, write, delete) -> tuple[Counter, Counter]:
    writes, deletes = Counter(), Counter()
    for round_number in range(ROUNDS):
        target = make(round_number)
        written, deleted = _race(lambda target=target: write(target), lambda target=target: delete(target))
        writes[written] += 1
        deletes[deleted] += 1
    # The figures of docs/reliability.md: `pytest tests/test_races.py -s` prints them.
    print(f"\n{write.__name__}: write {dict(sorted(writes.items()))}, delete {dict(sorted(deletes.items()))}")
    return writes, deletes


def _events(type: str) -> int:
    return Event.objects.unscoped().filter(type=type).count()


def _payload(event: Event) -> dict:
    return json.loads(event.payload)


def _assert_no_orphans(sub_account) -> None:
    contact_ids = Contact.objects.for_account(sub_account).values("pk")
    assert not TaggedContact.objects.filter(sub_account=sub_account).exclude(content_object_id__in=contact_ids)
    assert not Conversation.objects.for_account(sub_account).exclude(contact_id__in=contact_ids)
    conversation_ids = Conversation.objects.for_account(sub_account).values("pk")
    assert not Message.objects.for_account(sub_account).exclude(conversation_id__in=conversation_ids)
    endpoint_ids = Endpoint.objects.for_account(sub_account).values("pk")
    assert not Delivery.objects.for_account(sub_account).exclude(endpoint_id__in=endpoint_ids)


def _assert_counters_exact(sub_account) -> None:
    sub_account.refresh_from_db()
    assert sub_account.contact_count == Contact.objects.for_account(sub_account).count()
    for contact in Contact.objects.for_account(sub_account):
        assert (
            contact.conversation_count == Conversation.objects.for_account(sub_account).filter(contact=contact).count()
        )
    for conversation in Conversation.objects.for_account(sub_account):
        assert (
            conversation.message_count
            == Message.objects.for_account(sub_account).filter(conversation=conversation).count()
        )


def test_a_patch_racing_the_contacts_delete_answers_200_or_404_and_leaves_nothing(sub_account, raw_key):
    def patch(contact):
        return _api(raw_key).patch(
            reverse("contact-detail", args=[contact.pk]), {"name": "Patched", "tags": ["new"]}, format="json"
        )

    writes, deletes = _rounds(
        lambda n: ContactFactory(sub_account=sub_account, tags=["old"]),
        patch,
        lambda contact: _api(raw_key).delete(reverse("contact-detail", args=[contact.pk])),
    )

    assert set(writes) <= {OK, NOT_FOUND}, writes
    assert deletes == {NO_CONTENT: ROUNDS}
    assert _events("contact.updated") == writes[OK]
    assert _events("contact.deleted") == ROUNDS
    _assert_no_orphans(sub_account)
    _assert_counters_exact(sub_account)


def test_two_deletes_of_one_contact_answer_204_once_and_404_once(sub_account, raw_key):
    writes, deletes = _rounds(
        lambda n: ContactFactory(sub_account=sub_account),
        lambda contact: _api(raw_key).delete(reverse("contact-detail", args=[contact.pk])),
        lambda contact: _api(raw_key).delete(reverse("contact-detail", args=[contact.pk])),
    )

    assert writes + deletes == Counter({NO_CONTENT: ROUNDS, NOT_FOUND: ROUNDS})
    assert _events("contact.deleted") == ROUNDS
    _assert_counters_exact(sub_account)


def test_a_conversation_created_while_its_contact_is_deleted_answers_201_or_400_and_leaves_nothing(
    sub_account, raw_key
):
    def create(contact):
        body = {
            "contact_id": contact.pk,
            "channel": "email",
            "message": {"body": "Hi", "direction": "inbound", "sender": "contact"},
        }
        return _api(raw_key).post(reverse("conversation-list"), body, format="json")

    writes, deletes = _rounds(
        lambda n: ContactFactory(sub_account=sub_account),
        create,
        lambda contact: _api(raw_key).delete(reverse("contact-detail", args=[contact.pk])),
    )

    assert set(writes) <= {CREATED, BAD_REQUEST}, writes
    assert deletes == {NO_CONTENT: ROUNDS}
    assert not Conversation.objects.for_account(sub_account).exists()
    _assert_no_orphans(sub_account)
    _assert_counters_exact(sub_account)


def test_a_message_racing_its_conversations_delete_answers_201_or_404_and_leaves_nothing(sub_account, raw_key):
    contact = ContactFactory(sub_account=sub_account)
    message = {"body": "Where is my order?", "direction": "inbound", "sender": "contact"}

    writes, deletes = _rounds(
        lambda n: ConversationFactory(sub_account=sub_account, contact=contact),
        lambda conversation: _api(raw_key).post(
            reverse("conversation-messages", args=[conversation.pk]), message, format="json"
        ),
        lambda conversation: _api(raw_key).delete(reverse("conversation-detail", args=[conversation.pk])),
    )

    assert set(writes) <= {CREATED, NOT_FOUND}, writes
    assert deletes == {NO_CONTENT: ROUNDS}
    assert not Message.objects.for_account(sub_account).exists()
    _assert_no_orphans(sub_account)
    _assert_counters_exact(sub_account)


def test_a_message_racing_the_delete_of_its_conversations_contact_answers_201_or_404(sub_account, raw_key):
    message = {"body": "Hello", "direction": "inbound", "sender": "contact"}

    writes, deletes = _rounds(
        lambda n: ConversationFactory(sub_account=sub_account, contact=ContactFactory(sub_account=sub_account)),
        lambda conversation: _api(raw_key).post(
            reverse("conversation-messages", args=[conversation.pk]), message, format="json"
        ),
        lambda conversation: _api(raw_key).delete(reverse("contact-detail", args=[conversation.contact_id])),
    )

    assert set(writes) <= {CREATED, NOT_FOUND}, writes
    assert deletes == {NO_CONTENT: ROUNDS}
    _assert_no_orphans(sub_account)
    _assert_counters_exact(sub_account)


def test_a_conversation_patch_racing_its_delete_answers_200_or_404(sub_account, raw_key):
    contact = ContactFactory(sub_account=sub_account)

    writes, deletes = _rounds(
        lambda n: ConversationFactory(sub_account=sub_account, contact=contact),
        lambda conversation: _api(raw_key).patch(
            reverse("conversation-detail", args=[conversation.pk]), {"status": "resolved"}, format="json"
        ),
        lambda conversation: _api(raw_key).delete(reverse("conversation-detail", args=[conversation.pk])),
    )

    assert set(writes) <= {OK, NOT_FOUND}, writes
    assert deletes == {NO_CONTENT: ROUNDS}
    assert _events("conversation.updated") == writes[OK]
    _assert_counters_exact(sub_account)


@pytest.mark.parametrize(
    ("method", "url_name", "body", "allowed"),
    [
        ("patch", "webhook-detail", {"description": "changed"}, {OK, NOT_FOUND}),
        ("post", "webhook-test", None, {HTTPStatus.ACCEPTED, NOT_FOUND}),
        ("post", "webhook-rotate-secret", None, {OK, NOT_FOUND}),
    ],
    ids=["update", "send-test", "rotate-secret"],
)
def test_a_webhook_endpoint_write_racing_its_delete_answers_cleanly(
    sub_account, raw_key, method, url_name, body, allowed
):
    def write(endpoint):
        return getattr(_api(raw_key), method)(reverse(url_name, args=[endpoint.pk]), body, format="json")

    writes, deletes = _rounds(
        lambda n: EndpointFactory(sub_account=sub_account),
        write,
        lambda endpoint: _api(raw_key).delete(reverse("webhook-detail", args=[endpoint.pk])),
    )

    assert set(writes) <= allowed, writes
    assert deletes == {NO_CONTENT: ROUNDS}
    _assert_no_orphans(sub_account)


def test_a_staff_bulk_tag_racing_the_delete_of_its_contacts_tags_only_those_that_remain(
    sub_account, raw_key, django_user_model
):
    from accounts.models import Membership

    user = django_user_model.objects.create_user("racer", password="x")
    Membership.objects.create(user=user, sub_account=sub_account, role=Membership.Role.ADMIN)

    def bulk_tag(contacts):
        staff = Client()
        staff.force_login(user)
        ids = [contact.pk for contact in contacts]
        return staff.post(
            reverse("contacts:bulk"), {"action": "add_tag", "scope": "selected", "ids": ids, "bulk_tag": "raced"}
        )

    writes, deletes = _rounds(
        lambda n: [ContactFactory(sub_account=sub_account) for _ in range(3)],
        bulk_tag,
        lambda contacts: _api(raw_key).delete(reverse("contact-detail", args=[contacts[0].pk])),
    )

    assert writes == {FOUND: ROUNDS}
    assert deletes == {NO_CONTENT: ROUNDS}
    # One event per contact that really gained the tag: it still holds it, or was deleted holding it.
    updated = [_payload(event)["data"]["id"] for event in Event.objects.unscoped().filter(type="contact.updated")]
    tagged = set(TaggedContact.objects.filter(sub_account=sub_account).values_list("content_object_id", flat=True))
    deleted_tagged = {
        _payload(event)["data"]["id"]
        for event in Event.objects.unscoped().filter(type="contact.deleted")
        if "raced" in _payload(event)["data"]["tags"]
    }
    assert sorted(updated) == sorted(tagged | deleted_tagged)
    _assert_no_orphans(sub_account)
    _assert_counters_exact(sub_account)
