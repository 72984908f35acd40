"""TenantQuerySet.read_compiled_once: a statement compiled once per process and shape, read with each queryset's
own sub-account, and never reused when it holds more than the sub-account."""

import uuid
from unittest import mock

import pytest
from django.db.models.sql.compiler import SQLCompiler

from accounts.tenancy import TenantNotNamed
from contacts.models import Contact
from contacts.representation import contact_to_dict
from contacts.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shape():
    """A shape no other test has compiled (the statements live for the process)."""
    return f"test-{uuid.uuid4().hex}"


def _page(sub_account, **filters):
    return Contact.objects.for_account(sub_account).with_tags().filter(**filters).order_by("name", "id")[:10]


def test_the_rows_are_those_the_orm_reads(sub_account, shape):
    ContactFactory(sub_account=sub_account, name="Ada", tags=["vip"], custom_fields={"plan": "pro"})
    ContactFactory(sub_account=sub_account, name="Bob")

    read = _page(sub_account).read_compiled_once(shape)

    assert [contact_to_dict(contact) for contact in read] == [contact_to_dict(c) for c in _page(sub_account)]
    assert read[0].tag_names == ["vip"]


def test_a_statement_compiled_for_one_sub_account_reads_the_next_ones_rows(sub_account, other_sub_account, shape):
    ContactFactory(sub_account=sub_account, name="Ada")
    ContactFactory(sub_account=other_sub_account, name="Bob", tags=["vip"])

    first = _page(sub_account).read_compiled_once(shape)
    second = _page(other_sub_account).read_compiled_once(shape)

    assert [contact.name for contact in first] == ["Ada"]
    assert [(contact.name, contact.tag_names) for contact in second] == [("Bob", ["vip"])]


def test_the_statement_is_compiled_once_per_shape(sub_account, other_sub_account, shape):
    _page(sub_account).read_compiled_once(shape)

    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql) as compiled:
        _page(other_sub_account).read_compiled_once(shape)

    assert compiled.call_count == 0


def test_another_slice_of_the_same_shape_reads_its_own_rows(sub_account, shape):
    for name in ["Ada", "Bob", "Cy"]:
        ContactFactory(sub_account=sub_account, name=name)
    contacts = Contact.objects.for_account(sub_account).with_tags().order_by("name", "id")

    assert [contact.name for contact in contacts[0:2].read_compiled_once(shape)] == ["Ada", "Bob"]
    assert [contact.name for contact in contacts[2:4].read_compiled_once(shape)] == ["Cy"]


def test_a_statement_holding_more_than_the_sub_account_is_never_reused(sub_account, shape):
    ContactFactory(sub_account=sub_account, name="Ada")
    ContactFactory(sub_account=sub_account, name="Bob")

    ada = _page(sub_account, name="Ada").read_compiled_once(shape)
    bob = _page(sub_account, name="Bob").read_compiled_once(shape)

    assert [contact.name for contact in ada] == ["Ada"]
    assert [contact.name for contact in bob] == ["Bob"]


def test_a_queryset_without_a_sub_account_is_refused(shape):
    with pytest.raises(TenantNotNamed):
        Contact.objects.order_by("name")[:10].read_compiled_once(shape)
