"""Property tests: any JSON value in any contact field is either stored and read back as written (in its
normalized form) or refused with 400 in the error shape. Never a 500, never a half-written contact."""

import json
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from contacts.validators import lower_keeping_length
from contacts_site.validation import normalize_text

pytestmark = pytest.mark.django_db

CONTACTS_URL = reverse("contact-list")

# Any JSON value: scalars (odd text included: NUL, surrogate-free unicode, blanks), lists and objects.
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=80)
    | st.sampled_from(["", " ", "\x00", "ada@example.com", "+1 415-555-2671", "(415) 555-2671", "İ" * 40])
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=70), children, max_size=5),
    max_leaves=12,
)
tag_lists = st.lists(st.text(max_size=60) | json_scalars, max_size=60)
custom_field_objects = st.dictionaries(st.text(max_size=70), json_values, max_size=8)

PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _json_equal(a, b) -> bool:
    """Equal as JSON: numbers compare by decimal value (PostgreSQL's jsonb returns 1e20 as 100000000000000000000)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return Decimal(repr(a)) == Decimal(repr(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_equal(a[key], b[key]) for key in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    return a == b


@pytest.fixture
def client(api_client, sub_account):
    sub_account.api_rate_limit = 1_000_000  # hundreds of examples a second
    sub_account.save()
    return api_client


def _assert_refused_cleanly(response) -> None:
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"


def _assert_round_trips(client, response) -> dict:
    """What the write answered is exactly what a read returns, and writing it back changes nothing."""
    body = response.json()
    read = client.get(reverse("contact-detail", args=[body["id"]])).json()
    assert _json_equal(read, body)
    again = client.patch(
        reverse("contact-detail", args=[body["id"]]),
        {field: body[field] for field in ("name", "email", "phone", "tags", "custom_fields")},
        format="json",
    )
    assert again.status_code == HTTPStatus.OK, again.content
    # PATCH merges custom fields and a null removes a key (documented); everything else must be unchanged.
    expected = {**body, "custom_fields": {k: v for k, v in body["custom_fields"].items() if v is not None}}
    assert _json_equal(_without_updated_at(again.json()), _without_updated_at(expected))
    return body


def _as_stored(custom_fields: dict) -> dict:
    """Custom fields as stored: text in NFC, and a null removes its key (on every write, create included)."""
    return {normalize_text(k): normalize_text(v) for k, v in custom_fields.items() if v is not None}


def _without_updated_at(contact: dict) -> dict:
    return {key: value for key, value in contact.items() if key != "updated_at"}


@PROPERTY_SETTINGS
@given(value=json_values)
@pytest.mark.parametrize("field", ["name", "email", "phone"])
def test_any_json_in_a_text_field_is_stored_as_normalized_or_refused(client, sub_account, field, value):
    Contact.objects.unscoped().all().delete()  # one test, many examples: each starts from no contacts
    payload = {"name": "Ada", field: value}

    response = client.post(CONTACTS_URL, payload, format="json")

    if response.status_code == HTTPStatus.CREATED:
        body = _assert_round_trips(client, response)
        assert isinstance(value, str) or (value is None and field != "name")
        if field == "name":
            assert body["name"] == normalize_text(value).strip()
        if field == "email":
            assert body["email"] == (normalize_text(value or "").strip().lower() or None)
    else:
        _assert_refused_cleanly(response)
        assert not Contact.objects.for_account(sub_account).exists()


@PROPERTY_SETTINGS
@given(value=json_values | tag_lists)
def test_any_json_as_tags_is_stored_as_a_clean_set_or_refused(client, sub_account, value):
    Contact.objects.unscoped().all().delete()
    response = client.post(CONTACTS_URL, {"name": "Ada", "tags": value}, format="json")

    if response.status_code == HTTPStatus.CREATED:
        body = _assert_round_trips(client, response)
        assert isinstance(value, list)
        assert body["tags"] == sorted({lower_keeping_length(normalize_text(tag).strip()) for tag in value})
    else:
        _assert_refused_cleanly(response)
        assert not Contact.objects.for_account(sub_account).exists()


@PROPERTY_SETTINGS
@given(value=json_values | custom_field_objects)
def test_any_json_as_custom_fields_is_stored_unchanged_or_refused(client, sub_account, value):
    Contact.objects.unscoped().all().delete()
    response = client.post(CONTACTS_URL, {"name": "Ada", "custom_fields": value}, format="json")

    if response.status_code == HTTPStatus.CREATED:
        body = _assert_round_trips(client, response)
        assert _json_equal(body["custom_fields"], _as_stored(value))
    else:
        _assert_refused_cleanly(response)
        assert not Contact.objects.for_account(sub_account).exists()


@PROPERTY_SETTINGS
@given(value=json_values | custom_field_objects)
def test_a_patch_of_custom_fields_merges_or_is_refused_leaving_the_contact_as_it_was(client, sub_account, value):
    Contact.objects.unscoped().all().delete()
    contact = ContactFactory(sub_account=sub_account, custom_fields={"plan": "pro"})
    before = json.dumps(client.get(reverse("contact-detail", args=[contact.pk])).json(), sort_keys=True)

    response = client.patch(reverse("contact-detail", args=[contact.pk]), {"custom_fields": value}, format="json")

    if response.status_code == HTTPStatus.OK:
        expected = _as_stored({"plan": "pro", **value})
        assert _json_equal(response.json()["custom_fields"], expected)
    else:
        _assert_refused_cleanly(response)
        assert json.dumps(client.get(reverse("contact-detail", args=[contact.pk])).json(), sort_keys=True) == before
