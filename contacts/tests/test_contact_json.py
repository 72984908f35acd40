"""One description of a contact's JSON: what `contact_to_dict` answers is what ContactSchemaSerializer documents."""

import pytest

from contacts.serializers import ContactSchemaSerializer
from contacts.tests.factories import ContactFactory
from contacts_site.tests.json_shapes import shape_mismatches
from conversations.tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/contacts"


@pytest.fixture
def full_contact(sub_account):
    """Every field set, so that no null hides a value of the wrong type."""
    contact = ContactFactory(
        sub_account=sub_account,
        name="Ada Lovelace",
        email="ada@example.com",
        phone="+14155552671",
        tags=["vip", "beta"],
        custom_fields={"company": "Acme", "seats": 12, "trial": False, "note": None},
    )
    ConversationFactory(contact=contact, messages=1)
    return contact


def test_a_contact_with_every_field_set_answers_exactly_the_documented_fields(api_client, full_contact):
    answer = api_client.get(f"{URL}/{full_contact.pk}").json()

    assert shape_mismatches(answer, ContactSchemaSerializer()) == []
    assert None not in answer.values()


def test_a_contact_with_only_a_name_answers_exactly_the_documented_fields(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Bare", email=None, phone=None)

    answer = api_client.get(f"{URL}/{contact.pk}").json()

    assert shape_mismatches(answer, ContactSchemaSerializer()) == []


def test_the_contacts_of_a_list_answer_exactly_the_documented_fields(api_client, full_contact, sub_account):
    ContactFactory(sub_account=sub_account, name="Bare", email=None, phone=None)

    data = api_client.get(URL).json()["data"]

    assert len(data) == 2
    assert [shape_mismatches(contact, ContactSchemaSerializer()) for contact in data] == [[], []]


def test_a_created_contact_answers_exactly_the_documented_fields(api_client):
    answer = api_client.post(URL, {"name": "New", "tags": ["x"]}, format="json").json()

    assert shape_mismatches(answer, ContactSchemaSerializer()) == []
