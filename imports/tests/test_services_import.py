import pytest

from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from imports.models import ImportJob, ImportRowError
from imports.tests.conftest import commit, dry_run, import_csv, upload

pytestmark = pytest.mark.django_db


def contacts_of(sub_account):
    return {c.email: c for c in Contact.objects.for_account(sub_account).with_tags()}


def test_an_import_creates_the_contacts_of_the_file(sub_account):
    job = import_csv(sub_account, 'Name,Email,Phone,Tags\nAda,ada@example.com,(415) 555-2671,"vip,new"\n')
    assert job.status == ImportJob.Status.COMPLETED
    assert job.counts == {"created": 1, "updated": 0, "unchanged": 0, "errors": 0}
    ada = contacts_of(sub_account)["ada@example.com"]
    assert (ada.name, ada.phone, ada.tag_names) == ("Ada", "+14155552671", ["new", "vip"])
    sub_account.refresh_from_db()
    assert sub_account.contact_count == 1


def test_a_dry_run_writes_nothing_and_counts_what_would_happen(sub_account):
    ContactFactory(sub_account=sub_account, name="Old", email="old@example.com")
    job = dry_run(upload(sub_account, "name,email\nNew,new@example.com\nOlder,old@example.com\n,bad\n"))
    assert job.status == ImportJob.Status.CHECKED
    assert job.dry_run_counts == {"created": 1, "updated": 1, "unchanged": 0, "errors": 1}
    assert set(contacts_of(sub_account)) == {"old@example.com"}


def test_a_row_error_names_the_spreadsheet_row_the_column_and_the_message(sub_account):
    job = import_csv(sub_account, "name,email\nAda,ada@example.com\nBob,not-an-email\n")
    error = ImportRowError.objects.for_account(sub_account).get(job=job, dry_run=False)
    assert (error.row_number, error.column, error.message) == (3, "email", "Enter a valid email address.")
    assert job.counts["created"] == 1


def test_row_numbers_count_quoted_newlines_as_a_spreadsheet_does(sub_account):
    job = import_csv(sub_account, 'name,email,note\nAda,ada@example.com,"one\ntwo"\nBob,bad,"two\nlines"\n')
    error = ImportRowError.objects.for_account(sub_account).get(job=job, dry_run=False)
    assert error.row_number == 3
    assert contacts_of(sub_account)["ada@example.com"].custom_fields == {"note": "one\ntwo"}
    assert job.counts["errors"] == 1


def test_a_duplicate_email_in_the_file_is_reported_not_merged(sub_account):
    job = import_csv(sub_account, "name,email\nAda,ada@example.com\nAda again,ADA@example.com\n")
    error = ImportRowError.objects.for_account(sub_account).get(job=job, dry_run=False)
    assert (error.row_number, error.column) == (3, "email")
    assert "Duplicate" in error.message
    assert contacts_of(sub_account)["ada@example.com"].name == "Ada"


def test_an_existing_contact_matched_by_email_is_updated(sub_account):
    ContactFactory(sub_account=sub_account, name="Ada", email="ada@example.com", tags=["old"])
    job = import_csv(sub_account, "name,email,tags\nAda L.,ada@example.com,vip\n")
    assert job.counts["updated"] == 1
    ada = contacts_of(sub_account)["ada@example.com"]
    assert (ada.name, ada.tag_names) == ("Ada L.", ["old", "vip"])


def test_tags_can_replace_the_set(sub_account):
    ContactFactory(sub_account=sub_account, name="Ada", email="ada@example.com", tags=["old"])
    import_csv(sub_account, "name,email,tags\nAda,ada@example.com,vip\n", tags_mode="replace")
    assert contacts_of(sub_account)["ada@example.com"].tag_names == ["vip"]


def test_tags_for_every_row_are_added(sub_account):
    import_csv(sub_account, "name,email\nAda,ada@example.com\n", add_tags=["import-2026-12"])
    assert contacts_of(sub_account)["ada@example.com"].tag_names == ["import-2026-12"]


def test_a_blank_cell_leaves_the_field_by_default(sub_account):
    ContactFactory(sub_account=sub_account, name="Ada", email="ada@example.com", phone="+14155552671")
    job = import_csv(sub_account, "name,email,phone\nAda,ada@example.com,\n")
    assert job.counts["unchanged"] == 1
    assert contacts_of(sub_account)["ada@example.com"].phone == "+14155552671"


def test_a_blank_cell_clears_the_field_when_asked(sub_account):
    ContactFactory(sub_account=sub_account, name="Ada", email="ada@example.com", phone="+14155552671")
    job = import_csv(sub_account, "name,email,phone\nAda,ada@example.com,\n", blank="clear")
    assert job.counts["updated"] == 1
    assert contacts_of(sub_account)["ada@example.com"].phone is None


def test_national_phones_are_read_in_the_default_region_given(sub_account):
    import_csv(sub_account, "name,email,phone\nAda,ada@example.com,020 7946 0018\n", default_region="GB")
    assert contacts_of(sub_account)["ada@example.com"].phone == "+442079460018"


def test_matching_by_phone_updates_the_contact_with_that_number(sub_account):
    ContactFactory(sub_account=sub_account, name="Ada", email=None, phone="+14155552671")
    import_csv(sub_account, "name,phone\nAda Phone,+1 415 555 2671\n", match_by="phone")
    (ada,) = Contact.objects.for_account(sub_account)
    assert ada.name == "Ada Phone"


def test_matching_by_id_refuses_an_unknown_id(sub_account):
    job = import_csv(sub_account, "id,name\nct_nope,Ada\n", match_by="id")
    error = ImportRowError.objects.for_account(sub_account).get(job=job, dry_run=False)
    assert (error.column, error.message) == ("id", "No contact with this id.")


def test_always_create_refuses_an_email_already_taken(sub_account):
    ContactFactory(sub_account=sub_account, email="ada@example.com")
    job = import_csv(sub_account, "name,email\nAda,ada@example.com\n", match_by="none")
    error = ImportRowError.objects.for_account(sub_account).get(job=job, dry_run=False)
    assert error.message == "A contact with this email already exists."


def test_reimporting_the_same_file_changes_nothing_and_emits_nothing(sub_account):
    from webhooks.models import Event

    content = "name,email,tags,plan\nAda,ada@example.com,vip,pro\nBob,bob@example.com,,\n"
    import_csv(sub_account, content, add_tags=["batch"])
    events = Event.objects.for_account(sub_account).count()
    before = {c.email: c.updated_at for c in contacts_of(sub_account).values()}
    job = import_csv(sub_account, content, add_tags=["batch"])
    assert job.counts == {"created": 0, "updated": 0, "unchanged": 2, "errors": 0}
    assert {c.email: c.updated_at for c in contacts_of(sub_account).values()} == before
    assert Event.objects.for_account(sub_account).count() == events


def test_an_import_emits_one_summary_event(sub_account):
    from webhooks.models import Event

    import_csv(sub_account, "name,email\nAda,ada@example.com\nBob,bob@example.com\n")
    assert list(Event.objects.for_account(sub_account).values_list("type", flat=True)) == ["import.completed"]


def test_a_commit_is_refused_when_the_options_differ_from_the_dry_run(sub_account):
    from contacts_site.errors import Conflict
    from imports import services

    job = dry_run(upload(sub_account, "name,email\nAda,ada@example.com\n"))
    with pytest.raises(Conflict):
        services.import_commit(job=job, fingerprint="0" * 64)


def test_an_import_never_touches_another_sub_account(sub_account, other_sub_account):
    ContactFactory(sub_account=other_sub_account, name="Theirs", email="ada@example.com")
    job = import_csv(sub_account, "name,email\nMine,ada@example.com\n")
    assert job.counts["created"] == 1
    assert Contact.objects.for_account(other_sub_account).get().name == "Theirs"


def test_a_commit_uses_the_same_file_that_was_checked(sub_account):
    job = dry_run(upload(sub_account, "name,email\nAda,ada@example.com\n"))
    job = commit(job)
    assert job.rows_total == 1 and job.rows_done == 1
