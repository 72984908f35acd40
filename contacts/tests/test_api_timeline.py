"""The timeline through the API: who the API records as acting, the timeline, a field's history, notes, revert."""

from http import HTTPStatus

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import APIKey
from accounts.services import api_key_create
from contacts.history import ContactChange, Kind
from contacts.serializers import FieldValueSchemaSerializer, NoteSchemaSerializer, TimelineEntrySchemaSerializer
from contacts.services import contact_update, note_create
from contacts.tests.factories import ContactFactory
from contacts_site.actions import acting, current_action
from contacts_site.tests.json_shapes import shape_mismatches

pytestmark = pytest.mark.django_db


def timeline_url(contact, query: str = "") -> str:
    return reverse("contact-timeline-timeline", args=[contact.pk]) + query


def history_url(contact, field: str) -> str:
    return reverse("contact-timeline-history", args=[contact.pk]) + f"?field={field}"


def notes_url(contact) -> str:
    return reverse("contact-timeline-notes", args=[contact.pk])


def revert_url(contact) -> str:
    return reverse("contact-timeline-revert", args=[contact.pk])


def latest(contact) -> ContactChange:
    return ContactChange.objects.for_account(contact.sub_account_id).of_contact(contact.pk).newest_first()[0]


def the_key(client) -> APIKey:
    return APIKey.objects.get(prefix=client.raw_key[3:11])


# ---- who acts


def test_a_patch_through_the_api_is_recorded_as_its_key_by_name_and_prefix_never_its_secret(api_client, contact):
    response = api_client.patch(reverse("contact-detail", args=[contact.pk]), {"name": "Renamed"}, format="json")

    assert response.status_code == HTTPStatus.OK
    entry, key = latest(contact), the_key(api_client)
    assert (entry.source, entry.api_key_id, entry.user_id) == ("api", key.pk, None)
    assert entry.actor_label == f"test key ({key.display_prefix}…)"
    assert api_client.raw_key not in entry.actor_label


def test_a_contact_created_and_deleted_through_the_api_is_recorded_as_the_api(api_client):
    created = api_client.post(reverse("contact-list"), {"name": "Ada"}, format="json").json()
    api_client.delete(reverse("contact-detail", args=[created["id"]]))

    sources = ContactChange.objects.for_account(the_key(api_client).sub_account_id).values_list("kind", "source")
    assert sorted(sources) == [(Kind.CREATED, "api"), (Kind.DELETED, "api")]


def test_who_acted_in_one_request_does_not_leak_into_the_next(api_client, staff_client, contact):
    api_client.patch(reverse("contact-detail", args=[contact.pk]), {"name": "By the key"}, format="json")
    assert current_action().source == "system"  # the test runs the requests in this very thread

    staff_client.get(reverse("contacts:detail", args=[contact.pk]))
    contact_update(contact=contact, name="By nobody")

    assert (latest(contact).source, latest(contact).api_key_id, latest(contact).user_id) == ("system", None, None)


def test_an_api_no_op_records_nothing(api_client, contact):
    before = ContactChange.objects.for_account(contact.sub_account).count()

    api_client.patch(reverse("contact-detail", args=[contact.pk]), {"name": contact.name}, format="json")

    assert ContactChange.objects.for_account(contact.sub_account).count() == before


# ---- the timeline


def test_the_timeline_lists_changes_notes_and_conversations_newest_first_in_its_documented_shape(api_client, contact):
    contact_update(contact=contact, phone="+14155552671")
    note_create(contact=contact, body="Called")

    response = api_client.get(timeline_url(contact))

    assert response.status_code == HTTPStatus.OK
    data = response.json()["data"]
    assert [entry["kind"] for entry in data] == ["note", "changed", "created"]
    assert data[1]["changes"] == {"phone": {"from": None, "to": "+14155552671"}}
    assert all(shape_mismatches(entry, TimelineEntrySchemaSerializer()) == [] for entry in data)


def test_the_timeline_filters_by_kind_and_by_source(api_client, contact):
    contact_update(contact=contact, name="By the system")
    api_client.patch(reverse("contact-detail", args=[contact.pk]), {"name": "By the key"}, format="json")

    changed = api_client.get(timeline_url(contact, "?kind=changed")).json()["data"]
    from_api = api_client.get(timeline_url(contact, "?source=api")).json()["data"]

    assert [entry["kind"] for entry in changed] == ["changed", "changed"]
    assert [entry["changes"]["name"]["to"] for entry in from_api] == ["By the key"]


def test_the_timeline_refuses_an_unknown_kind(api_client, contact):
    response = api_client.get(timeline_url(contact, "?kind=gossip"))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "kind" in response.json()["error"]["fields"]


def test_the_timeline_pages_with_a_cursor(api_client, contact):
    for name in ("One", "Two", "Three"):
        contact_update(contact=contact, name=name)

    first = api_client.get(timeline_url(contact, "?limit=2")).json()
    second = api_client.get(timeline_url(contact, f"?limit=2&cursor={first['next_cursor']}")).json()

    names = [entry["changes"]["name"]["to"] for entry in first["data"] + second["data"]]
    assert names == ["Three", "Two", "One", contact.name]  # the last: its creation
    assert second["has_more"] is False


def test_another_sub_accounts_contact_has_no_timeline(api_client, other_sub_account):
    other = ContactFactory(sub_account=other_sub_account)

    assert api_client.get(timeline_url(other)).status_code == HTTPStatus.NOT_FOUND


# ---- a field's history


def test_a_fields_history_lists_the_values_it_has_had_with_source_and_actor(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, phone="+14155552671")
    api_client.patch(reverse("contact-detail", args=[contact.pk]), {"phone": "+16285550100"}, format="json")
    contact_update(contact=contact, name="Not a phone change")

    data = api_client.get(history_url(contact, "phone")).json()["data"]

    assert [(item["from"], item["to"], item["source"]) for item in data] == [
        ("+14155552671", "+16285550100", "api"),
        (None, "+14155552671", "system"),
    ]
    assert data[0]["actor"]["api_key_id"] == the_key(api_client).pk
    assert shape_mismatches(data[0], FieldValueSchemaSerializer()) == []


@pytest.mark.parametrize("query", ["", "?field=", "?field=password"])
def test_a_fields_history_needs_a_known_field(api_client, contact, query):
    response = api_client.get(reverse("contact-timeline-history", args=[contact.pk]) + query)

    assert response.status_code == HTTPStatus.BAD_REQUEST


# ---- notes


def test_a_key_adds_a_note_and_reads_it_back(api_client, contact):
    created = api_client.post(notes_url(contact), {"body": "Prefers email\nafter 5pm"}, format="json")
    listed = api_client.get(notes_url(contact))

    assert created.status_code == HTTPStatus.CREATED
    note = created.json()
    assert shape_mismatches(note, NoteSchemaSerializer()) == []
    assert (note["body"], note["source"], note["author"]["api_key_id"]) == (
        "Prefers email\nafter 5pm",
        "api",
        the_key(api_client).pk,
    )
    assert [item["id"] for item in listed.json()["data"]] == [note["id"]]


@pytest.mark.parametrize("body", [{}, {"body": ""}, {"body": 12}, {"body": "x", "author": "me"}])
def test_a_bad_note_is_a_400_in_the_error_shape(api_client, contact, body):
    response = api_client.post(notes_url(contact), body, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "error" in response.json()


def test_a_key_edits_and_deletes_its_own_note(api_client, contact):
    note = api_client.post(notes_url(contact), {"body": "Draft"}, format="json").json()
    url = reverse("note-detail", args=[note["id"]])

    edited = api_client.patch(url, {"body": "Final"}, format="json")
    deleted = api_client.delete(url)

    assert (edited.status_code, edited.json()["body"]) == (HTTPStatus.OK, "Final")
    assert edited.json()["edited_at"] is not None
    assert deleted.status_code == HTTPStatus.NO_CONTENT
    assert api_client.get(notes_url(contact)).json()["data"] == []


def test_a_patch_of_a_note_without_a_body_changes_nothing(api_client, contact):
    note = api_client.post(notes_url(contact), {"body": "Draft"}, format="json").json()

    response = api_client.patch(reverse("note-detail", args=[note["id"]]), {}, format="json")

    assert (response.status_code, response.json()) == (HTTPStatus.OK, note)


def test_another_key_of_the_same_sub_account_cannot_change_a_note(api_client, sub_account, contact):
    note = api_client.post(notes_url(contact), {"body": "Mine"}, format="json").json()
    _, raw_key = api_key_create(sub_account=sub_account, name="second key")
    second_key = APIClient()
    second_key.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")

    response = second_key.patch(reverse("note-detail", args=[note["id"]]), {"body": "Theirs"}, format="json")

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["error"]["code"] == "forbidden"


def test_a_staff_members_note_cannot_be_changed_through_the_api(api_client, contact, staff_user):
    with acting(source="ui", user_id=staff_user.pk):
        note = note_create(contact=contact, body="Staff only")

    response = api_client.delete(reverse("note-detail", args=[note.pk]))

    assert response.status_code == HTTPStatus.FORBIDDEN


def test_a_change_entry_is_not_a_note(api_client, contact):
    entry = latest(contact)

    response = api_client.patch(reverse("note-detail", args=[entry.pk]), {"body": "x"}, format="json")

    assert response.status_code == HTTPStatus.NOT_FOUND


# ---- revert


def test_reverting_through_the_api_restores_the_value_and_answers_the_contact(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada")
    contact_update(contact=contact, name="Bea")

    response = api_client.post(revert_url(contact), {"change_id": latest(contact).pk, "field": "name"}, format="json")

    assert response.status_code == HTTPStatus.OK
    assert response.json()["name"] == "Ada"
    assert response["ETag"]
    assert (latest(contact).source, latest(contact).api_key_id) == ("revert", the_key(api_client).pk)


def test_a_revert_with_a_stale_if_match_is_refused(api_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada")
    contact_update(contact=contact, name="Bea")

    response = api_client.post(
        revert_url(contact),
        {"change_id": latest(contact).pk, "field": "name"},
        format="json",
        HTTP_IF_MATCH='"stale"',
    )

    assert response.status_code == HTTPStatus.PRECONDITION_FAILED


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"change_id": "hst_nope", "field": "name"}, HTTPStatus.NOT_FOUND),
        ({"change_id": "hst_nope", "field": "password"}, HTTPStatus.BAD_REQUEST),
        ({"change_id": "hst\u008f", "field": "name"}, HTTPStatus.BAD_REQUEST),
        ({"field": "name"}, HTTPStatus.BAD_REQUEST),
    ],
)
def test_a_revert_of_nothing_known_is_refused(api_client, contact, body, status):
    assert api_client.post(revert_url(contact), body, format="json").status_code == status
