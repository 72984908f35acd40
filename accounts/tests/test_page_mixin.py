"""The tenant wall of the staff pages: SubAccountMixin owns the lookup of tenant objects, and a page cannot
replace it, as TenantScopedViewSet's subclasses cannot replace theirs."""

from http import HTTPStatus

import pytest
from django.urls import reverse
from django.views.generic import TemplateView

from accounts.api import TenantScopedViewSet
from accounts.mixins import SubAccountMixin
from contacts.models import Contact
from contacts.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["dispatch", "get_queryset", "get_object"])
def test_a_page_cannot_override_how_tenant_objects_are_looked_up(method):
    with pytest.raises(TypeError, match=method):
        type("SneakyPage", (SubAccountMixin, TemplateView), {method: lambda self, *args, **kwargs: None})


def test_a_page_that_inherits_from_a_page_cannot_override_the_lookup_either():
    class ContactPage(SubAccountMixin, TemplateView):
        model = Contact

    with pytest.raises(TypeError, match="get_object"):
        type("SneakierPage", (ContactPage,), {"get_object": lambda self, *args, **kwargs: None})


def test_a_page_narrows_its_own_sub_accounts_objects_in_scope_queryset(sub_account, other_sub_account):
    class AdaOnly(SubAccountMixin, TemplateView):
        model = Contact

        def scope_queryset(self, queryset):
            return queryset.filter(name="Ada")

    ContactFactory(sub_account=sub_account, name="Ada")
    ContactFactory(sub_account=sub_account, name="Bea")
    ContactFactory(sub_account=other_sub_account, name="Ada")
    page = AdaOnly()
    page.sub_account = sub_account

    assert [(contact.name, contact.sub_account_id) for contact in page.get_queryset()] == [("Ada", sub_account.pk)]


def test_an_api_viewset_cannot_override_get_queryset_either():
    with pytest.raises(TypeError, match="get_queryset"):
        type("SneakyViewSet", (TenantScopedViewSet,), {"get_queryset": lambda self: None})


def test_a_page_answers_not_found_for_another_sub_accounts_contact(staff_client, other_sub_account):
    theirs = ContactFactory(sub_account=other_sub_account)

    response = staff_client.get(reverse("contacts:detail", args=[theirs.pk]))

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_a_page_answers_not_found_for_an_id_holding_a_nul(staff_client):
    response = staff_client.get(reverse("contacts:detail", args=["ct_\x00"]))

    assert response.status_code == HTTPStatus.NOT_FOUND
