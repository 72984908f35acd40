"""The tenant wall of the data layer (accounts.tenancy): a tenant table is read only by naming its
sub-account, the named sub-account is remembered, and `unscoped()` is the one way across tenants."""

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from accounts.tenancy import TenantModel, TenantNotNamed
from contacts.models import Contact, ContactTag
from contacts.tests.factories import ContactFactory
from conversations.tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db

TENANT_MODELS = sorted(
    (model for model in apps.get_models() if issubclass(model, TenantModel)), key=lambda model: model._meta.label
)
UNSCOPED_READS = {
    "listing": lambda queryset: list(queryset),
    "get": lambda queryset: queryset.get(),
    "first": lambda queryset: queryset.first(),
    "an index": lambda queryset: queryset[0],
    "count": lambda queryset: queryset.count(),
    "exists": lambda queryset: queryset.exists(),
    "iterator": lambda queryset: list(queryset.iterator()),
    "aggregate": lambda queryset: queryset.aggregate(rows=Count("pk")),
    "values": lambda queryset: list(queryset.values_list("pk", flat=True)),
    "update": lambda queryset: queryset.update(sub_account_id=None),
    "delete": lambda queryset: queryset.delete(),
}


def test_every_tenant_model_is_in_the_wall():
    labels = {model._meta.label for model in TENANT_MODELS}

    assert {"contacts.Contact", "conversations.Message", "webhooks.Event", "webhooks.DeliveryAttempt"} <= labels


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda model: model._meta.label)
@pytest.mark.parametrize("read", UNSCOPED_READS)
def test_an_unscoped_read_of_a_tenant_model_raises(model, read):
    with CaptureQueriesContext(connection) as queries, pytest.raises(TenantNotNamed, match=model._meta.label):
        UNSCOPED_READS[read](model.objects.filter(pk__isnull=False))

    assert queries.captured_queries == []


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda model: model._meta.label)
def test_a_read_that_names_the_sub_account_runs(model, sub_account):
    assert list(model.objects.for_account(sub_account)) == []


def test_a_filter_on_several_sub_accounts_is_not_a_named_tenant(sub_account, other_sub_account):
    with pytest.raises(TenantNotNamed):
        Contact.objects.filter(sub_account__in=[sub_account, other_sub_account]).count()


def test_for_account_refuses_anything_but_one_sub_account(sub_account):
    with pytest.raises(TypeError):
        Contact.objects.for_account(None)


def test_the_named_sub_account_is_remembered_through_chaining(sub_account):
    contacts = Contact.objects.for_account(sub_account).filter(name__startswith="A").order_by("name").values("pk")

    assert contacts.tenant_id == sub_account.pk
    assert contacts.tenant == sub_account


def test_with_tags_reads_the_tags_of_the_remembered_sub_account(sub_account):
    ContactFactory(sub_account=sub_account, name="Ada", tags=["vip", "beta"])

    (contact,) = Contact.objects.for_account(sub_account).with_tags()

    assert contact.tag_names == ["beta", "vip"]


def test_search_finds_within_the_remembered_sub_account_only(sub_account, other_sub_account):
    ContactFactory(sub_account=sub_account, name="Ada Lovelace")
    ContactFactory(sub_account=other_sub_account, name="Ada Byron")

    found = Contact.objects.for_account(sub_account).search("ada")

    assert [contact.name for contact in found] == ["Ada Lovelace"]


def test_a_sub_account_given_by_id_is_read_once_when_search_needs_its_region(sub_account):
    contacts = Contact.objects.for_account(sub_account.pk)

    assert contacts.tenant == sub_account
    assert contacts.search("+1 415 555 2671").count() == 0


def test_none_reads_nothing_without_a_sub_account():
    with CaptureQueriesContext(connection) as queries:
        assert list(Contact.objects.none()) == []

    assert queries.captured_queries == []


def test_unscoped_reads_every_sub_account(sub_account, other_sub_account):
    ContactFactory(sub_account=sub_account)
    ContactFactory(sub_account=other_sub_account)

    assert Contact.objects.unscoped().count() == 2


def test_a_related_manager_names_its_parents_sub_account(sub_account):
    contact = ContactFactory(sub_account=sub_account)
    ConversationFactory(contact=contact)

    with CaptureQueriesContext(connection) as queries:
        assert contact.conversations.count() == 1

    assert f'"sub_account_id" = {sub_account.pk}' in queries.captured_queries[0]["sql"]


def test_the_tags_of_a_sub_account_are_found_by_name_within_it(sub_account, other_sub_account):
    ContactFactory(sub_account=sub_account, tags=["vip"])
    ContactFactory(sub_account=other_sub_account, tags=["vip"])
    mine = ContactTag.objects.for_account(sub_account).get(name="vip")

    assert ContactTag.objects.for_account(sub_account).ids_named(["VIP"]) == [mine.pk]


def test_saving_a_contact_names_its_sub_account_in_the_update(sub_account):
    contact = ContactFactory(sub_account=sub_account)
    contact.name = "Renamed"

    with CaptureQueriesContext(connection) as queries:
        contact.save(update_fields=["name"])

    (update,) = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("UPDATE")]
    assert f'"sub_account_id" = {sub_account.pk}' in update


def test_naming_remembers_the_sub_account_the_queryset_names_without_reading_it(sub_account, django_assert_num_queries):
    contacts = Contact.objects.for_account(sub_account.pk).naming(sub_account)

    with django_assert_num_queries(0):
        assert contacts.tenant is sub_account


def test_naming_refuses_a_sub_account_the_queryset_does_not_name(sub_account, other_sub_account):
    with pytest.raises(TenantNotNamed):
        Contact.objects.for_account(sub_account.pk).naming(other_sub_account)
