from http import HTTPStatus

import pytest
from django.urls import reverse

from accounts.tests.factories import MembershipFactory, UserFactory
from contacts.tests.factories import ContactFactory
from conversations.models import Conversation, Message
from conversations.tests.factories import ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada Lovelace")
    conversation = ConversationFactory(contact=contact, subject="Order late")
    MessageFactory(conversation=conversation, body="Where is my order?")
    MessageFactory(conversation=conversation, body="On its way!", direction="outbound", sender="agent")
    return conversation


def test_the_thread_is_a_log_with_inbound_and_outbound_told_apart(staff_client, conversation):
    html = staff_client.get(reverse("conversations:detail", args=[conversation.pk])).content.decode()
    assert 'role="log"' in html
    assert html.index("Where is my order?") < html.index("On its way!")
    assert 'class="message message--inbound"' in html
    assert 'class="message message--outbound"' in html
    assert '<label for="id_body">Reply' in html


def test_a_message_body_is_escaped(staff_client, conversation):
    MessageFactory(conversation=conversation, body="<img src=x onerror=alert(1)>")
    html = staff_client.get(reverse("conversations:detail", args=[conversation.pk])).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_replying_adds_an_outbound_agent_message_and_counts_it(staff_client, conversation):
    response = staff_client.post(reverse("conversations:reply", args=[conversation.pk]), {"body": "Refund sent."})
    assert response.status_code == HTTPStatus.FOUND
    message = Message.objects.unscoped().filter(conversation=conversation).latest("created_at")
    assert (message.body, message.direction, message.sender) == ("Refund sent.", "outbound", "agent")
    conversation.refresh_from_db()
    assert conversation.message_count == 3
    assert "Reply sent." in staff_client.get(response["Location"]).content.decode()


def test_a_blank_reply_is_refused_next_to_the_box_and_keeps_nothing(staff_client, conversation):
    response = staff_client.post(reverse("conversations:reply", args=[conversation.pk]), {"body": "   "})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    html = response.content.decode()
    assert 'id="id_body_error"' in html
    assert "This field cannot be blank." in html
    assert Message.objects.unscoped().filter(conversation=conversation).count() == 2


def test_changing_status_and_assignee(staff_client, conversation, staff_user):
    response = staff_client.post(
        reverse("conversations:update", args=[conversation.pk]), {"status": "resolved", "assignee": staff_user.pk}
    )
    assert response.status_code == HTTPStatus.FOUND
    conversation.refresh_from_db()
    assert (conversation.status, conversation.assignee) == ("resolved", staff_user)


def test_unassigning(staff_client, conversation, staff_user):
    Conversation.objects.unscoped().filter(pk=conversation.pk).update(assignee=staff_user)
    staff_client.post(reverse("conversations:update", args=[conversation.pk]), {"status": "open", "assignee": ""})
    conversation.refresh_from_db()
    assert conversation.assignee is None


def test_someone_outside_the_sub_account_cannot_be_assigned(staff_client, conversation, other_sub_account):
    outsider = UserFactory(username="outsider")
    MembershipFactory(user=outsider, sub_account=other_sub_account)
    response = staff_client.post(
        reverse("conversations:update", args=[conversation.pk]), {"status": "open", "assignee": outsider.pk}
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Select a valid choice." in response.content.decode()
    conversation.refresh_from_db()
    assert conversation.assignee is None


def test_an_unknown_status_is_refused(staff_client, conversation):
    response = staff_client.post(reverse("conversations:update", args=[conversation.pk]), {"status": "exploded"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    conversation.refresh_from_db()
    assert conversation.status == "open"


@pytest.mark.parametrize("page", ["conversations:detail", "conversations:reply", "conversations:update"])
def test_another_sub_accounts_conversation_is_not_found(staff_client, other_sub_account, page):
    theirs = ConversationFactory(contact=ContactFactory(sub_account=other_sub_account))
    method = staff_client.get if page == "conversations:detail" else staff_client.post
    response = method(reverse(page, args=[theirs.pk]), {"body": "hi", "status": "closed"})
    assert response.status_code == HTTPStatus.NOT_FOUND
    theirs.refresh_from_db()
    assert (theirs.message_count, theirs.status) == (0, "open")


@pytest.mark.parametrize("messages", [2, 15])
def test_the_conversation_page_costs_the_same_queries_whatever_the_data_size(
    staff_client, sub_account, django_assert_num_queries, messages
):
    conversation = ConversationFactory(contact=ContactFactory(sub_account=sub_account), messages=messages)
    # session, user, memberships, conversation (with contact and assignee), messages, assignable members
    with django_assert_num_queries(6):
        assert staff_client.get(reverse("conversations:detail", args=[conversation.pk])).status_code == HTTPStatus.OK
