import pytest
from django.core.management import call_command

from accounts.models import APIKey, SubAccount
from contacts.models import Contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_file(tmp_path, monkeypatch):
    path = tmp_path / ".demo-api-key"
    monkeypatch.setattr("contacts.management.commands.load_demo_data.KEY_FILE", path)
    return path


def _printed_key(capsys) -> str:
    return capsys.readouterr().out.strip().splitlines()[-1]


def test_demo_data_loads_about_two_hundred_varied_contacts(key_file, capsys):
    call_command("load_demo_data")

    contacts = Contact.objects.for_account(SubAccount.objects.get(slug="demo"))
    assert contacts.count() == 200
    assert contacts.filter(tagged_items__isnull=False).distinct().count() > 50
    assert len({phone[:3] for phone in contacts.exclude(phone=None).values_list("phone", flat=True)}) > 3


def test_demo_data_prints_a_working_api_key_last(key_file, capsys):
    call_command("load_demo_data")

    assert APIKey.objects.authenticate(_printed_key(capsys)) is not None


def test_loading_demo_data_twice_adds_nothing_and_keeps_the_key(key_file, capsys):
    call_command("load_demo_data")
    first_key = _printed_key(capsys)
    call_command("load_demo_data")

    assert Contact.objects.unscoped().count() == 200
    assert _printed_key(capsys) == first_key
    assert APIKey.objects.count() == 1
