"""ContactFilter without HTTP: its form fields are built once per process (contacts_site.filters.BuiltOnceFilterSet),
and still every FilterSet validates and filters its own parameters."""

import pytest
from django.http import QueryDict

from contacts.filters import ContactFilter
from contacts.models import Contact
from contacts.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _filter(sub_account, query: str) -> ContactFilter:
    return ContactFilter(QueryDict(query), queryset=Contact.objects.for_account(sub_account), sub_account=sub_account)


def test_one_filtersets_error_does_not_reach_the_next(sub_account):
    refused = _filter(sub_account, "sort=shoe_size")
    accepted = _filter(sub_account, "sort=name")

    assert not refused.is_valid()
    assert accepted.is_valid()
    assert "sort" in refused.errors
    assert accepted.form.cleaned_data["sort"] == "name"


def test_each_filterset_searches_with_its_own_parameters(sub_account):
    ContactFactory(sub_account=sub_account, name="Ada Lovelace")
    ContactFactory(sub_account=sub_account, name="Grace Hopper")
    first, second = _filter(sub_account, "search=ada"), _filter(sub_account, "search=grace")

    assert first.is_valid() and second.is_valid()
    assert [contact.name for contact in first.qs] == ["Ada Lovelace"]
    assert [contact.name for contact in second.qs] == ["Grace Hopper"]


def test_filtersets_share_their_form_fields_but_not_their_filters(sub_account):
    first, second = _filter(sub_account, ""), _filter(sub_account, "")

    assert first.form.fields["search"] is second.form.fields["search"]
    assert first.filters["search"] is not second.filters["search"]
    assert first.filters["search"].parent is first
    assert second.filters["search"].parent is second
