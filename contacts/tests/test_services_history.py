"""The contact history as the services record it (no HTTP): what each write records, with whom and from where."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts import services
from contacts.history import ContactChange, Kind
from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from contacts_site.actions import acting
from contacts_site.errors import NotFound, NotYours, StaleVersion
from conversations.services import conversation_create
from webhooks.models import Event

pytestmark = pytest.mark.django_db


def entries(contact) -> list[ContactChange]:
    return list(ContactChange.objects.for_account(contact.sub_account_id).of_contact(contact.pk).newest_first())


def latest(contact) -> ContactChange:
    return entries(contact)[0]


def last_event(sub_account) -> dict:
    return json.loads(Event.objects.for_account(sub_account).order_by("-created_at", "-id")[0].payload)


# ---- what a write records


def test_creating_a_contact_records_the_values_it_was_created_with(sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada", email="ada@example.com", tags=["vip"])

    (entry,) = entries(contact)
    assert entry.kind == Kind.CREATED
    assert entry.changes == {
        "name": {"from": None, "to": "Ada"},
        "email": {"from": None, "to": "ada@example.com"},
        "tags": {"from": None, "to": ["vip"]},
    }


def test_a_write_outside_any_door_is_recorded_as_the_system(contact):
    services.contact_update(contact=contact, name="Changed")

    entry = latest(contact)
    assert (entry.source, entry.user_id, entry.api_key_id, entry.actor_label) == ("system", None, None, "")


def test_a_change_records_exactly_the_changes_its_webhook_event_carries(sub_account):
    contact = ContactFactory(sub_account=sub_account, phone="+14155552671", tags=["vip"], custom_fields={"a": 1})

    services.contact_update(contact=contact, phone="+16285550100", tags=["new"], custom_fields={"a": None, "b": 2})

    entry = latest(contact)
    assert entry.kind == Kind.CHANGED
    assert entry.changes == last_event(sub_account)["changes"]
    assert entry.changes["phone"] == {"from": "+14155552671", "to": "+16285550100"}
    assert entry.changes["custom_fields"] == {"from": {"a": 1}, "to": {"b": 2}}


def test_a_write_that_changes_nothing_records_nothing(sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada", tags=["vip"])
    before = ContactChange.objects.for_account(sub_account).count()

    services.contact_update(contact=contact, name="Ada", tags=["VIP"], custom_fields={})

    assert ContactChange.objects.for_account(sub_account).count() == before


def test_a_write_refused_by_validation_records_nothing(contact):
    before = len(entries(contact))

    with pytest.raises(ValidationError):
        services.contact_update(contact=contact, name="")

    assert len(entries(contact)) == before


def test_a_write_inside_an_import_carries_its_source_reference_and_action(contact):
    with acting(source="import", ref="imp_1", user_id=7, actor_label="Grace") as action:
        services.contact_update(contact=contact, name="Imported")

    entry = latest(contact)
    assert (entry.source, entry.ref, entry.user_id, entry.actor_label, entry.action_id) == (
        "import",
        "imp_1",
        7,
        "Grace",
        action.id,
    )


def test_starting_a_conversation_puts_it_on_the_timeline(contact):
    conversation = conversation_create(
        sub_account=contact.sub_account, contact=contact, channel="email", subject="Refund"
    )

    entry = latest(contact)
    assert entry.kind == Kind.CONVERSATION
    assert entry.changes == {"conversation_id": conversation.pk, "channel": "email", "subject": "Refund"}


# ---- bulk


def test_bulk_tagging_records_one_entry_per_contact_sharing_one_action_in_one_insert(sub_account):
    contacts = [ContactFactory(sub_account=sub_account, tags=["old"]) for _ in range(3)]

    with CaptureQueriesContext(connection) as queries:
        services.contact_bulk_add_tag(
            sub_account=sub_account, contacts=Contact.objects.for_account(sub_account), tag="vip"
        )

    added = [latest(contact) for contact in contacts]
    assert [entry.changes for entry in added] == [{"tags": {"from": ["old"], "to": ["old", "vip"]}}] * 3
    assert len({entry.action_id for entry in added}) == 1
    inserts = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "contacts_contactchange"')
    ]
    assert len(inserts) == 1


def test_bulk_untagging_records_what_each_contact_lost(sub_account):
    contact = ContactFactory(sub_account=sub_account, tags=["old", "vip"])
    untouched = ContactFactory(sub_account=sub_account, tags=["old"])
    before = len(entries(untouched))

    services.contact_bulk_remove_tag(
        sub_account=sub_account, contacts=Contact.objects.for_account(sub_account), tag="vip"
    )

    assert latest(contact).changes == {"tags": {"from": ["old", "vip"], "to": ["old"]}}
    assert len(entries(untouched)) == before


# ---- deletion erases


def test_deleting_a_contact_erases_the_personal_values_of_its_history(sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada Secret", email="ada@secret.example", phone=None)
    services.contact_update(contact=contact, phone="+14155552671")
    services.note_create(contact=contact, body="Lives at 1 Secret Street")
    conversation_create(sub_account=sub_account, contact=contact, channel="email", subject="Secret subject")

    with acting(source="ui", user_id=3, actor_label="Grace"):
        services.contact_delete(contact=contact)

    remaining = entries(contact)
    text = json.dumps([[entry.changes, entry.body] for entry in remaining])
    assert all(secret not in text for secret in ("Ada Secret", "secret.example", "4155552671", "Secret"))
    deletion = remaining[0]
    assert (deletion.kind, deletion.source, deletion.user_id, deletion.actor_label, deletion.changes) == (
        Kind.DELETED,
        "ui",
        3,
        "Grace",
        {},
    )
    assert [entry.kind for entry in remaining[1:]] == [Kind.CONVERSATION, Kind.CHANGED, Kind.CREATED]  # no note


def test_a_bulk_delete_records_each_deletion_under_one_action(sub_account):
    contacts = [ContactFactory(sub_account=sub_account) for _ in range(2)]

    services.contacts_delete(sub_account=sub_account, queryset=Contact.objects.for_account(sub_account))

    deletions = [latest(contact) for contact in contacts]
    assert [entry.kind for entry in deletions] == [Kind.DELETED, Kind.DELETED]
    assert deletions[0].action_id == deletions[1].action_id


def test_deleting_one_contact_leaves_the_history_of_the_others(sub_account):
    kept = ContactFactory(sub_account=sub_account, name="Kept")

    services.contact_delete(contact=ContactFactory(sub_account=sub_account))

    assert latest(kept).changes["name"] == {"from": None, "to": "Kept"}


# ---- notes


def test_a_note_is_written_by_whoever_acts_and_announced(contact):
    with acting(source="ui", user_id=5, actor_label="Grace"):
        note = services.note_create(contact=contact, body="Prefers email")

    assert (note.kind, note.body, note.user_id, note.actor_label) == (Kind.NOTE, "Prefers email", 5, "Grace")
    assert last_event(contact.sub_account)["type"] == "note.created"


@pytest.mark.parametrize("body", ["", "   \n ", "x" * 10_001, "bad \x00 text"])
def test_a_note_must_say_something_within_10000_valid_characters(contact, body):
    with pytest.raises(ValidationError) as error:
        services.note_create(contact=contact, body=body)

    assert "body" in error.value.message_dict


def test_a_note_on_a_contact_deleted_meanwhile_is_not_found(contact):
    stale = Contact.objects.for_account(contact.sub_account).get(pk=contact.pk)
    services.contact_delete(contact=contact)

    with pytest.raises(NotFound):
        services.note_create(contact=stale, body="Too late")


def test_its_author_edits_a_note_and_the_edit_is_announced(contact):
    with acting(source="ui", user_id=5):
        note = services.note_create(contact=contact, body="Prefers email")
        edited = services.note_update(note=note, body="Prefers phone")

    assert (edited.body, edited.edited_at is not None) == ("Prefers phone", True)
    assert last_event(contact.sub_account)["type"] == "note.updated"


def test_saving_a_note_unchanged_changes_nothing(contact):
    with acting(source="ui", user_id=5):
        note = services.note_create(contact=contact, body="Same")
        events = Event.objects.for_account(contact.sub_account).count()
        services.note_update(note=note, body="Same")

    assert Event.objects.for_account(contact.sub_account).count() == events
    assert ContactChange.objects.for_account(contact.sub_account).get(pk=note.pk).edited_at is None


@pytest.mark.parametrize("other", [{"source": "ui", "user_id": 6}, {"source": "api", "api_key_id": 9, "user_id": None}])
def test_nobody_but_its_author_edits_or_deletes_a_note(contact, other):
    with acting(source="ui", user_id=5):
        note = services.note_create(contact=contact, body="Mine")

    with acting(**other), pytest.raises(NotYours):
        services.note_update(note=note, body="Theirs")
    with acting(**other), pytest.raises(NotYours):
        services.note_delete(note=note)


def test_an_api_key_edits_and_deletes_the_notes_it_wrote(contact):
    with acting(source="api", api_key_id=9):
        note = services.note_create(contact=contact, body="Synced")
        services.note_update(note=note, body="Synced again")
        services.note_delete(note=note)

    assert not ContactChange.objects.for_account(contact.sub_account).notes().exists()
    assert last_event(contact.sub_account)["data"]["body"] == "Synced again"


# ---- revert


def _change_of(contact, **values) -> ContactChange:
    services.contact_update(contact=contact, **values)
    return latest(contact)


def test_reverting_a_change_restores_the_value_before_it_as_source_revert(sub_account):
    contact = ContactFactory(sub_account=sub_account, phone="+14155552671")
    change = _change_of(contact, phone="+16285550100")

    with acting(source="ui", user_id=5, actor_label="Grace"):
        reverted = services.contact_change_revert(contact=contact, change_id=change.pk, field="phone")

    assert reverted.phone == "+14155552671"
    entry = latest(contact)
    assert (entry.source, entry.ref, entry.user_id, entry.changes["phone"]["to"]) == (
        "revert",
        change.pk,
        5,
        "+14155552671",
    )


def test_reverting_a_tag_change_undoes_only_that_change(sub_account):
    contact = ContactFactory(sub_account=sub_account, tags=["a", "b"])
    change = _change_of(contact, tags=["a", "c"])
    services.contact_update(contact=contact, tags=["a", "c", "d"])

    reverted = services.contact_change_revert(contact=contact, change_id=change.pk, field="tags")

    assert reverted.tag_names == ["a", "b", "d"]


def test_reverting_one_custom_field_leaves_the_others(sub_account):
    contact = ContactFactory(sub_account=sub_account, custom_fields={"plan": "free", "seats": 1})
    change = _change_of(contact, custom_fields={"plan": "pro", "seats": 5})

    reverted = services.contact_change_revert(contact=contact, change_id=change.pk, field="custom_fields.plan")

    assert reverted.custom_fields == {"plan": "free", "seats": 5}


def test_reverting_to_the_value_already_there_records_nothing(sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada")
    change = _change_of(contact, name="Bea")
    services.contact_update(contact=contact, name="Ada")
    before = len(entries(contact))

    services.contact_change_revert(contact=contact, change_id=change.pk, field="name")

    assert len(entries(contact)) == before


def test_a_revert_honours_if_match(sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada")
    change = _change_of(contact, name="Bea")

    with pytest.raises(StaleVersion):
        services.contact_change_revert(contact=contact, change_id=change.pk, field="name", if_match=['"old"'])


def test_a_field_the_change_did_not_touch_cannot_be_reverted(sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada")
    change = _change_of(contact, name="Bea")

    with pytest.raises(ValidationError):
        services.contact_change_revert(contact=contact, change_id=change.pk, field="phone")


def test_another_contacts_change_is_not_found(sub_account):
    contact, other = ContactFactory(sub_account=sub_account), ContactFactory(sub_account=sub_account)
    change = _change_of(other, name="Bea")

    with pytest.raises(NotFound):
        services.contact_change_revert(contact=contact, change_id=change.pk, field="name")


# ---- the APIs the import and the merge call, the switch, retention


def test_with_history_switched_off_the_events_are_still_written(contact, settings):
    settings.CONTACT_HISTORY_ENABLED = False
    before = len(entries(contact))

    services.contact_update(contact=contact, name="Quiet")

    assert len(entries(contact)) == before
    assert last_event(contact.sub_account)["changes"]["name"]["to"] == "Quiet"


def test_pruning_deletes_the_entries_past_the_retention_but_keeps_notes(contact, settings):
    settings.CONTACT_HISTORY_RETENTION_DAYS = 30
    services.note_create(contact=contact, body="Keep me")
    ContactChange.objects.for_account(contact.sub_account).update(created_at=timezone.now() - timedelta(days=31))
    services.contact_update(contact=contact, name="Recent")

    call_command("prune_history")

    assert [entry.kind for entry in entries(contact)] == [Kind.CHANGED, Kind.NOTE]


def test_without_a_retention_pruning_deletes_nothing(contact, settings, capsys):
    settings.CONTACT_HISTORY_RETENTION_DAYS = None
    ContactChange.objects.for_account(contact.sub_account).update(created_at=timezone.now() - timedelta(days=3650))

    call_command("prune_history")

    assert len(entries(contact)) == 1
    assert "kept forever" in capsys.readouterr().out
