"""The benchmark's generator, run tiny on the test database (COPY on PostgreSQL, INSERTs on SQLite)."""

import re
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import phonenumbers
import pytest
from django.db import connection
from django.db.models import NOT_PROVIDED, Count, F, Max
from django.db.models.functions import Coalesce

from accounts.models import SubAccount
from accounts.services import api_key_create
from contacts.models import Contact, TaggedContact
from contacts.validators import validate_custom_fields
from conversations.models import Conversation, Message
from tools.bench.generate import EPOCH, WRITE_ORDER, Plan, column_plan, load, ulid_milliseconds
from tools.bench.measure import percentile

pytestmark = pytest.mark.django_db

PLAN = Plan(contacts=600, accounts=4, small_size=60, conversation_share=0.3, seed=11)


@pytest.fixture
def loaded():
    return load(PLAN)


def test_each_sub_account_gets_its_planned_share_and_an_exact_counter(loaded):
    sizes = {account.pk: account.size for account in loaded.accounts}
    counted = dict(Contact.objects.unscoped().values_list("sub_account").annotate(n=Count("pk")))
    counters = dict(SubAccount.objects.filter(pk__in=sizes).values_list("pk", "contact_count"))
    assert sum(sizes.values()) == PLAN.contacts
    assert [account.size for account in loaded.accounts][:2] == [300, 60]
    assert counted == sizes
    assert counters == sizes


def test_generated_contacts_pass_the_models_validation_unchanged(loaded):
    for contact in Contact.objects.unscoped().select_related("sub_account"):
        stored = (contact.name, contact.email, contact.phone)
        contact.full_clean(validate_unique=False, validate_constraints=False)
        assert (contact.name, contact.email, contact.phone) == stored


def test_phones_are_valid_e164_numbers_of_several_countries(loaded):
    phones = list(Contact.objects.unscoped().exclude(phone=None).values_list("phone", flat=True))
    regions = {phonenumbers.region_code_for_number(phonenumbers.parse(phone)) for phone in phones}
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(phone)) for phone in phones)
    assert len(regions) >= 5


def test_emails_are_lowercased_and_unique_within_each_sub_account(loaded):
    rows = list(Contact.objects.unscoped().exclude(email=None).values_list("sub_account", "email"))
    assert all(email == email.lower() for _, email in rows)
    assert len(set(rows)) == len(rows)


def test_names_include_letters_beyond_ascii(loaded):
    names = list(Contact.objects.unscoped().values_list("name", flat=True))
    assert any(not name.isascii() for name in names)
    assert len(set(names)) > len(names) / 2


def test_custom_fields_pass_the_products_validator(loaded):
    for custom_fields in Contact.objects.unscoped().values_list("custom_fields", flat=True):
        validate_custom_fields(custom_fields)


def test_ids_have_the_products_format_and_encode_the_creation_time(loaded):
    for contact_id, created_at in Contact.objects.unscoped().values_list("id", "created_at"):
        assert re.fullmatch(r"ct_[0-9A-HJKMNP-TV-Z]{26}", contact_id)
        assert ulid_milliseconds(contact_id) == (created_at - EPOCH) // timedelta(milliseconds=1)


def test_tags_and_their_links_belong_to_the_contacts_sub_account(loaded):
    mismatched = TaggedContact.objects.unscoped().exclude(sub_account=F("content_object__sub_account")).count()
    foreign_tags = TaggedContact.objects.unscoped().exclude(tag__sub_account=F("sub_account")).count()
    assert TaggedContact.objects.unscoped().exists()
    assert (mismatched, foreign_tags) == (0, 0)


def test_contact_conversation_fields_match_the_conversations(loaded):
    expected = {
        contact_id: (count, last)
        for contact_id, count, last in Conversation.objects.unscoped()
        .values("contact")
        .annotate(n=Count("pk"), last=Max(Coalesce("last_message_at", "created_at")))
        .values_list("contact", "n", "last")
    }
    actual = {
        contact_id: (count, last)
        for contact_id, count, last in Contact.objects.unscoped()
        .filter(conversation_count__gt=0)
        .values_list("id", "conversation_count", "last_conversation")
    }
    assert expected
    assert actual == expected
    assert not Contact.objects.unscoped().filter(conversation_count=0, last_conversation__isnull=False).exists()


def test_conversation_fields_match_their_messages(loaded):
    by_conversation = {
        conversation: (count, last)
        for conversation, count, last in Message.objects.unscoped()
        .values("conversation")
        .annotate(n=Count("pk"), last=Max("created_at"))
        .values_list("conversation", "n", "last")
    }
    for conversation in Conversation.objects.unscoped().all():
        count, last = by_conversation.get(conversation.pk, (0, None))
        assert (conversation.message_count, conversation.last_message_at) == (count, last)
        assert conversation.sub_account_id == Contact.objects.unscoped().get(pk=conversation.contact_id).sub_account_id


def test_every_contact_has_the_match_keys_a_contact_write_gives_it(loaded):
    from contacts.identities import keys_for
    from contacts.models import ContactMatchKey

    contacts = Contact.objects.unscoped().values_list("pk", "name", "email", "phone")
    written = {}
    for contact_id, key in ContactMatchKey.objects.unscoped().values_list("contact_id", "key"):
        written.setdefault(contact_id, set()).add(key)
    for contact_id, name, email, phone in contacts:
        expected = keys_for(name=name, emails=[email] if email else [], phones=[phone] if phone else [])
        assert written.get(contact_id, set()) == expected


def test_every_foreign_key_points_at_a_row(loaded):
    connection.check_constraints()


def test_the_api_lists_generated_contacts_newest_first(loaded, client):
    big = SubAccount.objects.get(pk=loaded.accounts[0].pk)
    _, key = api_key_create(sub_account=big)
    response = client.get("/api/v1/contacts?limit=100", headers={"Authorization": f"Bearer {key}"})
    body = response.json()
    created = [row["created_at"] for row in body["data"]]
    assert response.status_code == HTTPStatus.OK
    assert body["total"] == loaded.accounts[0].size
    assert created == sorted(created, reverse=True)


def test_the_same_seed_generates_the_same_contacts():
    plan = Plan(contacts=40, accounts=3, small_size=5, seed=3, now=datetime(2026, 1, 1, tzinfo=UTC))
    first = load(plan)
    generated = list(
        Contact.objects.unscoped().order_by("id").values_list("id", "name", "email", "phone", "created_at")
    )
    SubAccount.objects.filter(pk__in=[account.pk for account in first.accounts]).delete()
    load(plan)
    again = list(Contact.objects.unscoped().order_by("id").values_list("id", "name", "email", "phone", "created_at"))
    assert again == generated


def test_every_required_column_of_the_models_is_written():
    for model in WRITE_ORDER:
        required = {f.column for f in model._meta.concrete_fields if not f.null and f.db_default is NOT_PROVIDED}
        assert required <= set(column_plan(model).columns), model


def test_percentile_is_the_nearest_rank():
    values = list(range(1, 101))
    assert (percentile(values, 0.5), percentile(values, 0.95), percentile(values, 0.99)) == (50, 95, 99)
