from http import HTTPStatus

import pytest
from django.urls import reverse

from contacts.models import Contact, ContactTag
from contacts.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

CONTACTS_URL = reverse("contact-list")

CONTACT_KEYS = {
    "id",
    "name",
    "email",
    "phone",
    "tags",
    "custom_fields",
    "created_at",
    "updated_at",
    "last_conversation",
    "conversation_count",
}


def detail_url(contact_id: str) -> str:
    return reverse("contact-detail", args=[contact_id])


def test_creating_a_contact_answers_201_with_every_field_and_a_location(api_client):
    response = api_client.post(
        CONTACTS_URL,
        {
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "phone": "+14155552671",
            "tags": ["vip", "frequent"],
            "custom_fields": {"company": "Acme"},
        },
        format="json",
    )

    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    assert set(body) == CONTACT_KEYS
    assert body["id"].startswith("ct_")
    assert response["Location"].endswith(reverse("contact-detail", args=[body["id"]]))
    assert body["tags"] == ["frequent", "vip"]
    assert body["custom_fields"] == {"company": "Acme"}
    assert body["last_conversation"] is None
    assert body["conversation_count"] == 0
    assert body["created_at"].endswith("Z")


def test_a_contact_with_only_a_name_has_null_email_and_phone(api_client):
    response = api_client.post(CONTACTS_URL, {"name": "Grace"}, format="json")

    body = response.json()
    assert body["email"] is None
    assert body["phone"] is None
    assert body["tags"] == []
    assert body["custom_fields"] == {}


def test_blank_email_and_phone_are_stored_as_null(api_client):
    response = api_client.post(CONTACTS_URL, {"name": "Grace", "email": "", "phone": "  "}, format="json")

    assert response.json()["email"] is None
    assert response.json()["phone"] is None


def test_the_name_is_trimmed(api_client):
    response = api_client.post(CONTACTS_URL, {"name": "  Ada Lovelace \n"}, format="json")

    assert response.json()["name"] == "Ada Lovelace"


@pytest.mark.parametrize("name", ["", "   ", "x" * 256])
def test_a_blank_or_too_long_name_is_refused(api_client, name):
    response = api_client.post(CONTACTS_URL, {"name": name}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "name" in response.json()["error"]["fields"]


def test_a_name_of_255_characters_is_accepted(api_client):
    response = api_client.post(CONTACTS_URL, {"name": "x" * 255}, format="json")

    assert response.status_code == HTTPStatus.CREATED


def test_a_contact_without_a_name_is_refused_naming_the_field(api_client):
    response = api_client.post(CONTACTS_URL, {"email": "a@example.com"}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["fields"] == {"name": ["This field is required."]}


def test_the_email_is_stored_lowercased(api_client):
    response = api_client.post(CONTACTS_URL, {"name": "Ada", "email": "Ada.Lovelace@Example.COM"}, format="json")

    assert response.json()["email"] == "ada.lovelace@example.com"


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@example.com", "a b@example.com"])
def test_an_invalid_email_is_refused(api_client, email):
    response = api_client.post(CONTACTS_URL, {"name": "Ada", "email": email}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "email" in response.json()["error"]["fields"]


def test_a_duplicate_email_in_any_case_conflicts_and_names_the_existing_contact(api_client, sub_account):
    existing = ContactFactory(sub_account=sub_account, email="ada@example.com")

    response = api_client.post(CONTACTS_URL, {"name": "Ada again", "email": "ADA@example.com"}, format="json")

    assert response.status_code == HTTPStatus.CONFLICT
    error = response.json()["error"]
    assert error["code"] == "conflict"
    assert error["conflicts"] == [{"field": "email", "contact_id": existing.pk}]
    assert Contact.objects.filter(sub_account=sub_account).count() == 1


def test_the_same_email_may_exist_in_another_sub_account(api_client, other_sub_account):
    ContactFactory(sub_account=other_sub_account, email="ada@example.com")

    response = api_client.post(CONTACTS_URL, {"name": "Ada", "email": "ada@example.com"}, format="json")

    assert response.status_code == HTTPStatus.CREATED


@pytest.mark.parametrize("typed", ["(415) 555-2671", "+1 415-555-2671", "4155552671", "415.555.2671"])
def test_a_phone_in_any_format_is_stored_in_e164_using_the_sub_accounts_region(api_client, typed):
    response = api_client.post(CONTACTS_URL, {"name": "Ada", "phone": typed}, format="json")

    assert response.json()["phone"] == "+14155552671"


def test_a_national_phone_is_read_in_the_sub_accounts_own_region(other_api_client):
    response = other_api_client.post(CONTACTS_URL, {"name": "Ada", "phone": "020 7946 0958"}, format="json")

    assert response.json()["phone"] == "+442079460958"


@pytest.mark.parametrize("phone", ["123", "not a phone", "+1 555 000", "+99912345678"])
def test_an_unparseable_or_invalid_phone_is_refused(api_client, phone):
    response = api_client.post(CONTACTS_URL, {"name": "Ada", "phone": phone}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["fields"]["phone"] == ["Enter a valid phone number, e.g. +14155552671."]


def test_tags_are_lowercased_deduplicated_and_sorted(api_client):
    response = api_client.post(CONTACTS_URL, {"name": "Ada", "tags": ["VIP", "frequent", "vip "]}, format="json")

    assert response.json()["tags"] == ["frequent", "vip"]


@pytest.mark.parametrize(
    "tags",
    [["x" * 51], [""], "vip", [1], [f"tag{n}" for n in range(51)], {"vip": True}],
)
def test_invalid_tags_are_refused(api_client, tags):
    response = api_client.post(CONTACTS_URL, {"name": "Ada", "tags": tags}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "tags" in response.json()["error"]["fields"]


def test_fifty_tags_of_fifty_characters_are_accepted(api_client):
    tags = [f"{n:02d}" + "x" * 48 for n in range(50)]

    response = api_client.post(CONTACTS_URL, {"name": "Ada", "tags": tags}, format="json")

    assert response.status_code == HTTPStatus.CREATED
    assert len(response.json()["tags"]) == 50


def test_tags_belong_to_the_sub_account_that_uses_them(api_client, other_api_client, sub_account, other_sub_account):
    api_client.post(CONTACTS_URL, {"name": "Ada", "tags": ["vip"]}, format="json")
    other_api_client.post(CONTACTS_URL, {"name": "Bob", "tags": ["vip"]}, format="json")

    assert ContactTag.objects.filter(sub_account=sub_account, name="vip").count() == 1
    assert ContactTag.objects.filter(sub_account=other_sub_account, name="vip").count() == 1


@pytest.mark.parametrize(
    "custom_fields",
    [
        {"": "empty key"},
        {"k" * 65: "long key"},
        {"nested": {"a": 1}},
        {"list": [1, 2]},
        {f"key{n}": n for n in range(101)},
        {"big": "x" * 17000},
        "not an object",
        ["a"],
    ],
)
def test_invalid_custom_fields_are_refused(api_client, custom_fields):
    response = api_client.post(CONTACTS_URL, {"name": "Ada", "custom_fields": custom_fields}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "custom_fields" in response.json()["error"]["fields"]


def test_custom_fields_hold_strings_numbers_and_booleans(api_client):
    fields = {"company": "Acme", "seats": 12, "ltv": 99.5, "active": True, "k" * 64: "max key"}

    response = api_client.post(CONTACTS_URL, {"name": "Ada", "custom_fields": fields}, format="json")

    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["custom_fields"] == fields


def test_a_null_custom_field_in_a_create_is_not_stored_as_on_a_patch(api_client):
    response = api_client.post(
        CONTACTS_URL, {"name": "Ada", "custom_fields": {"plan": "pro", "referrer": None}}, format="json"
    )

    assert response.json()["custom_fields"] == {"plan": "pro"}


@pytest.mark.parametrize("field", ["id", "created_at", "updated_at", "last_conversation", "conversation_count"])
def test_a_read_only_field_in_the_body_is_refused(api_client, field):
    response = api_client.post(CONTACTS_URL, {"name": "Ada", field: "x"}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["fields"] == {field: ["This field is read-only."]}


def test_an_unknown_field_in_the_body_is_refused(api_client):
    response = api_client.post(CONTACTS_URL, {"name": "Ada", "nickname": "Countess"}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["fields"] == {"nickname": ["Unknown field."]}


@pytest.mark.parametrize("payload", [{"name": 42}, {"name": None}, {"name": "Ada", "email": 5}, {"name": ["Ada"]}])
def test_a_field_of_the_wrong_json_type_is_refused(api_client, payload):
    response = api_client.post(CONTACTS_URL, payload, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_a_failed_create_stores_nothing(api_client, sub_account):
    api_client.post(CONTACTS_URL, {"name": "Ada", "tags": ["new-tag"], "phone": "nope"}, format="json")

    assert not Contact.objects.filter(sub_account=sub_account).exists()
    assert not ContactTag.objects.filter(sub_account=sub_account).exists()


def test_patching_changes_only_the_fields_given(api_client, sub_account):
    contact = ContactFactory(
        sub_account=sub_account, name="Ada", email="ada@example.com", phone="+14155552671", tags=["vip"]
    )

    response = api_client.patch(detail_url(contact.pk), {"name": "Ada Lovelace"}, format="json")

    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["name"] == "Ada Lovelace"
    assert body["email"] == "ada@example.com"
    assert body["phone"] == "+14155552671"
    assert body["tags"] == ["vip"]


def test_patching_tags_replaces_the_set(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, tags=["vip", "old"])

    response = api_client.patch(detail_url(contact.pk), {"tags": ["new", "VIP"]}, format="json")

    assert response.json()["tags"] == ["new", "vip"]


def test_patching_custom_fields_merges_and_a_null_removes_a_key(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, custom_fields={"company": "Acme", "plan": "pro"})

    response = api_client.patch(
        detail_url(contact.pk), {"custom_fields": {"plan": "enterprise", "company": None, "seats": 3}}, format="json"
    )

    assert response.json()["custom_fields"] == {"plan": "enterprise", "seats": 3}


def test_patching_can_clear_the_email_and_phone_with_null(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, email="a@example.com", phone="+14155552671")

    response = api_client.patch(detail_url(contact.pk), {"email": None, "phone": None}, format="json")

    assert response.json()["email"] is None
    assert response.json()["phone"] is None


def test_patching_moves_updated_at(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account)
    before = contact.updated_at

    response = api_client.patch(detail_url(contact.pk), {"tags": ["vip"]}, format="json")

    assert response.json()["updated_at"] > before.isoformat().replace("+00:00", "Z")


def test_put_has_the_same_partial_meaning_as_patch(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada", email="ada@example.com")

    response = api_client.put(detail_url(contact.pk), {"phone": "4155552671"}, format="json")

    assert response.status_code == HTTPStatus.OK
    assert response.json()["name"] == "Ada"
    assert response.json()["email"] == "ada@example.com"
    assert response.json()["phone"] == "+14155552671"


def test_patching_to_another_contacts_email_conflicts_and_changes_nothing(api_client, sub_account):
    existing = ContactFactory(sub_account=sub_account, email="taken@example.com")
    contact = ContactFactory(sub_account=sub_account, name="Ada", email="ada@example.com", tags=["vip"])

    response = api_client.patch(
        detail_url(contact.pk), {"name": "Changed", "email": "Taken@example.com", "tags": []}, format="json"
    )

    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["error"]["conflicts"] == [{"field": "email", "contact_id": existing.pk}]
    contact.refresh_from_db()
    assert contact.name == "Ada"
    assert contact.tag_names == ["vip"]


def test_patching_a_contact_with_its_own_email_is_not_a_conflict(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, email="ada@example.com")

    response = api_client.patch(detail_url(contact.pk), {"email": "ADA@example.com"}, format="json")

    assert response.status_code == HTTPStatus.OK


@pytest.mark.parametrize("payload", [{"name": "Ada L."}, {"tags": ["new"]}, {"email": "ada@new.example"}])
def test_a_patch_answers_exactly_what_a_fresh_read_shows(api_client, sub_account, payload):
    contact = ContactFactory(sub_account=sub_account, name="Ada", tags=["vip", "early"], custom_fields={"plan": "pro"})

    patched = api_client.patch(detail_url(contact.pk), payload, format="json")

    fresh = api_client.get(detail_url(contact.pk))
    assert patched.json() == fresh.json()
    assert patched["ETag"] == fresh["ETag"]


def test_a_patch_that_keeps_the_email_reads_and_writes_in_a_fixed_number_of_queries(
    api_client, sub_account, django_assert_num_queries
):
    contact = ContactFactory(sub_account=sub_account, email="ada@example.com", tags=["vip"])
    ContactFactory(sub_account=sub_account, tags=["regular"])
    api_client.get(detail_url(contact.pk))  # the key's last use is written on its first request

    # Key; the contact (404 check); savepoint; the contact locked; its tags; the custom-field definitions
    # (custom fields are written); update; tags by name; its links; delete a link; insert a link; endpoints;
    # event; history entry; release. No email conflict check and no savepoint around the write (the email is
    # not changing), no read-back for the answer.
    with django_assert_num_queries(15):
        response = api_client.patch(
            detail_url(contact.pk), {"tags": ["regular"], "custom_fields": {"plan": "pro"}}, format="json"
        )

    assert response.status_code == HTTPStatus.OK


def test_a_failed_patch_changes_nothing(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada", tags=["vip"], custom_fields={"a": 1})

    response = api_client.patch(
        detail_url(contact.pk), {"name": "Changed", "tags": ["other"], "phone": "invalid"}, format="json"
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    contact.refresh_from_db()
    assert contact.name == "Ada"
    assert contact.tag_names == ["vip"]
    assert contact.custom_fields == {"a": 1}


def test_a_patch_whose_merged_custom_fields_exceed_the_limit_is_refused(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, custom_fields={f"k{n}": n for n in range(100)})

    response = api_client.patch(detail_url(contact.pk), {"custom_fields": {"one_more": 1}}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "custom_fields" in response.json()["error"]["fields"]


def test_patching_a_missing_contact_is_not_found(api_client):
    response = api_client.patch(detail_url("ct_missing"), {"name": "x"}, format="json")

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_getting_a_contact_returns_it(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, tags=["vip"])

    response = api_client.get(detail_url(contact.pk))

    assert response.status_code == HTTPStatus.OK
    assert response.json()["id"] == contact.pk
    assert response.json()["tags"] == ["vip"]


def test_getting_a_missing_contact_is_not_found(api_client):
    response = api_client.get(detail_url("ct_01NOSUCHCONTACT"))

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["error"]["code"] == "not_found"


def test_deleting_a_contact_answers_204_and_it_is_gone(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, tags=["vip"])

    response = api_client.delete(detail_url(contact.pk))

    assert response.status_code == HTTPStatus.NO_CONTENT
    assert api_client.get(detail_url(contact.pk)).status_code == HTTPStatus.NOT_FOUND


def test_deleting_a_contact_twice_is_not_found_the_second_time(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account)
    api_client.delete(detail_url(contact.pk))

    response = api_client.delete(detail_url(contact.pk))

    assert response.status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("path", [CONTACTS_URL, CONTACTS_URL + "/"])
def test_contact_paths_work_with_or_without_a_trailing_slash(api_client, path):
    assert api_client.post(path, {"name": "Ada"}, format="json").status_code == HTTPStatus.CREATED
    assert api_client.get(path).status_code == HTTPStatus.OK


def test_a_detail_path_works_with_a_trailing_slash(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account)

    assert api_client.get(detail_url(contact.pk) + "/").status_code == HTTPStatus.OK
