"""The timeline on the contact page, and who the staff pages and the admin record as acting."""

from http import HTTPStatus

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from contacts.history import ContactChange, Kind
from contacts.models import Contact
from contacts.services import contact_update, note_create
from contacts.tests.factories import ContactFactory
from contacts.tests.test_admin import _edit
from contacts.timeline import TIMELINE_PAGE_SIZE
from contacts_site.actions import acting

pytestmark = pytest.mark.django_db


def entries(contact) -> list[ContactChange]:
    return list(ContactChange.objects.for_account(contact.sub_account_id).of_contact(contact.pk).newest_first())


def latest(contact) -> ContactChange:
    return entries(contact)[0]


def detail(client, contact) -> str:
    response = client.get(reverse("contacts:detail", args=[contact.pk]))
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


# ---- who acts, through each door


def test_an_edit_on_the_staff_pages_is_recorded_as_the_signed_in_user(staff_client, staff_user, contact):
    staff_client.post(
        reverse("contacts:edit", args=[contact.pk]),
        {"name": "Renamed", "email": contact.email, "phone_region": "US", "phone": "", "tags_new": ""},
    )

    entry = latest(contact)
    assert (entry.source, entry.user_id, entry.actor_label, entry.api_key_id) == ("ui", staff_user.pk, "agent", None)


def test_a_bulk_tag_on_the_staff_pages_records_each_contact_under_one_action_of_the_user(
    staff_client, staff_user, sub_account
):
    contacts = ContactFactory.create_batch(2, sub_account=sub_account)

    staff_client.post(
        reverse("contacts:bulk"),
        {"action": "add_tag", "bulk_tag": "vip", "scope": "selected", "ids": [c.pk for c in contacts]},
    )

    tagged = [latest(contact) for contact in contacts]
    assert [(entry.source, entry.user_id) for entry in tagged] == [("ui", staff_user.pk)] * 2
    assert tagged[0].action_id == tagged[1].action_id


def test_a_bulk_untag_on_the_staff_pages_is_recorded_as_the_user(staff_client, staff_user, sub_account):
    contact = ContactFactory(sub_account=sub_account, tags=["vip"])

    staff_client.post(
        reverse("contacts:bulk"), {"action": "remove_tag", "bulk_tag": "vip", "scope": "selected", "ids": [contact.pk]}
    )

    assert (latest(contact).changes, latest(contact).source) == ({"tags": {"from": ["vip"], "to": []}}, "ui")


def test_a_bulk_delete_on_the_staff_pages_records_each_deletion_as_the_user(staff_client, staff_user, sub_account):
    contacts = ContactFactory.create_batch(2, sub_account=sub_account, tags=["gone"])

    staff_client.post(
        reverse("contacts:bulk"),
        {"action": "delete", "scope": "all", "tag": "gone", "confirmed": "on", "expected": "2"},
    )

    deletions = [latest(contact) for contact in contacts]
    assert [(entry.kind, entry.source, entry.user_id) for entry in deletions] == [
        (Kind.DELETED, "ui", staff_user.pk)
    ] * 2
    assert deletions[0].action_id == deletions[1].action_id


def test_an_edit_in_the_admin_is_recorded_as_the_admin_and_its_user(client, sub_account):
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw-not-used")
    client.force_login(root)
    contact = ContactFactory(sub_account=sub_account, name="Ada")

    _edit(client, contact, name="Ada Admin")

    entry = latest(contact)
    assert (entry.source, entry.user_id, entry.actor_label, entry.changes["name"]["to"]) == (
        "admin",
        root.pk,
        "root",
        "Ada Admin",
    )


def test_a_page_that_changes_nothing_records_nothing(staff_client, contact):
    before = len(entries(contact))

    staff_client.post(
        reverse("contacts:edit", args=[contact.pk]),
        {"name": contact.name, "email": contact.email, "phone_region": "US", "phone": "", "tags_new": ""},
    )

    assert len(entries(contact)) == before


# ---- the panel


def test_the_contact_page_shows_each_entry_in_one_readable_line(staff_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, phone="+14155552671")
    with acting(source="api", api_key_id=1, actor_label="Zapier (ck_ab12cd34…)"):
        contact_update(contact=contact, phone="+16285550100")

    page = detail(staff_client, contact)

    assert "Phone changed from +14155552671 to +16285550100" in page
    assert "by Zapier (ck_ab12cd34…), via API" in page
    assert 'id="timeline"' in page


def test_a_note_added_on_the_page_appears_on_the_timeline_with_its_author(staff_client, contact):
    response = staff_client.post(
        reverse("contacts:note-create", args=[contact.pk]), {"body": "Prefers email", "form_token": "t1"}, follow=True
    )

    page = response.content.decode()
    assert "Note added." in page
    assert "<p>Prefers email</p>" in page
    assert "by agent, via staff app" in page


def test_a_note_sent_twice_by_a_reload_is_added_once(staff_client, contact):
    for _ in range(2):
        staff_client.post(reverse("contacts:note-create", args=[contact.pk]), {"body": "Once", "form_token": "t2"})

    assert ContactChange.objects.for_account(contact.sub_account).notes().count() == 1


def test_an_empty_note_shows_the_page_again_with_the_error_next_to_the_box(staff_client, contact):
    response = staff_client.post(reverse("contacts:note-create", args=[contact.pk]), {"body": "  "})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "This field cannot be blank." in response.content.decode()


def test_a_notes_text_is_shown_with_its_line_breaks_and_links_and_nothing_it_could_run(staff_client, contact):
    note_create(
        contact=contact,
        body='<script>alert("x")</script>\nSee https://example.com/a?b=1 and javascript:alert(1)\n\nNext',
    )

    page = detail(staff_client, contact)

    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>" in page
    assert '<a href="https://example.com/a?b=1" rel="nofollow">https://example.com/a?b=1</a>' in page
    assert 'href="javascript:' not in page
    assert "<p>Next</p>" in page


def test_its_author_edits_and_deletes_a_note_from_the_page(staff_client, staff_user, contact):
    with acting(source="ui", user_id=staff_user.pk):
        note = note_create(contact=contact, body="Draft")
    url = reverse("contacts:note-change", args=[contact.pk, note.pk])

    staff_client.post(url, {"body": "Final"})
    assert ContactChange.objects.for_account(contact.sub_account).get(pk=note.pk).body == "Final"
    staff_client.post(url, {"delete": "1"})

    assert not ContactChange.objects.for_account(contact.sub_account).notes().exists()


def test_an_edit_that_empties_a_note_keeps_it_and_says_why(staff_client, staff_user, contact):
    with acting(source="ui", user_id=staff_user.pk):
        note = note_create(contact=contact, body="Keep")

    response = staff_client.post(
        reverse("contacts:note-change", args=[contact.pk, note.pk]), {"body": "   "}, follow=True
    )

    assert "The note was not saved" in response.content.decode()
    assert ContactChange.objects.for_account(contact.sub_account).get(pk=note.pk).body == "Keep"


def test_another_users_note_offers_no_edit_and_refuses_one(staff_client, contact):
    with acting(source="ui", user_id=999_999, actor_label="Someone else"):
        note = note_create(contact=contact, body="Not yours")

    page = detail(staff_client, contact)
    response = staff_client.post(reverse("contacts:note-change", args=[contact.pk, note.pk]), {"delete": "1"})

    assert "Edit this note" not in page
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert ContactChange.objects.for_account(contact.sub_account).notes().count() == 1


def test_the_restore_button_puts_the_earlier_value_back_as_a_revert_by_the_user(staff_client, staff_user, sub_account):
    contact = ContactFactory(sub_account=sub_account, phone="+14155552671")
    contact_update(contact=contact, phone="+16285550100")
    change = latest(contact)
    assert 'aria-label="Restore Phone to +14155552671"' in detail(staff_client, contact)

    response = staff_client.post(
        reverse("contacts:revert", args=[contact.pk]),
        {
            "change_id": change.pk,
            "field": "phone",
            "version": Contact.objects.for_account(sub_account).get(pk=contact.pk).etag,
        },
        follow=True,
    )

    assert "Restored the earlier value." in response.content.decode()
    entry = latest(contact)
    assert (entry.source, entry.user_id, entry.changes["phone"]["to"]) == ("revert", staff_user.pk, "+14155552671")


def test_a_restore_on_a_contact_changed_since_the_page_was_shown_is_refused(staff_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Ada")
    contact_update(contact=contact, name="Bea")
    change = latest(contact)

    response = staff_client.post(
        reverse("contacts:revert", args=[contact.pk]),
        {"change_id": change.pk, "field": "name", "version": '"stale"'},
        follow=True,
    )

    assert "The contact changed since you loaded the page" in response.content.decode()
    assert latest(contact).pk == change.pk


def test_load_more_brings_the_next_entries_after_the_last_one_shown(staff_client, sub_account):
    contact = ContactFactory(sub_account=sub_account, name="Name 0")
    for number in range(1, TIMELINE_PAGE_SIZE + 2):
        contact_update(contact=contact, name=f"Name {number}")
    shown = entries(contact)

    page = detail(staff_client, contact)
    more = staff_client.get(
        reverse("contacts:timeline", args=[contact.pk]), {"before": shown[TIMELINE_PAGE_SIZE - 1].pk}
    ).content.decode()

    assert "Load more" in page
    assert f"entry-{shown[TIMELINE_PAGE_SIZE].pk}" not in page
    assert f"entry-{shown[TIMELINE_PAGE_SIZE].pk}" in more
    assert f"entry-{shown[-1].pk}" in more
    assert "Load more" not in more


def test_another_sub_accounts_contact_has_no_timeline_page(staff_client, other_sub_account):
    other = ContactFactory(sub_account=other_sub_account)

    for method, name, data in [
        ("get", "contacts:timeline", None),
        ("post", "contacts:note-create", {"body": "x"}),
        ("post", "contacts:revert", {"change_id": latest(other).pk, "field": "name"}),
    ]:
        call = getattr(staff_client, method)
        response = call(reverse(name, args=[other.pk]), data) if data else call(reverse(name, args=[other.pk]))
        assert response.status_code == HTTPStatus.NOT_FOUND, name
