from http import HTTPStatus

import pytest
from django.urls import reverse

from contacts.identities import canonical_email, keys_for, name_key
from contacts.tests.factories import ContactFactory
from identity import duplicates

pytestmark = pytest.mark.django_db


def duplicates_url(contact_id: str) -> str:
    return reverse("contact-identity-duplicates", args=[contact_id])


def _candidates(api_client, contact_id, **params):
    response = api_client.get(duplicates_url(contact_id), params)
    assert response.status_code == HTTPStatus.OK
    return {item["contact"]["id"]: item for item in response.json()["data"]}


def test_gmail_addresses_are_compared_without_dots_and_plus_tags():
    assert canonical_email("Ada.Lovelace+news@GoogleMail.com") == "adalovelace@gmail.com"


def test_other_domains_keep_their_dots_and_plus_tags():
    assert canonical_email("Ada.Lovelace+news@Example.com") == "ada.lovelace+news@example.com"


def test_a_name_key_ignores_accents_case_spacing_and_word_order():
    assert name_key("  Dupont,   RENÉE ") == name_key("renee dupont")


def test_a_free_mail_domain_makes_no_name_key():
    assert not any(key.startswith("nd:") for key in keys_for(name="Ada", emails=["ada@gmail.com"], phones=[]))


def test_the_same_gmail_mailbox_is_a_candidate_scored_high_with_its_reason(api_client, sub_account):
    ada = ContactFactory(sub_account=sub_account, name="Ada Lovelace", email="ada.lovelace@gmail.com")
    again = ContactFactory(sub_account=sub_account, name="Ada Lovelase", email="adalovelace+shop@gmail.com")

    candidates = _candidates(api_client, ada.pk)

    assert candidates[again.pk]["reasons"] == ["same_email", "similar_name"]
    assert candidates[again.pk]["score"] >= 0.9


def test_the_same_phone_written_nationally_is_a_candidate(api_client, sub_account):
    ada = ContactFactory(sub_account=sub_account, name="Ada", email=None, phone="+14155552671")
    other = ContactFactory(sub_account=sub_account, name="Bo", email=None, phone="(415) 555-2671")

    assert _candidates(api_client, ada.pk)[other.pk]["reasons"] == ["same_phone"]


def test_the_same_name_at_the_same_company_is_a_candidate(api_client, sub_account):
    ada = ContactFactory(sub_account=sub_account, name="Renée Dupont", email="renee@acme.com")
    other = ContactFactory(sub_account=sub_account, name="renee  DUPONT", email="r.dupont@acme.com")

    assert _candidates(api_client, ada.pk)[other.pk]["reasons"] == ["same_name_same_email_domain"]


def test_the_same_name_alone_scores_low(api_client, sub_account):
    ada = ContactFactory(sub_account=sub_account, name="Ada Lovelace", email="ada@gmail.com")
    other = ContactFactory(sub_account=sub_account, name="Ada Lovelace", email="countess@yahoo.com")

    candidate = _candidates(api_client, ada.pk)[other.pk]

    assert candidate["reasons"] == ["same_name"]
    assert candidate["score"] < 0.5
    assert other.pk not in _candidates(api_client, ada.pk, min_score="0.5")


def test_a_changed_email_changes_the_candidates_in_the_same_write(api_client, sub_account):
    ada = ContactFactory(sub_account=sub_account, name="Ada", email="ada@gmail.com")
    other = ContactFactory(sub_account=sub_account, name="Bo", email="bo@example.com")
    api_client.patch(reverse("contact-detail", args=[other.pk]), {"email": "a.d.a@gmail.com"}, format="json")

    assert other.pk in _candidates(api_client, ada.pk)


def test_another_sub_accounts_lookalike_is_never_a_candidate(api_client, sub_account, other_sub_account):
    ada = ContactFactory(sub_account=sub_account, name="Ada", email="ada@gmail.com")
    ContactFactory(sub_account=other_sub_account, name="Ada", email="a.da@gmail.com")

    assert _candidates(api_client, ada.pk) == {}


def test_the_sub_account_list_pairs_duplicates_best_first(api_client, sub_account):
    ada = ContactFactory(sub_account=sub_account, name="Ada", email="ada@gmail.com")
    again = ContactFactory(sub_account=sub_account, name="Ada", email="a.da@gmail.com")
    renee = ContactFactory(sub_account=sub_account, name="Renée Dupont", email="renee@acme.com")
    twin = ContactFactory(sub_account=sub_account, name="Renee Dupont", email="rd@acme.com")

    body = api_client.get(reverse("duplicate-list")).json()

    pairs = [{contact["id"] for contact in item["contacts"]} for item in body["data"]]
    assert pairs == [{ada.pk, again.pk}, {renee.pk, twin.pk}]
    assert body["total"] == 2


def test_a_min_score_that_is_not_a_number_is_a_400(api_client, sub_account):
    response = api_client.get(reverse("duplicate-list"), {"min_score": "high"})

    assert response.status_code == HTTPStatus.BAD_REQUEST


def _listed_pairs(api_client) -> list[set[str]]:
    return [
        {contact["id"] for contact in item["contacts"]}
        for item in api_client.get(reverse("duplicate-list")).json()["data"]
    ]


def test_the_list_picks_up_a_duplicate_made_after_its_last_read(api_client, sub_account):
    ada = ContactFactory(sub_account=sub_account, name="Ada", email="ada@gmail.com")
    bo = ContactFactory(sub_account=sub_account, name="Bo", email="bo@example.com")
    assert _listed_pairs(api_client) == []

    api_client.patch(reverse("contact-detail", args=[bo.pk]), {"email": "a.d.a@gmail.com"}, format="json")

    assert _listed_pairs(api_client) == [{ada.pk, bo.pk}]


def test_the_list_drops_a_pair_once_its_contacts_no_longer_match(api_client, sub_account):
    ContactFactory(sub_account=sub_account, name="Ada", email="ada@gmail.com")
    again = ContactFactory(sub_account=sub_account, name="Ada", email="a.da@gmail.com")
    assert len(_listed_pairs(api_client)) == 1

    api_client.patch(reverse("contact-detail", args=[again.pk]), {"email": "someone@else.example"}, format="json")

    assert _listed_pairs(api_client) == []


def test_a_merge_takes_its_pair_off_the_list_and_its_undo_puts_it_back(api_client, sub_account):
    ada = ContactFactory(sub_account=sub_account, name="Ada", email="ada@gmail.com")
    again = ContactFactory(sub_account=sub_account, name="Ada", email="a.da@gmail.com")
    assert _listed_pairs(api_client) == [{ada.pk, again.pk}]

    merge = api_client.post(
        reverse("contact-identity-merge", args=[ada.pk]), {"from": [again.pk]}, format="json"
    ).json()
    assert _listed_pairs(api_client) == []
    api_client.post(reverse("merge-undo", args=[merge["id"]]))

    assert _listed_pairs(api_client) == [{ada.pk, again.pk}]


def test_a_deleted_contact_leaves_the_list(api_client, sub_account):
    ContactFactory(sub_account=sub_account, name="Ada", email="ada@gmail.com")
    again = ContactFactory(sub_account=sub_account, name="Ada", email="a.da@gmail.com")
    assert len(_listed_pairs(api_client)) == 1

    api_client.delete(reverse("contact-detail", args=[again.pk]))

    assert _listed_pairs(api_client) == []


def test_a_min_score_below_the_threshold_lists_weaker_pairs_too(api_client, sub_account):
    ContactFactory(sub_account=sub_account, name="Ada Lovelace", email="ada@gmail.com")
    ContactFactory(sub_account=sub_account, name="Ada Lovelace", email="countess@yahoo.com")

    assert api_client.get(reverse("duplicate-list")).json()["total"] == 0
    assert (
        api_client.get(reverse("duplicate-list"), {"min_score": "0.2"}).json()["total"] == 0
    )  # name keys: never listed


def test_a_full_rescore_in_small_chunks_stores_every_pair_with_all_its_reasons(api_client, sub_account, monkeypatch):
    # One row per chunk: a pair sharing both its email and its phone arrives as two rows, which must not be split.
    monkeypatch.setattr(duplicates, "PAIR_ROWS_PER_CHUNK", 1)
    ada = ContactFactory(sub_account=sub_account, name="Ada Lovelace", email="ada@gmail.com", phone="+14155552671")
    twin = ContactFactory(sub_account=sub_account, name="Ada Lovelase", email="a.da@gmail.com", phone="(415) 555-2671")
    bo = ContactFactory(sub_account=sub_account, name="Bo", email="bo@gmail.com", phone="+14155550100")
    bo_again = ContactFactory(sub_account=sub_account, name="Carl Brown", email="b.o+x@gmail.com")

    response = api_client.get(reverse("duplicate-list"))

    pairs = {
        frozenset(contact["id"] for contact in item["contacts"]): item["reasons"] for item in response.json()["data"]
    }
    assert pairs == {
        frozenset((ada.pk, twin.pk)): ["same_email", "same_phone", "similar_name"],
        frozenset((bo.pk, bo_again.pk)): ["same_email"],
    }
