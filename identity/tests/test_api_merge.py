from http import HTTPStatus

import pytest
from django.urls import reverse

from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from conversations.models import Conversation
from conversations.tests.factories import ConversationFactory
from webhooks.models import Event

pytestmark = pytest.mark.django_db


def merge_url(contact_id: str, *, preview: bool = False) -> str:
    return reverse("contact-identity-merge", args=[contact_id]) + ("?preview=true" if preview else "")


def undo_url(merge_id: str) -> str:
    return reverse("merge-undo", args=[merge_id])


def _get(sub_account, contact_id):
    return Contact.objects.for_account(sub_account).with_tags().get(pk=contact_id)


@pytest.fixture
def pair(sub_account):
    target = ContactFactory(
        sub_account=sub_account,
        name="Ada Lovelace",
        email=None,
        phone="+14155552671",
        tags=["vip"],
        custom_fields={"plan": "pro", "seats": 3},
    )
    source = ContactFactory(
        sub_account=sub_account,
        name="A. Lovelace",
        email="ada@example.com",
        phone="+14155550100",
        tags=["lead"],
        custom_fields={"plan": "free", "city": "London"},
    )
    ConversationFactory(contact=source, messages=2)
    ConversationFactory(contact=target)
    return _get(sub_account, target.pk), _get(sub_account, source.pk)


def test_a_merge_keeps_the_targets_values_and_fills_its_blanks_from_the_source(api_client, sub_account, pair):
    target, source = pair

    response = api_client.post(merge_url(target.pk), {"from": [source.pk]}, format="json")

    assert response.status_code == HTTPStatus.CREATED
    merged = _get(sub_account, target.pk)
    assert (merged.name, merged.email, merged.phone) == ("Ada Lovelace", "ada@example.com", "+14155552671")
    assert merged.tag_names == ["lead", "vip"]
    assert merged.custom_fields == {"plan": "pro", "seats": 3, "city": "London"}


def test_a_merge_moves_the_conversations_and_keeps_the_derived_fields_exact(api_client, sub_account, pair):
    target, source = pair

    api_client.post(merge_url(target.pk), {"from": [source.pk]}, format="json")

    merged = _get(sub_account, target.pk)
    conversations = Conversation.objects.for_account(sub_account).filter(contact_id=target.pk)
    assert merged.conversation_count == conversations.count() == 2
    assert merged.last_conversation == max(conversation.last_activity_at for conversation in conversations)
    sub_account.refresh_from_db()
    assert sub_account.contact_count == 1


def test_a_merged_away_contacts_email_and_phone_stay_findable_by_search(api_client, sub_account, pair):
    target, source = pair
    api_client.post(merge_url(target.pk), {"from": [source.pk]}, format="json")

    found = api_client.get(reverse("contact-search"), {"q": "+1 415 555 0100"}).json()["data"]

    assert [contact["id"] for contact in found] == [target.pk]


def test_a_merged_away_id_answers_308_with_the_survivor(api_client, pair):
    target, source = pair
    merge_id = api_client.post(merge_url(target.pk), {"from": [source.pk]}, format="json").json()["id"]

    response = api_client.get(reverse("contact-detail", args=[source.pk]))

    assert response.status_code == HTTPStatus.PERMANENT_REDIRECT
    assert response["Location"].endswith(f"/api/v1/contacts/{target.pk}")
    assert response.json() == {"merged_into": target.pk, "merge_id": merge_id}


def test_a_preview_answers_the_result_and_writes_nothing(api_client, sub_account, pair):
    target, source = pair

    response = api_client.post(merge_url(target.pk, preview=True), {"from": [source.pk]}, format="json")

    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["contact"]["email"] == "ada@example.com"
    assert body["fields"]["email"] == {"value": "ada@example.com", "from": source.pk}
    assert body["custom_fields"]["plan"] == {"value": "pro", "from": target.pk}
    assert body["versions"] == {target.pk: target.etag, source.pk: source.etag}
    assert Contact.objects.for_account(sub_account).count() == 2
    assert not Event.objects.for_account(sub_account).filter(type="contact.merged").exists()


def test_a_merge_against_a_version_changed_since_the_preview_is_a_409(api_client, sub_account, pair):
    target, source = pair
    versions = api_client.post(merge_url(target.pk, preview=True), {"from": [source.pk]}, format="json").json()[
        "versions"
    ]
    api_client.patch(reverse("contact-detail", args=[source.pk]), {"name": "Changed"}, format="json")

    response = api_client.post(
        merge_url(target.pk), {"from": [source.pk], "expected_versions": versions}, format="json"
    )

    assert response.status_code == HTTPStatus.CONFLICT
    assert [item["contact_id"] for item in response.json()["error"]["conflicts"]] == [source.pk]
    assert Contact.objects.for_account(sub_account).count() == 2


def test_field_winners_choose_which_contacts_value_survives(api_client, sub_account, pair):
    target, source = pair

    api_client.post(merge_url(target.pk), {"from": [source.pk], "field_winners": {"phone": source.pk}}, format="json")

    assert _get(sub_account, target.pk).phone == "+14155550100"


def test_merging_a_contact_with_itself_is_a_400_and_deletes_nothing(api_client, sub_account, pair):
    target, _ = pair

    response = api_client.post(merge_url(target.pk), {"from": [target.pk]}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "itself" in response.json()["error"]["message"]
    assert Contact.objects.for_account(sub_account).count() == 2


def test_merging_a_contact_of_another_sub_account_is_not_found(api_client, other_sub_account, pair):
    target, _ = pair
    theirs = ContactFactory(sub_account=other_sub_account)

    response = api_client.post(merge_url(target.pk), {"from": [theirs.pk]}, format="json")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert Contact.objects.for_account(other_sub_account).filter(pk=theirs.pk).exists()


def test_merging_an_already_merged_contact_is_a_409_naming_its_survivor(api_client, sub_account, pair):
    target, source = pair
    api_client.post(merge_url(target.pk), {"from": [source.pk]}, format="json")
    third = ContactFactory(sub_account=sub_account)

    response = api_client.post(merge_url(third.pk), {"from": [source.pk]}, format="json")

    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["error"]["conflicts"] == [{"contact_id": source.pk, "merged_into": target.pk}]


def test_more_than_ten_sources_is_a_400(api_client, sub_account, pair):
    target, _ = pair

    response = api_client.post(merge_url(target.pk), {"from": [f"ct_{n}" for n in range(11)]}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_a_merge_emits_contact_merged_with_target_sources_and_changes(api_client, sub_account, pair):
    target, source = pair

    api_client.post(merge_url(target.pk), {"from": [source.pk]}, format="json")

    event = Event.objects.for_account(sub_account).get(type="contact.merged")
    assert '"sources"' in event.payload and source.pk in event.payload and '"changes"' in event.payload


def test_undo_restores_the_source_with_its_fields_tags_and_conversations(api_client, sub_account, pair):
    target, source = pair
    source_conversations = set(Conversation.objects.for_account(sub_account).filter(contact_id=source.pk))
    merge_id = api_client.post(merge_url(target.pk), {"from": [source.pk]}, format="json").json()["id"]

    response = api_client.post(undo_url(merge_id))

    assert response.status_code == HTTPStatus.OK
    restored = _get(sub_account, source.pk)
    assert restored.etag == source.etag
    assert set(Conversation.objects.for_account(sub_account).filter(contact_id=source.pk)) == source_conversations
    again = _get(sub_account, target.pk)
    assert (again.name, again.email, again.phone, again.tag_names, again.custom_fields, again.conversation_count) == (
        target.name,
        target.email,
        target.phone,
        target.tag_names,
        target.custom_fields,
        target.conversation_count,
    )
    assert api_client.get(reverse("contact-detail", args=[source.pk])).status_code == HTTPStatus.OK
    sub_account.refresh_from_db()
    assert sub_account.contact_count == 2
    assert Event.objects.for_account(sub_account).filter(type="contact.unmerged").count() == 1


def test_undo_is_refused_saying_what_changed_when_the_target_changed_since(api_client, sub_account, pair):
    target, source = pair
    merge_id = api_client.post(merge_url(target.pk), {"from": [source.pk]}, format="json").json()["id"]
    api_client.patch(reverse("contact-detail", args=[target.pk]), {"name": "Countess"}, format="json")

    response = api_client.post(undo_url(merge_id))

    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["error"]["conflicts"] == [
        {"reason": "target_changed", "contact_id": target.pk, "field": "name"}
    ]


def test_undo_twice_is_a_409(api_client, pair):
    target, source = pair
    merge_id = api_client.post(merge_url(target.pk), {"from": [source.pk]}, format="json").json()["id"]
    api_client.post(undo_url(merge_id))

    response = api_client.post(undo_url(merge_id))

    assert response.status_code == HTTPStatus.CONFLICT


def test_undo_after_thirty_days_is_a_409(api_client, sub_account, pair):
    from datetime import timedelta

    from identity.models import Merge

    target, source = pair
    merge_id = api_client.post(merge_url(target.pk), {"from": [source.pk]}, format="json").json()["id"]
    merge = Merge.objects.for_account(sub_account).get(pk=merge_id)
    Merge.objects.for_account(sub_account).filter(pk=merge_id).update(created_at=merge.created_at - timedelta(days=31))

    response = api_client.post(undo_url(merge_id))

    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["error"]["conflicts"] == [{"reason": "undo_window_closed"}]


def test_a_merge_of_a_survivor_is_followed_from_the_first_merged_away_id(api_client, sub_account, pair):
    target, source = pair
    api_client.post(merge_url(target.pk), {"from": [source.pk]}, format="json")
    last = ContactFactory(sub_account=sub_account)
    api_client.post(merge_url(last.pk), {"from": [target.pk]}, format="json")

    response = api_client.get(reverse("contact-detail", args=[source.pk]))

    assert response.json()["merged_into"] == last.pk


def test_undo_is_refused_naming_the_contact_that_took_a_sources_email_since(api_client, sub_account, pair):
    target, source = pair
    merge_id = api_client.post(
        merge_url(target.pk), {"from": [source.pk], "field_winners": {"email": target.pk}}, format="json"
    ).json()["id"]
    assert _get(sub_account, target.pk).email is None  # the target kept its own (blank) email: the source's is free
    taker = ContactFactory(sub_account=sub_account, email="ada@example.com")

    response = api_client.post(undo_url(merge_id))

    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["error"]["conflicts"] == [
        {"reason": "email_taken", "contact_id": taker.pk, "email": "ada@example.com"}
    ]


def test_an_upsert_finds_the_survivor_by_a_merged_away_email(api_client, sub_account, pair):
    target, source = pair
    api_client.post(merge_url(target.pk), {"from": [source.pk], "field_winners": {"phone": target.pk}}, format="json")

    response = api_client.post(
        reverse("contact-upsert"), {"match": ["phone"], "phone": "+14155550100", "name": "Ada"}, format="json"
    )

    assert response.json()["contact"]["id"] == target.pk
    assert response.json()["contact"]["phone"] == "+14155552671"
