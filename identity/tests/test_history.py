"""A merge and its undo on the contacts' timeline, and what deleting the survivor erases."""

import pytest

from contacts import services
from contacts.history import ContactChange, Kind
from contacts.identities import survivor_of
from contacts.tests.factories import ContactFactory
from contacts_site.actions import acting
from identity.models import Merge
from identity.services import contact_merge, merge_undo

pytestmark = pytest.mark.django_db


def timeline(contact_id: str, sub_account) -> list[ContactChange]:
    return list(ContactChange.objects.for_account(sub_account).of_contact(contact_id).newest_first())


@pytest.fixture
def merged(sub_account):
    """Ada (the survivor) and Bea merged into her, through an API key."""
    ada = ContactFactory(sub_account=sub_account, name="Ada", email="ada@example.com")
    bea = ContactFactory(sub_account=sub_account, name="Bea", email="bea@example.com", phone="+14155552671")
    services.contact_update(contact=bea, name="Bea Jones")
    with acting(source="api", api_key_id=7, actor_label="Zapier (ck_ab12…)"):
        _, merge = contact_merge(sub_account=sub_account, target_id=ada.pk, source_ids=[bea.pk])
    return ada, bea, merge


def test_a_merge_records_its_line_on_the_survivor_with_the_acting_key_and_source_merge(merged, sub_account):
    ada, bea, merge = merged

    (line,) = [entry for entry in timeline(ada.pk, sub_account) if entry.kind == Kind.MERGE]

    assert (line.source, line.ref, line.api_key_id) == ("merge", merge.pk, 7)
    assert line.changes == {"merged": [f"Bea Jones ({bea.pk})"]}


def test_the_survivors_fields_taken_from_the_source_are_recorded_as_changes_via_merge(merged, sub_account):
    ada, _, merge = merged

    changes = [entry for entry in timeline(ada.pk, sub_account) if entry.kind == Kind.CHANGED]

    assert changes[0].source == "merge" and changes[0].ref == merge.pk
    assert changes[0].changes["phone"] == {"from": None, "to": "+14155552671"}


def test_the_survivors_timeline_shows_the_merged_contacts_own_history(merged, sub_account):
    ada, bea, _ = merged

    contact_ids = {entry.contact_id for entry in timeline(ada.pk, sub_account)}

    assert contact_ids == {ada.pk, bea.pk}


def test_an_undo_gives_the_source_its_own_history_back_and_records_itself_as_a_revert(merged, sub_account):
    ada, bea, merge = merged

    merge_undo(sub_account=sub_account, merge_id=merge.pk)

    ada_kinds = [(entry.contact_id, entry.kind, entry.source) for entry in timeline(ada.pk, sub_account)]
    assert all(contact_id == ada.pk for contact_id, _, _ in ada_kinds)
    assert (ada.pk, Kind.MERGE, "revert") in ada_kinds
    bea_entries = timeline(bea.pk, sub_account)
    assert bea_entries[0].kind == Kind.MERGE and bea_entries[0].source == "revert"
    assert [entry.changes.get("name") for entry in bea_entries if entry.kind == Kind.CHANGED] == [
        {"from": "Bea", "to": "Bea Jones"}
    ]


def test_deleting_the_survivor_erases_the_values_of_the_merged_contacts_history_too(merged, sub_account):
    ada, bea, _ = merged

    services.contact_delete(contact=ada)

    bea_entries = ContactChange.objects.for_account(sub_account).filter(contact_id=bea.pk)
    assert bea_entries.exists()
    assert all(entry.changes == {} for entry in bea_entries)


def test_deleting_the_survivor_drops_the_merge_snapshots_and_the_merged_ids_tombstones(merged, sub_account):
    ada, bea, merge = merged

    services.contact_delete(contact=ada)

    assert not Merge.objects.for_account(sub_account).filter(pk=merge.pk).exists()
    assert survivor_of(sub_account.pk, bea.pk) is None
