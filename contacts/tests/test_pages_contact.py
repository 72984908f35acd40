from http import HTTPStatus

import pytest
from django.urls import reverse

from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from conversations.tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db


def form_data(**overrides) -> dict:
    data = {"name": "Ada Lovelace", "email": "", "phone_region": "US", "phone": "", "tags_new": ""}
    data.update(overrides)
    return data


# ---- contact page


def test_the_contact_page_shows_every_field_tags_and_custom_fields(staff_client, sub_account):
    contact = ContactFactory(
        sub_account=sub_account,
        name="Ada Lovelace",
        email="ada@example.com",
        phone="+14155552671",
        tags=["vip"],
        custom_fields={"plan": "pro", "seats": 12},
    )
    html = staff_client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    for text in ["Ada Lovelace", "ada@example.com", "+14155552671", ">vip<", ">plan<", ">pro<", ">seats<", ">12<"]:
        assert text in html


def test_the_contact_page_lists_conversations_with_links(staff_client, sub_account):
    contact = ContactFactory(sub_account=sub_account)
    conversation = ConversationFactory(contact=contact, subject="Order late", messages=2)
    html = staff_client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert reverse("conversations:detail", args=[conversation.pk]) in html
    assert "Order late" in html
    assert "Email" in html  # channel
    assert "Open" in html  # status


def test_times_are_shown_in_the_viewers_timezone(staff_client, sub_account):
    contact = ContactFactory(sub_account=sub_account)
    Contact.objects.unscoped().filter(pk=contact.pk).update(created_at="2026-01-15T23:30:00Z")
    staff_client.cookies["tz"] = "Asia/Tokyo"
    html = staff_client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert "Jan 16, 2026, 08:30 JST" in html


def test_times_follow_the_timezone_cookie_as_the_pages_script_writes_it_percent_encoded(staff_client, sub_account):
    contact = ContactFactory(sub_account=sub_account)
    Contact.objects.unscoped().filter(pk=contact.pk).update(created_at="2026-01-15T23:30:00Z")
    staff_client.cookies["tz"] = "Asia%2FTokyo"
    html = staff_client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert "Jan 16, 2026, 08:30 JST" in html


def test_an_unknown_timezone_cookie_falls_back_to_utc(staff_client, sub_account):
    contact = ContactFactory(sub_account=sub_account)
    Contact.objects.unscoped().filter(pk=contact.pk).update(created_at="2026-01-15T23:30:00Z")
    staff_client.cookies["tz"] = "../../etc/passwd"
    html = staff_client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert "Jan 15, 2026, 23:30 UTC" in html


@pytest.mark.parametrize("page", ["contacts:detail", "contacts:edit", "contacts:delete"])
def test_another_sub_accounts_contact_is_not_found(staff_client, other_sub_account, page):
    contact = ContactFactory(sub_account=other_sub_account)
    assert staff_client.get(reverse(page, args=[contact.pk])).status_code == HTTPStatus.NOT_FOUND


def test_a_missing_contact_is_not_found(staff_client):
    assert staff_client.get(reverse("contacts:detail", args=["ct_nope"])).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("conversations", [1, 6])
def test_the_contact_page_costs_the_same_queries_whatever_the_data_size(
    staff_client, sub_account, django_assert_num_queries, conversations
):
    contact = ContactFactory(sub_account=sub_account, tags=["a", "b", "c"], custom_fields={"x": 1})
    for _ in range(conversations):
        ConversationFactory(contact=contact, messages=1)
    # session, user, memberships, contact with its tags, its conversations (with assignees), its timeline (and the ids merged into it); the identity
    # panel: the contact's match keys, one read per key (name, name+domain, email), the merges into it; the custom-field definitions
    with django_assert_num_queries(13):
        assert staff_client.get(reverse("contacts:detail", args=[contact.pk])).status_code == HTTPStatus.OK


# ---- create / edit


def test_creating_a_contact_saves_it_normalized_and_opens_it(staff_client, sub_account):
    response = staff_client.post(
        reverse("contacts:create"),
        form_data(
            email=" Ada@Example.COM ",
            phone="(415) 555-2671",
            tags=["VIP"],
            tags_new="beta, new",
            cf_key=["plan"],
            cf_value=["pro"],
        ),
    )
    contact = Contact.objects.get(sub_account=sub_account)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("contacts:detail", args=[contact.pk])
    assert contact.email == "ada@example.com"
    assert contact.phone == "+14155552671"
    assert contact.tag_names == ["beta", "new", "vip"]
    assert contact.custom_fields == {"plan": "pro"}


def test_the_phone_is_read_in_the_chosen_country(staff_client, sub_account):
    staff_client.post(reverse("contacts:create"), form_data(phone_region="DE", phone="030 901820"))
    assert Contact.objects.get(sub_account=sub_account).phone == "+4930901820"


def test_an_invalid_phone_is_refused_next_to_its_field_with_the_apis_wording(staff_client, sub_account, api_client):
    response = staff_client.post(reverse("contacts:create"), form_data(phone="12", email="ada@example.com"))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    api_message = api_client.post(reverse("contact-list"), {"name": "x", "phone": "12"}, format="json").json()
    html = response.content.decode()
    assert api_message["error"]["fields"]["phone"][0] in html
    assert 'id="id_phone_error"' in html
    assert 'aria-invalid="true" aria-describedby="id_phone_helptext id_phone_error"' in html
    assert not Contact.objects.unscoped().exists()


def test_nothing_typed_is_lost_when_the_form_comes_back(staff_client):
    response = staff_client.post(
        reverse("contacts:create"),
        form_data(
            phone="12",
            email="ada@example.com",
            tags=["vip"],
            tags_new="half-typed",
            cf_key=["plan", ""],
            cf_value=["pro", ""],
        ),
    )
    html = response.content.decode()
    assert 'value="ada@example.com"' in html
    assert 'value="12"' in html
    assert 'name="tags" value="vip"' in html
    assert 'name="tags" value="half-typed"' in html
    assert 'name="cf_key" value="plan"' in html
    assert 'name="cf_value" value="pro"' in html


def test_a_blank_name_is_refused_with_the_models_wording(staff_client):
    response = staff_client.post(reverse("contacts:create"), form_data(name="   "))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "This field cannot be blank." in response.content.decode()


def test_a_bad_email_is_refused_with_the_models_wording(staff_client):
    response = staff_client.post(reverse("contacts:create"), form_data(email="not-an-email"))
    assert "Enter a valid email address." in response.content.decode()


def test_a_taken_email_is_refused_with_a_link_to_the_existing_contact(staff_client, sub_account):
    existing = ContactFactory(sub_account=sub_account, name="Ada Original", email="ada@example.com")
    response = staff_client.post(reverse("contacts:create"), form_data(email="ADA@example.com"))
    html = response.content.decode()
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "A contact with this email already exists." in html
    assert f'href="{reverse("contacts:detail", args=[existing.pk])}"' in html
    assert Contact.objects.unscoped().count() == 1


def test_the_same_email_in_another_sub_account_is_no_conflict(staff_client, sub_account, other_sub_account):
    ContactFactory(sub_account=other_sub_account, email="ada@example.com")
    response = staff_client.post(reverse("contacts:create"), form_data(email="ada@example.com"))
    assert response.status_code == HTTPStatus.FOUND


def test_a_too_long_tag_is_refused_with_the_apis_wording(staff_client):
    response = staff_client.post(reverse("contacts:create"), form_data(tags_new="x" * 51))
    assert "Each tag must be 1–50 characters." in response.content.decode()


def test_a_duplicate_custom_field_name_is_refused_at_its_row(staff_client):
    response = staff_client.post(
        reverse("contacts:create"), form_data(cf_key=["plan", "plan"], cf_value=["pro", "free"])
    )
    html = response.content.decode()
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert 'id="cf-key-1-error"' in html
    assert "“plan” is already used by another field above." in html
    assert not Contact.objects.unscoped().exists()


def test_a_custom_field_value_without_a_name_is_refused_at_its_row(staff_client):
    response = staff_client.post(reverse("contacts:create"), form_data(cf_key=[""], cf_value=["orphan"]))
    assert "Give this field a name." in response.content.decode()


def test_a_too_long_custom_field_name_uses_the_models_wording(staff_client):
    response = staff_client.post(reverse("contacts:create"), form_data(cf_key=["k" * 65], cf_value=["v"]))
    assert "Custom field keys must be 1–64 characters." in response.content.decode()


def test_editing_shows_the_phone_in_e164_with_its_country(staff_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, phone="+4930901820")
    html = staff_client.get(reverse("contacts:edit", args=[contact.pk])).content.decode()
    assert 'value="+4930901820"' in html
    assert '<option value="DE" selected>' in html


def test_editing_replaces_tags_and_custom_fields_keeping_value_types(staff_client, sub_account):
    contact = ContactFactory(
        sub_account=sub_account, tags=["old"], custom_fields={"seats": 12, "trial": True, "plan": "pro", "gone": "x"}
    )
    response = staff_client.post(
        reverse("contacts:edit", args=[contact.pk]),
        form_data(
            name="Renamed",
            tags=["new"],
            cf_key=["seats", "trial", "plan", "zip"],
            cf_value=["15", "true", "free", "01234"],
        ),
    )
    assert response.status_code == HTTPStatus.FOUND
    contact.refresh_from_db()
    assert contact.name == "Renamed"
    assert contact.tag_names == ["new"]
    assert contact.custom_fields == {"seats": 15, "trial": True, "plan": "free", "zip": "01234"}


def test_editing_another_sub_accounts_contact_changes_nothing(staff_client, other_sub_account):
    contact = ContactFactory(sub_account=other_sub_account, name="Theirs")
    response = staff_client.post(reverse("contacts:edit", args=[contact.pk]), form_data(name="Mine now"))
    assert response.status_code == HTTPStatus.NOT_FOUND
    contact.refresh_from_db()
    assert contact.name == "Theirs"


@pytest.mark.parametrize("tags", [1, 12])
def test_the_edit_form_costs_the_same_queries_whatever_the_data_size(
    staff_client, sub_account, django_assert_num_queries, tags
):
    contact = ContactFactory(sub_account=sub_account, tags=[f"t{n}" for n in range(tags)])
    # session, user, memberships, contact with its tags, tag suggestions, custom-field definitions
    with django_assert_num_queries(6):
        assert staff_client.get(reverse("contacts:edit", args=[contact.pk])).status_code == HTTPStatus.OK


# ---- delete


def test_deleting_asks_first_then_deletes_and_says_so_on_the_list(staff_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada Lovelace")
    confirm = staff_client.get(reverse("contacts:delete", args=[contact.pk]))
    assert "Delete Ada Lovelace?" in confirm.content.decode()
    assert Contact.objects.unscoped().filter(pk=contact.pk).exists()
    response = staff_client.post(reverse("contacts:delete", args=[contact.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("contacts:list")
    assert "Deleted Ada Lovelace." in response.content.decode()
    assert not Contact.objects.unscoped().filter(pk=contact.pk).exists()


def test_deleting_another_sub_accounts_contact_is_not_found(staff_client, other_sub_account):
    contact = ContactFactory(sub_account=other_sub_account)
    assert staff_client.post(reverse("contacts:delete", args=[contact.pk])).status_code == HTTPStatus.NOT_FOUND
    assert Contact.objects.unscoped().filter(pk=contact.pk).exists()
