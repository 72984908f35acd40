"""An import and its revert on the contacts' timeline: one action, source import (or revert), the job's actor."""

import pytest

from contacts.history import ContactChange, Kind
from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from imports import services
from imports.tests.conftest import commit, dry_run, import_csv, upload, work

pytestmark = pytest.mark.django_db


def entries(sub_account, contact_id: str) -> list[ContactChange]:
    return list(ContactChange.objects.for_account(sub_account).filter(contact_id=contact_id).newest_first())


def test_each_contact_an_import_creates_gets_a_created_entry_attributed_to_the_import(sub_account):
    job = upload(sub_account, "name,email,tags\nAda,ada@example.com,vip\n")
    job.actor_label = "Grace (staff)"
    job.save(update_fields=["actor_label"])
    job = commit(dry_run(job))
    ada = Contact.objects.for_account(sub_account).get(email="ada@example.com")

    (entry,) = entries(sub_account, ada.pk)

    assert (entry.kind, entry.source, entry.ref, entry.actor_label) == (Kind.CREATED, "import", job.pk, "Grace (staff)")
    assert entry.changes["tags"] == {"from": None, "to": ["vip"]}


def test_a_contact_an_import_updates_gets_its_changes_from_and_to(sub_account):
    old = ContactFactory(sub_account=sub_account, name="Old name", email="ada@example.com")

    job = import_csv(sub_account, "name,email\nAda,ada@example.com\n")

    latest = entries(sub_account, old.pk)[0]
    assert (latest.kind, latest.source, latest.ref) == (Kind.CHANGED, "import", job.pk)
    assert latest.changes == {"name": {"from": "Old name", "to": "Ada"}}


def test_every_entry_of_one_import_shares_one_action(sub_account):
    import_csv(sub_account, "name,email\nAda,ada@example.com\nBob,bob@example.com\n")

    actions = set(ContactChange.objects.for_account(sub_account).filter(source="import").values_list("action_id"))

    assert len(actions) == 1


def test_a_reimport_that_changes_nothing_records_nothing(sub_account):
    content = "name,email\nAda,ada@example.com\n"
    import_csv(sub_account, content)
    before = ContactChange.objects.for_account(sub_account).count()

    import_csv(sub_account, content)

    assert ContactChange.objects.for_account(sub_account).count() == before


def test_a_revert_records_the_restored_values_as_a_revert_and_erases_the_created_contacts_history(sub_account):
    old = ContactFactory(sub_account=sub_account, name="Old name", email="ada@example.com")
    job = import_csv(sub_account, "name,email\nAda,ada@example.com\nBob,bob@example.com\n")
    bob = Contact.objects.for_account(sub_account).get(email="bob@example.com")

    services.import_revert(job=job)
    work()

    latest = entries(sub_account, old.pk)[0]
    assert (latest.source, latest.ref, latest.changes) == (
        "revert",
        job.pk,
        {"name": {"from": "Ada", "to": "Old name"}},
    )
    bob_entries = entries(sub_account, bob.pk)
    assert bob_entries[0].kind == Kind.DELETED
    assert all(entry.changes == {} for entry in bob_entries)
