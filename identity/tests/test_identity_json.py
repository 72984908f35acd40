"""What the identity endpoints answer is what their schema serializers document, field by field."""

import pytest
from django.urls import reverse

from contacts.serializers import ContactUpsertBatchResultSerializer, ContactUpsertResultSerializer
from contacts.tests.factories import ContactFactory
from contacts_site.tests.json_shapes import shape_mismatches
from identity.serializers import (
    CandidateListSerializer,
    DuplicatePairListSerializer,
    MergePreviewSerializer,
    MergeSerializer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def twins(sub_account):
    first = ContactFactory(sub_account=sub_account, name="Ada", email="ada@gmail.com", phone="+14155552671")
    second = ContactFactory(sub_account=sub_account, name="Ada", email="a.da@gmail.com", custom_fields={"plan": "pro"})
    return first.pk, second.pk


def test_the_upsert_answers_its_documented_shape(api_client):
    answer = api_client.post(reverse("contact-upsert"), {"name": "Ada", "email": "x@example.com"}, format="json")

    assert shape_mismatches(answer.json(), ContactUpsertResultSerializer()) == []


def test_the_batch_upsert_answers_its_documented_shape(api_client):
    items = [{"name": "Ada", "email": "x@example.com"}, {"email": "y@example.com"}]
    answer = api_client.post(reverse("contact-upsert-batch"), {"items": items}, format="json")

    assert shape_mismatches(answer.json(), ContactUpsertBatchResultSerializer()) == []


def test_the_duplicates_answer_their_documented_shape(api_client, twins):
    first, _ = twins

    candidates = api_client.get(reverse("contact-identity-duplicates", args=[first])).json()
    pairs = api_client.get(reverse("duplicate-list")).json()

    assert candidates["data"] and pairs["data"]
    assert shape_mismatches(candidates, CandidateListSerializer()) == []
    assert shape_mismatches(pairs, DuplicatePairListSerializer()) == []


def test_the_merge_preview_and_the_merge_answer_their_documented_shape(api_client, twins):
    first, second = twins
    url = reverse("contact-identity-merge", args=[first])

    preview = api_client.post(url + "?preview=true", {"from": [second]}, format="json").json()
    merge = api_client.post(url, {"from": [second]}, format="json").json()
    undone = api_client.post(reverse("merge-undo", args=[merge["id"]])).json()

    assert shape_mismatches(preview, MergePreviewSerializer()) == []
    assert shape_mismatches(merge, MergeSerializer()) == []
    assert shape_mismatches(undone, MergeSerializer()) == []
