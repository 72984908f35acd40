"""The staff workspace on the contact list: several-word search, the filter builder and its chips, columns
kept per user, saved views, the custom-fields page and typed fields on the contact page."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from contacts.models import ListPreference, SavedView
from contacts.tests.factories import ContactFactory
from contacts.workspace_services import custom_field_definition_create, saved_view_create

pytestmark = pytest.mark.django_db

LIST = reverse("contacts:list")


def _names(response) -> set[str]:
    assert response.status_code == HTTPStatus.OK
    return {contact.name for contact in response.context["contacts"]}


def test_the_page_searches_by_several_words_like_the_api(staff_client, sub_account):
    ContactFactory(sub_account=sub_account, name="Phonebook Walker")
    ContactFactory(sub_account=sub_account, name="École Walker")

    assert _names(staff_client.get(LIST, {"q": "walker phonebook"})) == {"Phonebook Walker"}
    assert _names(staff_client.get(LIST, {"q": "ECOLE"})) == {"École Walker"}


@pytest.mark.parametrize(
    ("builder", "expected_url_part", "names"),
    [
        ({"fb_field": "tag", "fb_op": "any", "fb_value": "vip, berlin"}, "tag_match=any", {"Ada", "Bob"}),
        ({"fb_field": "tag", "fb_op": "none", "fb_value": "vip"}, "tag_match=none", {"Bob", "Cy"}),
        ({"fb_field": "cf:seats", "fb_op": "min", "fb_value": "10"}, "custom_field_min.seats=10", {"Ada"}),
        ({"fb_field": "cf:", "fb_key": "plan", "fb_op": "is", "fb_value": "pro"}, "custom_field.plan=pro", {"Cy"}),
        ({"fb_field": "cf:plan", "fb_op": "unset"}, "custom_field_set.plan=false", {"Ada", "Bob"}),
        ({"fb_field": "cf:plan", "fb_op": "contains", "fb_value": "PR"}, "custom_field_contains.plan=PR", {"Cy"}),
    ],
)
def test_the_filter_builder_lands_on_a_url_holding_the_filter(
    staff_client, sub_account, builder, expected_url_part, names
):
    custom_field_definition_create(sub_account=sub_account, key="seats", label="Seats", type="number")
    ContactFactory(sub_account=sub_account, name="Ada", tags=["vip"], custom_fields={"seats": 12})
    ContactFactory(sub_account=sub_account, name="Bob", tags=["berlin"], custom_fields={"seats": 2})
    ContactFactory(sub_account=sub_account, name="Cy", custom_fields={"plan": "pro"})

    redirected = staff_client.get(LIST, builder)

    assert redirected.status_code == HTTPStatus.FOUND
    assert expected_url_part in redirected.url
    assert _names(staff_client.get(redirected.url)) == names


def test_an_incomplete_filter_is_said_and_changes_nothing(staff_client):
    response = staff_client.get(LIST, {"fb_field": "cf:seats", "fb_op": "min", "fb_value": "lots"}, follow=True)

    assert "That filter is not complete" in response.content.decode()
    assert response.context["state"].fields == ()


def test_a_field_filter_shows_as_a_removable_chip(staff_client, sub_account):
    custom_field_definition_create(sub_account=sub_account, key="seats", label="Seats", type="number")

    response = staff_client.get(LIST, {"custom_field_min.seats": "10", "q": "ada"})

    chip = response.context["field_chips"][0]
    assert chip["label"] == "Seats ≥ 10"
    assert "custom_field_min" not in chip["url"] and "q=ada" in chip["url"]


def test_columns_are_kept_per_user_and_a_defined_field_can_be_one(staff_client, sub_account, staff_user):
    custom_field_definition_create(sub_account=sub_account, key="plan", label="Plan", type="text")
    ContactFactory(sub_account=sub_account, name="Ada", custom_fields={"plan": "pro"})

    staff_client.post(reverse("contacts:columns"), {"columns": ["email", "cf:plan"], "compact": "1", "next": "/"})
    response = staff_client.get(LIST)

    assert response.context["shown_columns"] == ["email", "cf:plan"]
    assert response.context["compact"] is True
    assert ">Plan<" in response.content.decode().replace(" ", "") or "Plan" in response.content.decode()
    assert ListPreference.objects.for_account(sub_account).get(user=staff_user).columns == ["email", "cf:plan"]


def test_a_field_shown_as_column_is_a_default_column(staff_client, sub_account):
    custom_field_definition_create(sub_account=sub_account, key="plan", label="Plan", type="text", show_as_column=True)

    assert "cf:plan" in staff_client.get(LIST).context["shown_columns"]


def test_a_view_is_saved_from_the_list_and_opens_the_same_list(staff_client, sub_account, staff_user):
    ContactFactory(sub_account=sub_account, name="Ada", tags=["vip"])
    ContactFactory(sub_account=sub_account, name="Bob")
    state = staff_client.get(LIST, {"tag": "vip"}).context["view_query"]

    saved = staff_client.post(reverse("contacts:view-create"), {"name": "VIP", "query": state})
    view = SavedView.objects.for_account(sub_account).get()
    opened = staff_client.get(saved.url)

    assert (view.owner_id, view.shared) == (staff_user.pk, False)
    assert _names(opened) == {"Ada"}
    assert opened.context["opened_view"] == view


def test_a_private_view_of_another_user_is_not_found(staff_client, sub_account, admin_user_of_account):
    view = saved_view_create(sub_account=sub_account, owner_id=admin_user_of_account.pk, name="Mine", query="tag=x")

    response = staff_client.post(reverse("contacts:view-change", args=[view.pk]), {"do": "delete"})

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_views_are_renamed_moved_and_deleted(staff_client, sub_account, staff_user):
    first = saved_view_create(sub_account=sub_account, owner_id=staff_user.pk, name="First")
    second = saved_view_create(sub_account=sub_account, owner_id=staff_user.pk, name="Second")

    staff_client.post(reverse("contacts:view-change", args=[first.pk]), {"do": "rename", "name": "Renamed"})
    staff_client.post(reverse("contacts:view-change", args=[second.pk]), {"do": "up"})
    order = [view.name for view in SavedView.objects.for_account(sub_account).in_order()]
    staff_client.post(reverse("contacts:view-change", args=[second.pk]), {"do": "delete"})

    assert order == ["Second", "Renamed"]
    assert [view.name for view in SavedView.objects.for_account(sub_account)] == ["Renamed"]


def test_the_side_list_counts_each_view(staff_client, sub_account, staff_user):
    ContactFactory(sub_account=sub_account, name="Ada", tags=["vip"])
    view = saved_view_create(sub_account=sub_account, owner_id=staff_user.pk, name="VIP", query="tag=vip")

    html = staff_client.get(reverse("contacts:view-counts")).content.decode()

    assert f'id="view-count-{view.pk}"' in html and ">1<" in html


def test_a_bulk_action_on_all_matching_applies_to_a_views_filter(staff_client, sub_account):
    ContactFactory(sub_account=sub_account, name="Ada", custom_fields={"seats": 12})
    ContactFactory(sub_account=sub_account, name="Bob", custom_fields={"seats": 1})

    staff_client.post(
        reverse("contacts:bulk"),
        {"scope": "all", "custom_field_min.seats": "10", "action": "add_tag", "bulk_tag": "big"},
    )

    assert _names(staff_client.get(LIST, {"tag": "big"})) == {"Ada"}


def test_the_custom_fields_page_defines_and_edits_a_field(staff_client, sub_account):
    page = reverse("contacts:custom-fields")

    created = staff_client.post(page, {"key": "plan", "label": "Plan", "type": "select", "options": "free\npro"})
    refused = staff_client.post(page, {"key": "tier", "label": "Tier", "type": "select", "options": ""})
    definition = staff_client.get(page).context["definitions"][0]
    edited = staff_client.post(
        reverse("contacts:custom-field-edit", args=[definition.pk]), {"label": "Plan name", "type": "text"}
    )

    assert created.status_code == HTTPStatus.FOUND
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert "A select field needs at least one option." in refused.content.decode()
    assert edited.status_code == HTTPStatus.FOUND
    assert staff_client.get(page).context["definitions"][0].label == "Plan name"


def test_the_contact_page_shows_defined_fields_first_formatted_and_flags_a_misfit(staff_client, sub_account):
    custom_field_definition_create(sub_account=sub_account, key="renewal", label="Renewal", type="date")
    custom_field_definition_create(sub_account=sub_account, key="vat", label="VAT exempt", type="boolean")
    custom_field_definition_create(sub_account=sub_account, key="seats", label="Seats", type="number")
    contact = ContactFactory(
        sub_account=sub_account,
        name="Ada",
        custom_fields={"a_free": "x", "seats": 1200, "vat": True, "renewal": "2026-03-01"},
    )
    custom_field_definition_create(sub_account=sub_account, key="a_free", label="Free", type="number")

    html = staff_client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()

    assert html.index("Renewal") < html.index("VAT exempt") < html.index("Seats") < html.index("Free")
    assert "Mar 1, 2026" in html and "1,200" in html and ">yes<" in html
    assert "Does not fit this field: must be a number" in html


def test_the_form_reads_a_defined_number_and_keeps_a_misfit_until_edited(staff_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada", custom_fields={"seats": "many", "n": "1"})
    custom_field_definition_create(sub_account=sub_account, key="seats", label="Seats", type="number")
    custom_field_definition_create(sub_account=sub_account, key="n", label="N", type="number")
    edit = reverse("contacts:edit", args=[contact.pk])

    kept = staff_client.post(
        edit, {"name": "Ada", "phone_region": "US", "cf_key": ["seats", "n"], "cf_value": ["many", "3"]}
    )
    refused = staff_client.post(edit, {"name": "Ada", "phone_region": "US", "cf_key": ["seats"], "cf_value": ["lots"]})

    contact.refresh_from_db()
    assert kept.status_code == HTTPStatus.FOUND
    assert contact.custom_fields == {"seats": "many", "n": 3}
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert "must be a number" in refused.content.decode()


def test_phones_show_in_international_format_linked_to_e164(staff_client, sub_account):
    ContactFactory(sub_account=sub_account, name="Ada", phone="+16175550142")

    html = staff_client.get(LIST).content.decode()

    assert '<a href="tel:+16175550142">+1 617-555-0142</a>' in html
