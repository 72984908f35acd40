"""Derived fields stay exact when many requests write to one contact at once (PostgreSQL only).

SQLite takes one writer at a time (IMMEDIATE transactions), so it cannot show a race; on PostgreSQL
these requests really interleave, and only the services' row lock and F() updates keep the counts right.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus

import pytest
from django.db import connection
from django.db.models import Max
from django.urls import reverse
from rest_framework.test import APIClient

from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from conversations.models import Conversation, Message

THREADS = 10
OWN_MESSAGES = 3  # per thread: the first message of a conversation it opens, then two more into it
SHARED_MESSAGES = 2  # per thread, into the one conversation every thread writes to
REPLY = {"direction": "outbound", "sender": "agent"}

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serializes writers, so concurrent requests cannot race there",
    ),
]


def test_fifty_concurrent_messages_to_one_contact_leave_every_count_exact(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account)
    shared_id = api_client.post(
        reverse("conversation-list"), {"contact_id": contact.pk, "channel": "web_chat"}, format="json"
    ).json()["id"]
    start = threading.Barrier(THREADS)
    failures = []

    def writer(number: int) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_client.raw_key}")

        def post(path: str, payload: dict) -> dict:
            response = client.post(path, payload, format="json")
            if response.status_code != HTTPStatus.CREATED:
                failures.append((path, response.status_code, response.content))
            return response.json()

        try:
            start.wait(timeout=30)
            first = {"body": f"Hello from {number}", "direction": "inbound", "sender": "contact"}
            own_id = post(reverse("conversation-list"), {"contact_id": contact.pk, "channel": "sms", "message": first})[
                "id"
            ]
            for turn in range(SHARED_MESSAGES):
                post(reverse("conversation-messages", args=[shared_id]), {"body": f"{number}:{turn}", **REPLY})
                post(reverse("conversation-messages", args=[own_id]), {"body": f"{number}.{turn}", **REPLY})
        finally:
            connection.close()  # each thread has its own connection; give it back

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        for future in [pool.submit(writer, number) for number in range(THREADS)]:
            future.result(timeout=60)  # re-raises here whatever went wrong in the thread

    assert failures == []
    total = THREADS * (OWN_MESSAGES + SHARED_MESSAGES)
    assert total == 50 == Message.objects.unscoped().filter(conversation__contact=contact).count()
    stored = Contact.objects.unscoped().get(pk=contact.pk)
    assert stored.conversation_count == THREADS + 1 == Conversation.objects.unscoped().filter(contact=contact).count()
    latest = (
        Message.objects.unscoped().filter(conversation__contact=contact).aggregate(latest=Max("created_at"))["latest"]
    )
    assert stored.last_conversation == latest
    shared = Conversation.objects.unscoped().get(pk=shared_id)
    assert shared.message_count == THREADS * SHARED_MESSAGES == shared.messages.count()
    assert shared.last_message_at == shared.messages.aggregate(latest=Max("created_at"))["latest"]
    for own in Conversation.objects.unscoped().filter(contact=contact).exclude(pk=shared_id):
        assert own.message_count == OWN_MESSAGES == own.messages.count()
        assert own.last_message_at == own.messages.aggregate(latest=Max("created_at"))["latest"]


def test_concurrent_creates_and_deletes_leave_the_contacts_fields_exact(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account)
    start = threading.Barrier(THREADS)

    def writer(number: int) -> list[int]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_client.raw_key}")
        statuses = []
        try:
            start.wait(timeout=30)
            created = []
            for turn in range(2):
                message = {"body": f"{number}.{turn}", "direction": "inbound", "sender": "contact"}
                response = client.post(
                    reverse("conversation-list"),
                    {"contact_id": contact.pk, "channel": "email", "message": message},
                    format="json",
                )
                statuses.append(response.status_code)
                created.append(response.json()["id"])
            # Delete the newer one: the contact's last_conversation must fall back, whatever the others do.
            statuses.append(client.delete(reverse("conversation-detail", args=[created[-1]])).status_code)
        finally:
            connection.close()
        return statuses

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        statuses = [
            status for future in [pool.submit(writer, n) for n in range(THREADS)] for status in future.result(60)
        ]

    assert statuses.count(HTTPStatus.CREATED) == 2 * THREADS
    assert statuses.count(HTTPStatus.NO_CONTENT) == THREADS
    stored = Contact.objects.unscoped().get(pk=contact.pk)
    remaining = Conversation.objects.unscoped().filter(contact=contact)
    assert stored.conversation_count == THREADS == remaining.count()
    assert stored.last_conversation == remaining.aggregate(latest=Max("last_activity_at"))["latest"]
